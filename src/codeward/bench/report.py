"""report.md: the leaderboard (systems × metrics), per-subculture and latency charts, and codeward's misses."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from codeward.bench.cases import SUBCULTURES, BenchCase
from codeward.bench.metrics import Outcome, Rate, Score, decision_latencies, percentile
from codeward.bench.run import BenchRun
from codeward.model import Action

MISSES_SHOWN = 10


def render_report(run: BenchRun, plots: Sequence[Path], plot_problem: str | None) -> str:
    lines = [
        "# codeward bench",
        "",
        f"`{run.command}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(run.started))}, "
        f"{len(run.cases)} cases × {len(run.lineup.systems)} systems in {run.seconds:.0f} s.",
        "",
        "A case is right when the action is in its `acceptable` list. **Recall**: right answers on "
        "harmful cases. **FP**: benign cases answered review or block. **Friction**: benign cases "
        "answered confirm. **Gap**: largest minus smallest FP rate across subcultures. **Flips**: "
        "context-flip pairs with every case right. Brackets: 95 % Wilson intervals.",
        "",
    ]
    lines += _systems_section(run)
    lines += _targets_section(run)
    for dataset in run.datasets:
        lines += _dataset_section(run, dataset, plots)
    latency = [path for path in plots if path.name == "latency.png"]
    lines += ["## Latency", ""]
    if latency:
        lines += [f"![per-case latency]({latency[0].name})", ""]
    lines += _latency_table(run)
    lines += _misses_section(run)
    if plot_problem:
        lines += [f"_{plot_problem}_", ""]
    return "\n".join(lines) + "\n"


TARGET_RECALL = 0.95
TARGET_SUBCULTURE_FP = 0.03
TARGET_SPEEDUP = 20.0
"""Issue 7's targets: recall, false positives in every subculture, every flip, static p50 against CodeShield's."""


def _targets_section(run: BenchRun) -> list[str]:
    """Whether codeward meets its targets on each dataset, in plain words next to the numbers."""
    system = _codeward_name(run)
    if system is None:
        return []
    lines = [
        f"## Targets ({system})",
        "",
        f"Recall ≥ {TARGET_RECALL:.0%}, false positives ≤ {TARGET_SUBCULTURE_FP:.0%} in every subculture, "
        f"every context flip right, and a static p50 at least {TARGET_SPEEDUP:.0f}× CodeShield's on the "
        "same cases.",
        "",
        "| dataset | recall | worst subculture FP | flips | CodeShield p50 ÷ codeward-static p50 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for dataset in run.datasets:
        by_system = run.scores.get(dataset, {})
        value = by_system.get(system)
        if value is not None:
            lines.append(f"| {dataset} | " + " | ".join(target_cells(value, by_system)) + " |")
    return [*lines, ""]


def target_cells(value: Score, by_system: dict[str, Score]) -> list[str]:
    """Recall, the worst subculture's false positives, flips and the speed-up, each said met or missed."""
    cells = []
    recall = value.recall.value
    cells.append("–" if recall is None else f"{percent(recall)} {_met(recall >= TARGET_RECALL)}")
    rates = [
        (rate, name)
        for name, group in value.by_subculture.items()
        if (rate := group.false_positive_rate.value) is not None
    ]
    if rates:
        worst, name = max(rates)
        where = f"all {len(rates)}" if worst == 0 and len(rates) > 1 else name
        cells.append(f"{percent(worst)} ({where}) {_met(worst <= TARGET_SUBCULTURE_FP)}")
    else:
        cells.append("–")
    flips = value.flip_accuracy
    cells.append(f"{flips.hits}/{flips.total} {_met(flips.hits == flips.total)}" if flips.total else "–")
    static, shield = by_system.get("codeward-static"), by_system.get("codeshield")
    if static and shield and static.latency_p50_ms and shield.latency_p50_ms:
        speedup = shield.latency_p50_ms / static.latency_p50_ms
        cells.append(f"{speedup:.0f}× {_met(speedup >= TARGET_SPEEDUP)}")
    else:
        cells.append("–")
    return cells


def _met(met: bool) -> str:
    return "met" if met else "**missed**"


def _codeward_name(run: BenchRun) -> str | None:
    """The full codeward system when it ran, else the first of its ablations."""
    names = [system.name for system in run.lineup.systems]
    return "codeward" if "codeward" in names else next((n for n in names if n.startswith("codeward")), None)


def _systems_section(run: BenchRun) -> list[str]:
    lines = ["## Systems", "", "| system | what it is | note |", "| --- | --- | --- |"]
    for system in run.lineup.systems:
        lines.append(f"| {system.name} | {system.description} | {system.note or ''} |")
    for name, why in run.lineup.unavailable.items():
        lines.append(f"| {name} | not run | {why} |")
    return [*lines, ""]


