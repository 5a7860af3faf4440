"""Measure intent inference on labelled project manifests: accuracy, confusion matrix, calibration.

A manifest is what inference sees of a real project (file list, dependency names, README excerpt)
plus the label decided from what the project is for. `bench/projects/projects.yaml` lists them with
a split: `dev` (the calibration is fitted on it), `test` (listed with dev, scored apart) and
`holdout` (added after the lexicon and calibration were fixed, never used to change them).

Projects are scored name-blind by default: the project's own name (and its import names) is masked
in its files, dependencies and README, so that a lexicon entry naming the tool (`angr`, `ansible`)
cannot recognise the very project it names. A held-out project is a different tool, so that is the
fair estimate; `names=True` shows what naming adds.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from codeward.errors import InputError
from codeward.intent.infer import (
    CALIBRATION,
    Calibration,
    Inference,
    combine,
    project_signals,
    scores,
    softmax,
)
from codeward.intent.lexicon import GENERAL, INTENTS
from codeward.intent.resolve import CONTRADICTS, contradicted_by
from codeward.model import Context, Project

Inferrer = Callable[[Context], Inference | None]
TEMPERATURES = tuple(round(0.2 + 0.1 * step, 1) for step in range(39))
BASELINES = tuple(round(0.25 * step, 2) for step in range(25))
"""The grid `fit_calibration` searches: temperature 0.2-4.0, `general` baseline 0-6."""
MASK = "pkg"
"""What the project's own name becomes in a name-blind manifest: a word no lexicon entry knows."""
SPLITS = ("dev", "test", "holdout")


class Listing(BaseModel):
    """One line of projects.yaml: which package, what it is for, and why that label."""

    model_config = ConfigDict(extra="forbid")

    registry: str
    name: str
    label: str
    split: str
    why: str
    aliases: list[str] = Field(default_factory=list)
    """Other names of the project (its import package: `pwnlib` for pwntools), masked too."""


class LabelledProject(BaseModel):
    """One real project: where it came from, what it is for, and what inference may see of it."""

    model_config = ConfigDict(extra="forbid")

    name: str
    registry: str
    label: str
    split: str
    why: str
    aliases: list[str] = Field(default_factory=list)
    licence: str = "unknown"
    project: Project

    def name_blind(self) -> Project:
        """The manifest with the project's own names masked (see the module docstring)."""
        variants: set[str] = set()
        for name in (self.name, *self.aliases):
            lowered = name.lower()
            variants |= {
                lowered,
                lowered.replace("-", "_"),
                lowered.replace("-", ""),
                lowered.replace("_", "-"),
            }
        alternatives = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
        pattern = re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])", re.IGNORECASE)
        return Project(
            files=[pattern.sub(MASK, path) for path in self.project.files],
            dependencies=[d for d in self.project.dependencies if d.lower() not in variants],
            readme=pattern.sub(MASK, self.project.readme),
        )


