"""One benchmark run: every chosen system on every case, then results.jsonl, summary.json, report.md and plots."""

from __future__ import annotations

import json
import os
import platform
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeward import __version__
from codeward.bench.cases import BenchCase
from codeward.bench.external import external_systems
from codeward.bench.metrics import Outcome, Score, score
from codeward.bench.systems import (
    PatternDenySystem,
    System,
    close_sandbox,
    codeward_systems,
    find_sandbox,
)
from codeward.errors import InputError
from codeward.protocols import SandboxBackend

CODEWARD_SYSTEMS = ("codeward", "codeward-static", "codeward-blind", "codeward-nosandbox-nointent")
BASELINES = ("pattern-deny",)
EXTERNAL = ("codeshield", "bandit", "semgrep")
ALL_SYSTEMS = CODEWARD_SYSTEMS + BASELINES + EXTERNAL


@dataclass
class Lineup:
    """The systems of a run, and those that were asked for or expected but cannot run here (with why)."""

    systems: list[System]
    unavailable: dict[str, str] = field(default_factory=dict)
    sandbox_note: str = ""
    sandbox: SandboxBackend | None = None

    def close(self) -> None:
        close_sandbox(self.sandbox)


def lineup(names: Sequence[str] | None = None, *, sandbox: bool = True) -> Lineup:
    """Build the named systems (default: codeward, its ablations, pattern-deny, and installed external tools).

    A system named explicitly that cannot run is an InputError saying what to install; by default
    missing external tools are listed in the report instead. `sandbox=False` keeps the sandbox out
    of every system, and the report says so.
    """
    wanted = list(names) if names else list(ALL_SYSTEMS)
    unknown = [name for name in wanted if name not in ALL_SYSTEMS]
    if unknown:
        raise InputError(f"unknown system(s) {', '.join(unknown)}; known: {', '.join(ALL_SYSTEMS)}")
    result = Lineup(systems=[])
    candidates: dict[str, System] = {}
    if any(name in CODEWARD_SYSTEMS for name in wanted):
        needs_sandbox = any(name in ("codeward", "codeward-blind") for name in wanted)
        backend, result.sandbox_note = find_sandbox() if needs_sandbox and sandbox else (None, "")
        result.sandbox = backend
        if needs_sandbox and not sandbox:
            result.sandbox_note = "sandbox switched off for this run (--no-sandbox)"
        for variant in codeward_systems(backend, result.sandbox_note):
            candidates[variant.name] = variant
    candidates["pattern-deny"] = PatternDenySystem()
    for external in external_systems():
        candidates[external.name] = external
    for name in wanted:
        system = candidates[name]
        ready, why = system.available()
        if ready:
            result.systems.append(system)
        elif names:
            raise InputError(f"{name} cannot run here: {why}")
        else:
            result.unavailable[name] = why
    return result


@dataclass
class BenchRun:
    cases: list[BenchCase]
    lineup: Lineup
    outcomes: list[Outcome]
    scores: dict[str, dict[str, Score]]
    """dataset -> system -> score."""
    command: str
    started: float
    seconds: float
    groups: dict[tuple[str, str], str] = field(default_factory=dict)
    """(file, case id) -> the name it is scored under (see `scoring_groups`)."""

    @property
    def datasets(self) -> list[str]:
        """The names scored on their own, in the order of the cases."""
        return list(dict.fromkeys(self.group_of(case) for case in self.cases))

    def group_of(self, case: BenchCase) -> str:
        return self.groups.get((case.dataset, case.id), case.dataset)

    def cases_in(self, dataset: str) -> int:
        return sum(self.group_of(case) == dataset for case in self.cases)


def scoring_groups(cases: Sequence[BenchCase]) -> dict[tuple[str, str], str]:
    """Each file is scored on its own, and its prompts apart from its code: `dev` and `dev-prompts`.

    Judging a request for code is a different task from judging code, so a file that mixes both
    reports them separately; a file of prompts only (CyberSecEval) keeps its name.
    """
    kinds: dict[str, set[bool]] = defaultdict(set)
    for case in cases:
        kinds[case.dataset].add(case.kind == "prompt")
    return {
        (case.dataset, case.id): f"{case.dataset}-prompts"
        if case.kind == "prompt" and len(kinds[case.dataset]) > 1
        else case.dataset
        for case in cases
    }


def run_bench(
    cases: Sequence[BenchCase],
    line: Lineup,
    *,
    command: str = "codeward bench",
    progress: Callable[[int], None] | None = None,
) -> BenchRun:
    """Run every system on every case; `progress(n)` is called after each n verdicts."""
    started = time.time()
    clock = time.perf_counter()
    groups = scoring_groups(cases)
    outcomes: list[Outcome] = []
    for system in line.systems:
        for case, verdict in zip(cases, system.judge(cases), strict=True):
            outcomes.append(
                Outcome(
                    dataset=groups[(case.dataset, case.id)],
                    case_id=case.id,
                    system=system.name,
                    action=verdict.action,
                    right=verdict.action is not None and case.is_right(verdict.action),
                    harmful=case.label.harmful,
                    category=case.label.category,
                    subculture=case.label.subculture,
                    kind=case.kind,
                    language=case.language,
                    mode=case.mode,
                    pair=case.pair,
                    acceptable=case.label.acceptable,
                    latency_ms=verdict.latency_ms,
                    rule=verdict.rule,
                    reasons=verdict.reasons,
                    error=verdict.error,
                    sandboxed=verdict.sandboxed,
                    unread=verdict.unread,
                )
            )
            if progress is not None:
                progress(1)
    grouped: dict[str, dict[str, list[Outcome]]] = defaultdict(lambda: defaultdict(list))
    for outcome in outcomes:
        grouped[outcome.dataset][outcome.system].append(outcome)
    scores = {
        dataset: {system: score(rows) for system, rows in by_system.items()}
        for dataset, by_system in grouped.items()
    }
    return BenchRun(
        cases=list(cases),
        lineup=line,
        outcomes=outcomes,
        scores=scores,
        command=command,
        started=started,
        seconds=time.perf_counter() - clock,
        groups=groups,
    )


def summary(run: BenchRun) -> dict[str, Any]:
    """summary.json: the run's facts and every score, as plain JSON."""
    return {
        "command": run.command,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(run.started)),
        "seconds": round(run.seconds, 1),
        "codeward_version": __version__,
        "host": {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()},
        "sandbox": run.lineup.sandbox_note or None,
        "systems": {
            system.name: {"description": system.description, "note": system.note}
            for system in run.lineup.systems
        },
        "unavailable": run.lineup.unavailable,
        "datasets": {
            dataset: {
                "cases": run.cases_in(dataset),
                "scores": {name: value.model_dump(mode="json") for name, value in by_system.items()},
            }
            for dataset, by_system in run.scores.items()
        },
    }


def write_outputs(run: BenchRun, out: Path) -> list[Path]:
    """Write results.jsonl, summary.json, report.md and the plots into `out`; return the paths written."""
    from codeward.bench.plots import draw_plots
    from codeward.bench.report import render_report

    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.jsonl"
    with results.open("w", encoding="utf-8") as handle:
        for outcome in run.outcomes:
            handle.write(outcome.model_dump_json() + "\n")
    summary_path = out / "summary.json"
    summary_path.write_text(json.dumps(summary(run), indent=2) + "\n", encoding="utf-8")
    plots, plot_problem = draw_plots(run, out)
    report = out / "report.md"
    report.write_text(render_report(run, plots, plot_problem), encoding="utf-8")
    return [results, summary_path, report, *plots]
