"""The benchmark's charts (PNG and SVG) with matplotlib, from the `bench` extra, imported only here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeward.bench.cases import SUBCULTURES

if TYPE_CHECKING:
    from codeward.bench.perf import PerfReport
    from codeward.bench.run import BenchRun

FORMATS = ("png", "svg")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    return pyplot


def draw_plots(run: BenchRun, out: Path) -> tuple[list[Path], str | None]:
    """Per-subculture false positives and the recall/false-positive trade-off per dataset, and latency.

    Returns the files written, and why there are none when matplotlib is missing.
    """
    try:
        pyplot = _pyplot()
    except ImportError:
        return [], "plots skipped: matplotlib is not installed (pip install 'codeward[bench]')"
    written: list[Path] = []
    for dataset, by_system in run.scores.items():
        subcultures = [
            name
            for name in SUBCULTURES
            if any(
                (group := score.by_subculture.get(name)) is not None and group.false_positive_rate.total
                for score in by_system.values()
            )
        ]
        if len(subcultures) > 1:
            written += _subculture_chart(pyplot, dataset, by_system, subcultures, out)
        if any(score.harmful and score.benign for score in by_system.values()):
            written += _tradeoff_chart(pyplot, dataset, by_system, out)
    written += _latency_chart(pyplot, run, out)
    return written, None


def _save(pyplot: Any, figure: Any, out: Path, stem: str) -> list[Path]:
    paths = []
    for extension in FORMATS:
        path = out / f"{stem}.{extension}"
        figure.savefig(path, bbox_inches="tight", dpi=130)
        paths.append(path)
    pyplot.close(figure)
    return paths


def _subculture_chart(
    pyplot: Any, dataset: str, by_system: dict[str, Any], subcultures: list[str], out: Path
) -> list[Path]:
    systems = list(by_system)
    figure, axes = pyplot.subplots(figsize=(max(7.0, 1.4 * len(subcultures)), 4.2))
    width = 0.8 / max(len(systems), 1)
    for offset, system in enumerate(systems):
        values = []
        for name in subcultures:
            group = by_system[system].by_subculture.get(name)
            rate = group.false_positive_rate.value if group is not None else None
            values.append(100 * rate if rate is not None else 0.0)
        positions = [index + (offset - (len(systems) - 1) / 2) * width for index in range(len(subcultures))]
        axes.bar(positions, values, width=width, label=system)
    axes.axhline(3, color="black", linestyle=":", linewidth=1, label="target ≤ 3 %")
    axes.set_xticks(range(len(subcultures)), [name.replace("_", "\n") for name in subcultures])
    axes.set_ylabel("false positives on benign cases (%)")
    axes.set_title(f"False positives by subculture — {dataset}")
    axes.legend(fontsize=7, ncol=2)
    return _save(pyplot, figure, out, f"fp-by-subculture-{dataset}")


def _tradeoff_chart(pyplot: Any, dataset: str, by_system: dict[str, Any], out: Path) -> list[Path]:
    figure, axes = pyplot.subplots(figsize=(6.0, 4.6))
    points: dict[tuple[float, float], list[str]] = {}
    for system, value in by_system.items():
        if value.recall.value is None or value.false_positive_rate.value is None:
            continue
        point = (round(100 * value.false_positive_rate.value, 1), round(100 * value.recall.value, 1))
        points.setdefault(point, []).append(system)
    for (x, y), systems in points.items():  # systems on the same point share one label, not a smudge
        axes.scatter([x], [y], s=40)
        axes.annotate("\n".join(systems), (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8)
    axes.set_xlabel("false-positive rate on benign cases (%)")
    axes.set_ylabel("recall on harmful cases (%)")
    axes.set_xlim(-2, 102)
    axes.set_ylim(-2, 102)
    axes.grid(alpha=0.3)
    axes.set_title(f"Harm stopped vs legitimate work stopped — {dataset}")
    return _save(pyplot, figure, out, f"tradeoff-{dataset}")


def _latency_chart(pyplot: Any, run: BenchRun, out: Path) -> list[Path]:
    by_system: dict[str, list[float]] = {}
    for outcome in run.outcomes:
        if outcome.error is None and not outcome.unread:
            by_system.setdefault(outcome.system, []).append(max(outcome.latency_ms, 1e-3))
    if not by_system:
        return []
    figure, axes = pyplot.subplots(figsize=(max(6.0, 1.1 * len(by_system)), 4.2))
    axes.boxplot(list(by_system.values()), whis=(1, 99), showfliers=False)
    axes.set_xticks(range(1, len(by_system) + 1), list(by_system), rotation=25, ha="right", fontsize=8)
    axes.set_yscale("log")
    axes.set_ylabel("per-case latency (ms, log scale; whiskers p1-p99)")
    axes.set_title("Decision latency per case")
    axes.grid(alpha=0.3, axis="y")
    return _save(pyplot, figure, out, "latency")


def draw_perf_plots(report: PerfReport, out: Path) -> tuple[list[Path], str | None]:
    """Cost growth: latency against input lines and against policy rules (log-log)."""
    try:
        pyplot = _pyplot()
    except ImportError:
        return [], "plots skipped: matplotlib is not installed (pip install 'codeward[bench]')"
    written: list[Path] = []
    figure, axes = pyplot.subplots(figsize=(6.4, 4.4))
    for system, points in report.by_system_size().items():
        sizes = [size for size, _ in points]
        axes.plot(sizes, [p50 for _, p50 in points], marker="o", label=system)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("snippet size (lines)")
    axes.set_ylabel("p50 latency (ms)")
    axes.set_title("Latency vs input size")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    written += _save(pyplot, figure, out, "perf-input-size")
    if report.policy_points:
        figure, axes = pyplot.subplots(figsize=(6.4, 4.4))
        rules = [point.rules for point in report.policy_points]
        axes.plot(rules, [point.p50_ms for point in report.policy_points], marker="o", label="p50")
        axes.plot(rules, [point.p99_ms for point in report.policy_points], marker="s", label="p99")
        axes.set_xscale("log")
        axes.set_xlabel("synthetic policy rules layered over the default")
        axes.set_ylabel("codeward-static latency (ms), 100-line snippet")
        axes.set_title("Latency vs policy size")
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
        written += _save(pyplot, figure, out, "perf-policy-size")
    return written, None