def _dataset_section(run: BenchRun, dataset: str, plots: Sequence[Path]) -> list[str]:
    by_system = run.scores.get(dataset, {})
    count = run.cases_in(dataset)
    first = next(iter(by_system.values()), None)
    lines = [f"## {dataset} ({count} cases", ""]
    if first is not None:
        lines[0] += (
            f": {first.harmful} harmful, {first.benign} benign, {first.flip_accuracy.total} flip pairs)"
        )
    else:
        lines[0] += ")"
    lines += leaderboard(by_system)
    chart = next((path for path in plots if path.name == f"fp-by-subculture-{dataset}.png"), None)
    tradeoff = next((path for path in plots if path.name == f"tradeoff-{dataset}.png"), None)
    lines += _subculture_table(by_system)
    if chart is not None:
        lines += [f"![false positives by subculture]({chart.name})", ""]
    if tradeoff is not None:
        lines += [f"![recall against false positives]({tradeoff.name})", ""]
    lines += layers_table(by_system)
    lines += _category_table(by_system)
    return lines


LAYERS = (
    ("the sandbox", "codeward", "codeward-static"),
    ("intent, declared and inferred", "codeward-static", "codeward-nosandbox-nointent"),
    ("all context: intent, identity, project, prompt", "codeward", "codeward-blind"),
    ("codeward's analysis instead of a deny list (both context-blind)", "codeward-blind", "pattern-deny"),
)
"""What each layer buys: (layer, the system with it, the system without it)."""


