"""`codeward bench perf` on a tiny run: the measurements it promises are there (no timing is asserted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from codeward.bench.perf import (
    PerfReport,
    SizePoint,
    measure_sandbox,
    mixed_snippet,
    render_perf,
    run_perf,
    synthetic_policy,
)
from codeward.bench.systems import PatternDenySystem
from codeward.model import Context, Subject


def test_generated_snippets_have_the_asked_number_of_lines() -> None:
    for language in ("python", "bash"):
        for lines in (10, 100, 1_000):
            assert mixed_snippet(lines, language).count("\n") == lines


def test_a_synthetic_policy_has_the_asked_number_of_rules() -> None:
    assert len(synthetic_policy(100)["rules"]) == 100


def test_a_small_perf_run_measures_size_policy_and_ratios_and_says_what_it_left_out(tmp_path: Path) -> None:
    steps: list[str] = []
    report = run_perf(
        quick=True,
        progress=steps.append,
        sizes=(10, 100),
        policy_sizes=(0, 10),
        tools=[(PatternDenySystem(), False)],
        sandbox=False,
    )
    measured = {(point.system, point.language, point.lines) for point in report.size_points}
    assert measured == {
        (system, language, lines)
        for lines in (10, 100)
        for system, language in (
            ("codeward-static", "python"),
            ("codeward-static", "bash"),
            ("pattern-deny", "python"),
        )
    }
    assert all(point.p50_ms > 0 and point.samples >= 2 for point in report.size_points)
    assert set(report.ratios()) == {"pattern-deny"} and set(report.ratios()["pattern-deny"]) == {10, 100}
    assert [policy.rules for policy in report.policy_points] == [0, 10]
    assert report.sandbox_points == []
    assert "sandbox overhead not measured: left out of this run" in report.notes
    text = render_perf(report, [], None)
    assert "| pattern-deny |" in text and "## Policy size" in text and "left out of this run" in text
    assert steps  # progress is reported step by step


def test_growth_exponents_tell_linear_from_quadratic_cost() -> None:
    report = PerfReport(
        size_points=[
            SizePoint("linear", "python", 10, 1.0, 1.0, 3),
            SizePoint("linear", "python", 100, 10.0, 10.0, 3),
            SizePoint("quadratic", "python", 10, 1.0, 1.0, 3),
            SizePoint("quadratic", "python", 100, 100.0, 100.0, 3),
        ]
    )
    assert report.growth() == {"linear": {(10, 100): 1.0}, "quadratic": {(10, 100): 2.0}}
    assert report.to_dict()["growth_exponents"]["quadratic"] == {"10-100": 2.0}


class _Evidence:
    findings: list[Any] = []

    def summary(self) -> dict[str, Any]:
        return {}


class FakeSandbox:
    """Runs nothing; with `warm`, it stands for a backend whose pool starts sandboxes ahead of time."""

    name = "fake"

    def __init__(self, *, warm: int = 0) -> None:
        self.warm = warm
        self.warmed: list[str] = []
        self.closed = False

    def available(self) -> tuple[bool, str]:
        return True, ""

    def run(self, subject: Subject, context: Context, *, timeout: float) -> _Evidence:
        return _Evidence()

    def warm_up(self, language: str) -> None:
        self.warmed.append(language)

    def close(self) -> None:
        self.closed = True


class ColdOnlySandbox(FakeSandbox):
    def __init__(self) -> None:
        super().__init__()


def test_sandbox_overhead_is_measured_cold_and_with_a_warm_pool_when_the_backend_has_one() -> None:
    report = PerfReport()
    measure_sandbox(report, FakeSandbox(), "", True, lambda _: None, warm_pause=0.0)
    assert sorted((point.language, point.start) for point in report.sandbox_points) == [
        ("bash", "cold"),
        ("bash", "warm"),
        ("python", "cold"),
        ("python", "warm"),
    ]
    assert all(point.bare_p50_ms > 0 for point in report.sandbox_points)  # the bare run is real


def test_a_backend_without_a_warm_pool_is_measured_cold_and_the_report_says_so() -> None:
    report = PerfReport()
    measure_sandbox(report, ColdOnlySandbox(), "", True, lambda _: None)
    assert {point.start for point in report.sandbox_points} == {"cold"}
    assert "fake has no warm pool: only cold starts measured" in report.notes
