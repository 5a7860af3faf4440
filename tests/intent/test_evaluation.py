"""The evaluation of intent inference: name-blind manifests, honest metrics, and a valid project corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeward.errors import InputError
from codeward.intent.evaluation import (
    MASK,
    LabelledProject,
    Outcome,
    Report,
    evaluate,
    fit_calibration,
    leave_one_out,
    load_projects,
    mismatches,
)
from codeward.intent.lexicon import INTENTS
from codeward.model import Project

CORPUS = Path(__file__).resolve().parents[2] / "bench" / "projects"


def labelled(name: str, label: str, project: Project, aliases: list[str] | None = None) -> LabelledProject:
    return LabelledProject(
        name=name,
        registry="pypi",
        label=label,
        split="dev",
        why="test",
        aliases=aliases or [],
        project=project,
    )


def test_name_blind_masks_the_project_s_own_names_and_nothing_else() -> None:
    item = labelled(
        "keystone-engine",
        "reverse_engineering",
        Project(
            files=[
                "keystone/__init__.py",
                "keystone_engine.egg-info/PKG-INFO",
                "keystoneish/x.py",
                "docs/asm.md",
            ],
            dependencies=["keystone-engine", "capstone"],
            readme="Keystone is an assembler framework. Keystone's bindings.",
        ),
        aliases=["keystone"],
    )
    blind = item.name_blind()
    assert blind.files == [
        f"{MASK}/__init__.py",
        f"{MASK}.egg-info/PKG-INFO",
        "keystoneish/x.py",
        "docs/asm.md",
    ]
    assert blind.dependencies == ["capstone"]
    assert blind.readme == f"{MASK} is an assembler framework. {MASK}'s bindings."


def test_a_project_known_only_by_its_name_is_not_recognised_name_blind() -> None:
    angr = labelled(
        "angr",
        "reverse_engineering",
        Project(files=["angr/__init__.py", "angr/engine.py"], dependencies=["angr"], readme="angr."),
    )
    assert evaluate([angr], names=True).accuracy == 1.0
    assert evaluate([angr]).outcomes[0].predicted == "general"


def test_accuracy_confusion_and_reliability_are_counted_from_the_outcomes() -> None:
    report = Report(
        [
            Outcome("a", "education", "education", 0.9, 0.9),
            Outcome("b", "education", "general", 0.3, 0.2),
            Outcome("c", "production", "production", 0.95, 0.95),
            Outcome("d", "general", "general", 0.5, 0.5),
        ]
    )
    assert report.accuracy == 0.75
    assert report.confusion()["education"] == {**dict.fromkeys(INTENTS, 0), "education": 1, "general": 1}
    bins = {(row.low, row.count, row.accuracy) for row in report.reliability()}
    assert bins == {(0.2, 1, 0.0), (0.4, 1, 1.0), (0.8, 2, 1.0)}
    # |0 - 0.3| / 4 + |1 - 0.5| / 4 + |1 - 0.925| * 2 / 4
    assert report.expected_calibration_error == pytest.approx(0.2375)


def test_the_calibration_fit_prefers_general_when_the_evidence_is_weak() -> None:
    weak = [labelled(f"lib{i}", "general", Project(files=["src/lesson.py", "setup.py"])) for i in range(5)]
    strong = [
        labelled(f"course{i}", "education", Project(files=["lessons/a.md", "exercises/b.py"]))
        for i in range(5)
    ]
    fitted = fit_calibration(weak + strong)
    report = evaluate(weak + strong, calibration=fitted)
    assert report.accuracy == 1.0
    assert leave_one_out(weak + strong).accuracy == 1.0


def test_a_listing_with_an_unknown_label_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "projects.yaml").write_text(
        "projects:\n  - {registry: pypi, name: x, label: hacking, split: dev, why: y}\n"
    )
    with pytest.raises(InputError, match="unknown label"):
        load_projects(tmp_path)


def test_a_broken_manifest_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "projects.yaml").write_text(
        "projects:\n  - {registry: pypi, name: x, label: general, split: dev, why: y}\n"
    )
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "pypi-x.json").write_text("{not json")
    with pytest.raises(InputError, match=r"pypi-x\.json"):
        load_projects(tmp_path)


def test_the_shipped_corpus_has_at_least_forty_labelled_projects_of_every_intent() -> None:
    projects = load_projects(CORPUS)
    assert len(projects) >= 40
    assert {p.label for p in projects} == set(INTENTS)
    for item in projects:
        stored = json.loads((CORPUS / "manifests" / f"{item.registry}-{item.name}.json").read_text())
        assert stored["label"] == item.label, item.name
        assert item.project.files, item.name
        assert len(item.project.readme) <= 2048, item.name


def test_a_true_declaration_is_never_reported_as_a_mismatch_in_the_corpus() -> None:
    report = mismatches(load_projects(CORPUS))
    assert report.true_reported == []
    assert report.contradicting_reported > 0


def test_a_folder_of_labelled_manifests_is_read_as_a_holdout(tmp_path: Path) -> None:
    manifest = {
        "files": ["lessons/1.md", "exercises/1.py"],
        "dependencies": [],
        "readme": "",
        "label": "education",
    }
    (tmp_path / "course.json").write_text(json.dumps(manifest))
    (projects,) = [load_projects(tmp_path)]
    assert [(p.name, p.label, p.split) for p in projects] == [("course", "education", "holdout")]
    assert evaluate(projects).accuracy == 1.0
    assert load_projects(tmp_path, splits=["dev"]) == []
    (tmp_path / "bad.json").write_text(json.dumps({**manifest, "label": "hacking"}))
    with pytest.raises(InputError, match="label must be one of"):
        load_projects(tmp_path)