def load_projects(root: str | Path, *, splits: Iterable[str] | None = None) -> list[LabelledProject]:
    """Every listed project whose manifest was built, optionally only some splits. A folder without
    projects.yaml is read as labelled manifests alone (`*.json` or `manifests/*.json`, each with its
    `label`), all in the `holdout` split: the shape of a held-out set handed over as files."""
    root = Path(root)
    if not (root / "projects.yaml").is_file():
        return _bare_manifests(root, splits)
    wanted = set(splits) if splits is not None else None
    try:
        listing = yaml.safe_load((root / "projects.yaml").read_text(encoding="utf-8"))
        entries = [Listing.model_validate(entry) for entry in listing["projects"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValidationError) as error:
        raise InputError(f"cannot read {root / 'projects.yaml'}: {error}") from None
    projects = []
    for entry in entries:
        if entry.label not in INTENTS or entry.split not in SPLITS:
            raise InputError(f"{entry.name}: unknown label {entry.label!r} or split {entry.split!r}")
        if wanted is not None and entry.split not in wanted:
            continue
        path = root / "manifests" / f"{entry.registry}-{entry.name}.json"
        if not path.is_file():
            continue
        manifest, project = _read_manifest(path)
        projects.append(
            LabelledProject(
                **entry.model_dump(), licence=str(manifest.get("licence", "unknown")), project=project
            )
        )
    return projects


def _read_manifest(path: Path) -> tuple[dict[str, Any], Project]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        project = Project(
            files=list(manifest.get("files", [])),
            dependencies=list(manifest.get("dependencies", [])),
            readme=str(manifest.get("readme", "")),
            ci=str(manifest.get("ci", "")),
        )
    except (OSError, json.JSONDecodeError, ValidationError, AttributeError, TypeError) as error:
        raise InputError(f"cannot read {path}: {error}") from None
    return manifest, project


def _bare_manifests(root: Path, splits: Iterable[str] | None) -> list[LabelledProject]:
    if splits is not None and "holdout" not in set(splits):
        return []
    paths = sorted(root.glob("*.json")) or sorted((root / "manifests").glob("*.json"))
    if not paths:
        raise InputError(f"{root} has neither projects.yaml nor labelled manifests (*.json)")
    projects = []
    for path in paths:
        manifest, project = _read_manifest(path)
        label = manifest.get("label")
        if label not in INTENTS:
            raise InputError(f"{path}: label must be one of {', '.join(INTENTS)}, not {label!r}")
        projects.append(
            LabelledProject(
                name=str(manifest.get("name", path.stem)),
                registry=str(manifest.get("registry", "unknown")),
                label=label,
                split="holdout",
                why=str(manifest.get("why", "")),
                aliases=[str(alias) for alias in manifest.get("aliases", [])],
                licence=str(manifest.get("licence", "unknown")),
                project=project,
            )
        )
    return projects


@dataclass(slots=True)
class Outcome:
    name: str
    label: str
    predicted: str
    confidence: float
    probability_of_label: float

    @property
    def right(self) -> bool:
        return self.predicted == self.label


@dataclass(slots=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


@dataclass(slots=True)
class Report:
    outcomes: list[Outcome]
    labels: list[str] = field(default_factory=lambda: list(INTENTS))

    @property
    def accuracy(self) -> float:
        return sum(o.right for o in self.outcomes) / max(1, len(self.outcomes))

    @property
    def log_loss(self) -> float:
        total = sum(math.log(max(o.probability_of_label, 1e-6)) for o in self.outcomes)
        return -total / max(1, len(self.outcomes))

    def confusion(self) -> dict[str, dict[str, int]]:
        """label -> predicted -> count."""
        matrix = {label: dict.fromkeys(self.labels, 0) for label in self.labels}
        for outcome in self.outcomes:
            matrix[outcome.label][outcome.predicted] += 1
        return matrix

    def reliability(self, bins: int = 5) -> list[ReliabilityBin]:
        """Per confidence bin, the mean confidence and the accuracy: equal when calibrated."""
        rows = []
        for index in range(bins):
            low, high = index / bins, (index + 1) / bins
            inside = [
                o
                for o in self.outcomes
                if low <= o.confidence < high or (index == bins - 1 and o.confidence >= 1)
            ]
            if inside:
                confidence = sum(o.confidence for o in inside) / len(inside)
                accuracy = sum(o.right for o in inside) / len(inside)
                rows.append(ReliabilityBin(low, high, len(inside), confidence, accuracy))
        return rows

    @property
    def expected_calibration_error(self) -> float:
        total = max(1, len(self.outcomes))
        return sum(row.count / total * abs(row.accuracy - row.mean_confidence) for row in self.reliability())

    def text(self) -> str:
        lines = [
            f"projects: {len(self.outcomes)}   accuracy: {self.accuracy:.1%} ({sum(o.right for o in self.outcomes)}"
            f"/{len(self.outcomes)})   log loss: {self.log_loss:.3f}   "
            f"expected calibration error: {self.expected_calibration_error:.3f}",
            "reliability (confidence bin: mean confidence -> accuracy, count)",
        ]
        for row in self.reliability():
            lines.append(
                f"  {row.low:.1f}-{row.high:.1f}: {row.mean_confidence:6.1%} -> {row.accuracy:6.1%}  n={row.count}"
            )
        present = [
            label for label in self.labels if any(label in (o.label, o.predicted) for o in self.outcomes)
        ]
        lines.append("confusion matrix (rows: label, columns: inferred)")
        lines.append(" " * 20 + " ".join(f"{label[:7]:>7}" for label in present))
        matrix = self.confusion()
        for label in present:
            lines.append(f"{label:20s}" + " ".join(f"{matrix[label][p]:>7}" for p in present))
        wrong = [o for o in self.outcomes if not o.right]
        if wrong:
            lines.append("wrong:")
            lines += [f"  {o.name}: {o.label} -> {o.predicted} ({o.confidence:.0%})" for o in wrong]
        return "\n".join(lines)


def manifest(item: LabelledProject, *, names: bool = False) -> Project:
    return item.project if names else item.name_blind()


def evaluate(
    projects: Sequence[LabelledProject],
    inferrer: Inferrer | None = None,
    *,
    calibration: Calibration = CALIBRATION,
    names: bool = False,
) -> Report:
    """Runs inference on each project's manifest (no prompt, no session) and compares with its label."""
    outcomes = []
    for item in projects:
        context = Context(project=manifest(item, names=names))
        inference = (
            inferrer(context) if inferrer is not None else combine(project_signals(context), calibration)
        )
        if inference is None:
            predicted, confidence, distribution = GENERAL, 1.0, {GENERAL: 1.0}
        else:
            predicted, confidence, distribution = inference.name, inference.confidence, inference.distribution
        outcomes.append(
            Outcome(item.name, item.label, predicted, confidence, distribution.get(item.label, 0.0))
        )
    return Report(outcomes)


def _grid() -> list[Calibration]:
    return [Calibration(t, b) for t in TEMPERATURES for b in BASELINES]


def _losses(
    projects: Sequence[LabelledProject], grid: Sequence[Calibration], names: bool
) -> list[list[float]]:
    """Each project's log loss at each point of the grid (scores are computed once per project)."""
    rows = []
    for item in projects:
        score = scores(project_signals(Context(project=manifest(item, names=names))))
        rows.append([-math.log(max(softmax(score, c).get(item.label, 0.0), 1e-6)) for c in grid])
    return rows


def fit_calibration(projects: Sequence[LabelledProject], *, names: bool = False) -> Calibration:
    """The temperature and `general` baseline that minimise the log loss on these projects."""
    grid = _grid()
    losses = _losses(projects, grid, names)
    totals = [sum(row[g] for row in losses) for g in range(len(grid))]
    return grid[min(range(len(grid)), key=totals.__getitem__)]


def leave_one_out(projects: Sequence[LabelledProject], *, names: bool = False) -> Report:
    """Each project judged with a calibration fitted on all the others: what fitting cannot flatter."""
    grid = _grid()
    losses = _losses(projects, grid, names)
    totals = [sum(row[g] for row in losses) for g in range(len(grid))]
    outcomes = []
    for index, item in enumerate(projects):
        best = min(range(len(grid)), key=lambda g: totals[g] - losses[index][g])
        outcomes += evaluate([item], calibration=grid[best], names=names).outcomes
    return Report(outcomes)


@dataclass(slots=True)
class MismatchReport:
    """How `intent.mismatch` behaves on labelled projects: a true declaration must never be reported;
    a declaration the project's purpose contradicts (`resolve.CONTRADICTS`) should be."""

    true_declarations: int
    true_reported: list[str]
    contradicting: int
    contradicting_reported: int

    def text(self) -> str:
        return (
            f"true declarations reported as mismatch: {len(self.true_reported)}/{self.true_declarations}"
            f"{' (' + ', '.join(self.true_reported) + ')' if self.true_reported else ''}\n"
            f"contradicting declarations reported: {self.contradicting_reported}/{self.contradicting}"
        )


def mismatches(projects: Sequence[LabelledProject], *, names: bool = False) -> MismatchReport:
    """Declares, in each project, its own label and every intent its purpose contradicts."""
    reported, contradicting, caught = [], 0, 0
    for item in projects:
        inference = combine(project_signals(Context(project=manifest(item, names=names))))
        if contradicted_by(item.label, inference) is not None:
            reported.append(item.name)
        for declared in sorted(CONTRADICTS.get(item.label, frozenset())):
            contradicting += 1
            caught += contradicted_by(declared, inference) is not None
    return MismatchReport(len(projects), reported, contradicting, caught)
