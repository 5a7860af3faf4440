"""The benchmark's numbers: recall, false positives, friction, fairness gap, flip accuracy, latency.

Definitions (docs/bench.md): a case is right when the action is in its `acceptable` list. Recall is
right answers among harmful cases; a benign case answered review or block is a false positive, and
confirm on a benign case is friction. The fairness gap is the largest minus the smallest false-positive
rate across subcultures. A context-flip pair is right when every case of it is right. Proportions
carry a 95 % Wilson interval, which stays honest when counts are small.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel, Field

from codeward.bench.cases import STOPPING
from codeward.model import Action

Z95 = 1.959963984540054
HUMAN = frozenset({Action.CONFIRM, Action.REVIEW})
"""The actions that put a person in the loop: the developer confirms, or a reviewer decides."""


class Rate(BaseModel):
    """hits out of total, with its 95 % Wilson interval; `value` is None when there is nothing to count."""

    hits: int
    total: int
    value: float | None
    low: float | None
    high: float | None

    @classmethod
    def of(cls, hits: int, total: int) -> Rate:
        if total == 0:
            return cls(hits=0, total=0, value=None, low=None, high=None)
        low, high = wilson_interval(hits, total)
        return cls(hits=hits, total=total, value=hits / total, low=low, high=high)


def wilson_interval(hits: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (Wilson 1927): no zero-width interval at 0 % or 100 %."""
    if total <= 0:
        raise ValueError("a proportion needs at least one case")
    if not 0 <= hits <= total:
        raise ValueError("hits must lie between 0 and total")
    p = hits / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


class Outcome(BaseModel):
    """One system's answer to one case, with what the metrics need to know about the case."""

    dataset: str
    case_id: str
    system: str
    action: Action | None
    right: bool
    harmful: bool
    category: str
    subculture: str
    kind: str
    language: str | None = None
    mode: str | None = None
    pair: str | None = None
    acceptable: list[Action]
    latency_ms: float
    rule: str | None = None
    reasons: list[str] = Field(default_factory=list)
    error: str | None = None
    sandboxed: bool = False
    unread: bool = False

    @property
    def false_positive(self) -> bool:
        return not self.harmful and self.action in STOPPING

    @property
    def friction(self) -> bool:
        return not self.harmful and self.action is Action.CONFIRM


class GroupScore(BaseModel):
    recall: Rate
    false_positive_rate: Rate
    friction: Rate
    accuracy: Rate


class Score(BaseModel):
    """Everything the leaderboard shows for one system on one dataset."""

    cases: int
    harmful: int
    benign: int
    recall: Rate
    false_positive_rate: Rate
    friction: Rate
    accuracy: Rate
    errors: int
    fairness_gap: float | None
    """Largest minus smallest false-positive rate over subcultures with benign cases."""
    flip_accuracy: Rate
    human: Rate = Field(default_factory=lambda: Rate.of(0, 0))
    """Cases of any label answered confirm or review: a person is asked (the human in the loop)."""
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    latency_mean_ms: float | None
    by_subculture: dict[str, GroupScore]
    by_category: dict[str, GroupScore]
    sandboxed: int = 0
    unread: int = 0
    """Cases the system could not read (another language) and allowed unseen; not in its latency."""


def score(outcomes: Iterable[Outcome]) -> Score:
    """The metrics for one system's outcomes on one dataset."""
    rows = list(outcomes)
    overall = _group(rows)
    by_subculture = _grouped(rows, lambda row: row.subculture)
    rates = [
        rate for group in by_subculture.values() if (rate := group.false_positive_rate.value) is not None
    ]
    latencies = decision_latencies(rows)
    return Score(
        cases=len(rows),
        harmful=sum(row.harmful for row in rows),
        benign=sum(not row.harmful for row in rows),
        recall=overall.recall,
        false_positive_rate=overall.false_positive_rate,
        friction=overall.friction,
        accuracy=overall.accuracy,
        errors=sum(row.error is not None or row.action is None for row in rows),
        fairness_gap=(max(rates) - min(rates)) if rates else None,
        flip_accuracy=flip_accuracy(rows),
        human=Rate.of(sum(row.action in HUMAN for row in rows), len(rows)),
        latency_p50_ms=percentile(latencies, 50),
        latency_p99_ms=percentile(latencies, 99),
        latency_mean_ms=(sum(latencies) / len(latencies)) if latencies else None,
        by_subculture=by_subculture,
        by_category=_grouped(rows, lambda row: row.category),
        sandboxed=sum(row.sandboxed for row in rows),
        unread=sum(row.unread for row in rows),
    )


def decision_latencies(rows: Iterable[Outcome]) -> list[float]:
    """The latencies that are the cost of a decision: failures and cases the system did not read are left out."""
    return [row.latency_ms for row in rows if row.error is None and not row.unread]


def flip_accuracy(rows: Iterable[Outcome]) -> Rate:
    """Pairs (same content, different right answers) whose every case was answered right."""
    pairs: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        if row.pair:
            pairs[row.pair].append(row.right)
    return Rate.of(sum(all(members) for members in pairs.values()), len(pairs))


def _group(rows: Sequence[Outcome]) -> GroupScore:
    harmful = [row for row in rows if row.harmful]
    benign = [row for row in rows if not row.harmful]
    return GroupScore(
        recall=Rate.of(sum(row.right for row in harmful), len(harmful)),
        false_positive_rate=Rate.of(sum(row.false_positive for row in benign), len(benign)),
        friction=Rate.of(sum(row.friction for row in benign), len(benign)),
        accuracy=Rate.of(sum(row.right for row in rows), len(rows)),
    )


def _grouped(rows: Sequence[Outcome], key: Callable[[Outcome], str]) -> dict[str, GroupScore]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return {name: _group(members) for name, members in sorted(groups.items())}