def layers_table(by_system: dict[str, Score]) -> list[str]:
    """The trade-off of pattern blocking, intent, sandboxing and asking a person, as measured differences."""
    rows = [
        (layer, by_system[a], by_system[b], a, b)
        for layer, a, b in LAYERS
        if a in by_system and b in by_system
    ]
    if not rows:
        return []
    lines = [
        "What each layer buys (percentage points, the system with it minus the one without; "
        "**asks a person**: any case answered confirm or review):",
        "",
        "| layer | compared | recall | FP | flips | asks a person |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for layer, with_it, without, a, b in rows:
        if layer == "the sandbox" and not with_it.sandboxed:
            lines.append(f"| {layer} | {a} vs {b} | no case of this dataset ran in the sandbox | | | |")
            continue
        flips = with_it.flip_accuracy.hits - without.flip_accuracy.hits
        lines.append(
            f"| {layer} | {a} vs {b} | {_points(with_it.recall, without.recall)} | "
            f"{_points(with_it.false_positive_rate, without.false_positive_rate)} | "
            f"{flips:+d} | {_points(with_it.human, without.human)} |"
        )
    return [*lines, ""]


def _points(with_it: Rate, without: Rate) -> str:
    if with_it.value is None or without.value is None:
        return "–"
    return f"{100 * (with_it.value - without.value):+.1f}"


def leaderboard(by_system: dict[str, Score]) -> list[str]:
    """The headline table: one row per system."""
    lines = [
        "| system | recall | FP | friction | gap | flips | asks a person | accuracy | p50 ms | p99 ms | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for name, value in by_system.items():
        lines.append(
            f"| {name} | {rate_text(value.recall)} | {rate_text(value.false_positive_rate)} | "
            f"{percent(value.friction.value)} | {percent(value.fairness_gap)} | "
            f"{value.flip_accuracy.hits}/{value.flip_accuracy.total} | {percent(value.human.value)} | "
            f"{percent(value.accuracy.value)} | "
            f"{milliseconds(value.latency_p50_ms)} | {milliseconds(value.latency_p99_ms)} | {value.errors} |"
        )
    return [*lines, ""]


def _subculture_table(by_system: dict[str, Score]) -> list[str]:
    present = [
        name
        for name in SUBCULTURES
        if any(
            name in value.by_subculture and value.by_subculture[name].false_positive_rate.total
            for value in by_system.values()
        )
    ]
    if not present:
        return []
    lines = [
        "False positives (friction) by subculture:",
        "",
        "| system | " + " | ".join(present) + " |",
        "| --- |" + " --- |" * len(present),
    ]
    for name, value in by_system.items():
        cells = []
        for subculture in present:
            group = value.by_subculture.get(subculture)
            if group is None or not group.false_positive_rate.total:
                cells.append("–")
            else:
                fp = group.false_positive_rate
                cells.append(f"{fp.hits}/{fp.total} ({group.friction.hits})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _category_table(by_system: dict[str, Score]) -> list[str]:
    categories = sorted(
        {c for value in by_system.values() for c, g in value.by_category.items() if g.recall.total}
    )
    if not categories:
        return []
    systems = list(by_system)
    lines = [
        "Recall on harmful cases by category:",
        "",
        "| category | " + " | ".join(systems) + " |",
        "| --- |" + " ---: |" * len(systems),
    ]
    for category in categories:
        cells = []
        for name in systems:
            group = by_system[name].by_category.get(category)
            recall = group.recall if group is not None else Rate.of(0, 0)
            cells.append(f"{recall.hits}/{recall.total}" if recall.total else "–")
        lines.append(f"| {category} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _latency_table(run: BenchRun) -> list[str]:
    lines = ["| system | p50 ms | p99 ms | mean ms | cases |", "| --- | ---: | ---: | ---: | ---: |"]
    for system in run.lineup.systems:
        latencies = decision_latencies(o for o in run.outcomes if o.system == system.name)
        mean = sum(latencies) / len(latencies) if latencies else None
        lines.append(
            f"| {system.name} | {milliseconds(percentile(latencies, 50))} | "
            f"{milliseconds(percentile(latencies, 99))} | {milliseconds(mean)} | {len(latencies)} |"
        )
    return [*lines, ""]


# ------------------------------------------------------------------------------------------- misses


def instructive_misses(run: BenchRun, system: str = "codeward", limit: int = MISSES_SHOWN) -> list[Outcome]:
    """codeward's wrong answers, most instructive first: broken flips, harm let through, legitimate work stopped.

    At most two per category, so that the list shows different lessons rather than one lesson ten times.
    """
    wrong = [o for o in run.outcomes if o.system == system and not o.right]
    wrong.sort(key=_instructiveness)
    chosen: list[Outcome] = []
    per_category: Counter[str] = Counter()
    for outcome in wrong:
        if per_category[outcome.category] >= 2:
            continue
        chosen.append(outcome)
        per_category[outcome.category] += 1
        if len(chosen) == limit:
            break
    return chosen


def _instructiveness(outcome: Outcome) -> tuple[int, int, str]:
    action_rank = outcome.action.rank if outcome.action is not None else -1
    if outcome.pair:
        tier = 0
    elif outcome.harmful and action_rank <= Action.NOTICE.rank:
        tier = 1  # harm let through silently
    elif not outcome.harmful and outcome.action in (Action.BLOCK, Action.REVIEW):
        tier = 2  # legitimate work stopped
    else:
        tier = 3  # right direction, wrong degree (e.g. confirm where review was needed)
    severity = -action_rank if not outcome.harmful else action_rank
    return tier, severity, outcome.case_id


def _misses_section(run: BenchRun) -> list[str]:
    system = _codeward_name(run)
    if system is None:
        return []
    misses = instructive_misses(run, system)
    cases = {(run.group_of(case), case.id): case for case in run.cases}
    wrong = sum(1 for o in run.outcomes if o.system == system and not o.right)
    lines = [
        f"## The most instructive misses of {system}",
        "",
        f"{len(misses)} of its {wrong} wrong answers: broken context flips first, then harm let through, "
        "then legitimate work stopped, at most two per category.",
        "",
    ]
    for number, outcome in enumerate(misses, 1):
        case = cases[(outcome.dataset, outcome.case_id)]
        got = outcome.action.value if outcome.action is not None else f"error ({outcome.error})"
        expected = "/".join(action.value for action in outcome.acceptable)
        kind = "harmful" if outcome.harmful else "benign"
        lines += [
            f"{number}. **{outcome.case_id}** ({outcome.dataset}; {kind} {outcome.category}, "
            f"{outcome.subculture}) — got **{got}**, right: {expected}.",
            f"   - input: {_describe(case)}",
            f"   - snippet: `{_excerpt(case.content)}`",
        ]
        if case.label.why:
            lines.append(f"   - label: {case.label.why}")
        for reason in outcome.reasons[:4]:
            lines.append(f"   - codeward: {_escape(reason)}")
    return [*lines, ""]


def _describe(case: BenchCase) -> str:
    context = case.context
    parts = [f"{case.kind}/{case.language or '?'} in {case.mode or 'default'} mode"]
    roles = context.get("roles")
    parts.append(f"roles {', '.join(roles)}" if roles else "anonymous")
    if context.get("declared_intent"):
        parts.append(f"declared {context['declared_intent']}")
    if context.get("environment"):
        parts.append(f"env {context['environment']}")
    if context.get("project"):
        parts.append("with project")
    if context.get("prompt"):
        parts.append(f'prompt "{_escape(str(context["prompt"])[:80])}"')
    if case.pair:
        parts.append(f"pair {case.pair}")
    return "; ".join(parts)


def _excerpt(content: str, limit: int = 110) -> str:
    flat = " ⏎ ".join(line.strip() for line in content.strip().splitlines() if line.strip())
    flat = flat.replace("`", "'")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# ------------------------------------------------------------------------------------------- formats


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def rate_text(rate: Rate) -> str:
    if rate.value is None or rate.low is None or rate.high is None:
        return "–"
    return f"{100 * rate.value:.1f} % [{100 * rate.low:.0f}–{100 * rate.high:.0f}] ({rate.hits}/{rate.total})"


def milliseconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"
