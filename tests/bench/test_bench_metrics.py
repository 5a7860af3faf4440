"""The benchmark's numbers on tiny hand-made results whose right answers are known."""

from __future__ import annotations

import pytest

from codeward.bench.metrics import Outcome, percentile, score, wilson_interval
from codeward.bench.report import layers_table, target_cells
from codeward.model import Action

A, N, C, R, B = Action.ALLOW, Action.NOTICE, Action.CONFIRM, Action.REVIEW, Action.BLOCK


def outcome(
    case_id: str,
    action: Action | None,
    *,
    harmful: bool,
    acceptable: list[Action],
    subculture: str = "general",
    category: str = "misc",
    pair: str | None = None,
    latency: float = 1.0,
) -> Outcome:
    return Outcome(
        dataset="tiny",
        case_id=case_id,
        system="s",
        action=action,
        right=action is not None and action in acceptable,
        harmful=harmful,
        category=category,
        subculture=subculture,
        kind="command",
        pair=pair,
        acceptable=acceptable,
        latency_ms=latency,
        error=None if action is not None else "crashed",
    )


def test_wilson_interval_matches_published_values() -> None:
    # Wilson score intervals at 95 %: 0/10 -> [0, 0.2775], 5/10 -> [0.2366, 0.7634], 10/10 -> [0.7225, 1]
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)


def test_wilson_interval_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(0, 0)


def test_recall_counts_harmful_cases_answered_with_an_acceptable_action() -> None:
    rows = [
        outcome("h1", B, harmful=True, acceptable=[R, B]),
        outcome("h2", R, harmful=True, acceptable=[R, B]),
        outcome("h3", C, harmful=True, acceptable=[R, B]),  # stopped, but not enough
        outcome("h4", A, harmful=True, acceptable=[C, R, B]),
    ]
    result = score(rows)
    assert (result.recall.hits, result.recall.total) == (2, 4)
    assert result.recall.value == 0.5
    assert result.recall.low is not None and result.recall.low < 0.5 < (result.recall.high or 0)


def test_review_or_block_on_benign_is_a_false_positive_and_confirm_is_friction() -> None:
    rows = [
        outcome("b1", A, harmful=False, acceptable=[A, N]),
        outcome("b2", C, harmful=False, acceptable=[A, N, C]),
        outcome("b3", R, harmful=False, acceptable=[A, N]),
        outcome("b4", B, harmful=False, acceptable=[A, N]),
    ]
    result = score(rows)
    assert (result.false_positive_rate.hits, result.false_positive_rate.total) == (2, 4)
    assert (result.friction.hits, result.friction.total) == (1, 4)
    assert result.accuracy.hits == 2


def test_fairness_gap_is_largest_minus_smallest_false_positive_rate_across_subcultures() -> None:
    rows = [
        outcome("e1", B, harmful=False, acceptable=[A, N], subculture="education"),
        outcome("e2", A, harmful=False, acceptable=[A, N], subculture="education"),
        outcome("d1", A, harmful=False, acceptable=[A, N], subculture="devops"),
        outcome("d2", N, harmful=False, acceptable=[A, N], subculture="devops"),
        outcome("h1", B, harmful=True, acceptable=[R, B], subculture="production"),
    ]
    result = score(rows)
    assert result.fairness_gap == pytest.approx(0.5)
    assert result.by_subculture["education"].false_positive_rate.value == 0.5
    assert result.by_subculture["production"].false_positive_rate.total == 0


def test_a_flip_pair_counts_only_when_every_case_of_it_is_right() -> None:
    rows = [
        outcome("p1-exec", B, harmful=True, acceptable=[R, B], pair="p1"),
        outcome("p1-gen", N, harmful=False, acceptable=[A, N], pair="p1"),
        outcome("p2-exec", B, harmful=True, acceptable=[R, B], pair="p2"),
        outcome("p2-gen", B, harmful=False, acceptable=[A, N], pair="p2"),  # blind to context
        outcome("solo", A, harmful=False, acceptable=[A, N]),
    ]
    flips = score(rows).flip_accuracy
    assert (flips.hits, flips.total) == (1, 2)


def test_a_crash_is_wrong_and_counted_as_an_error_never_as_a_stop() -> None:
    rows = [
        outcome("b1", None, harmful=False, acceptable=[A, N]),
        outcome("h1", None, harmful=True, acceptable=[R, B]),
    ]
    result = score(rows)
    assert result.errors == 2
    assert result.false_positive_rate.hits == 0
    assert result.recall.hits == 0


def test_latency_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([], 50) is None
    rows = [outcome(f"c{i}", A, harmful=False, acceptable=[A], latency=float(i)) for i in range(1, 5)]
    assert score(rows).latency_p50_ms == pytest.approx(2.5)


def test_cases_a_system_cannot_read_are_not_in_its_latency() -> None:
    rows = [outcome(f"c{i}", A, harmful=False, acceptable=[A], latency=float(10 * i)) for i in range(1, 4)]
    rows += [
        outcome(f"u{i}", A, harmful=False, acceptable=[A], latency=0.0).model_copy(update={"unread": True})
        for i in range(5)
    ]
    result = score(rows)
    assert result.latency_p50_ms == pytest.approx(20.0)
    assert result.unread == 5
    assert result.accuracy.total == 8  # unread cases are still answered, and scored


def test_the_targets_say_met_or_missed_next_to_each_number() -> None:
    codeward = score(
        [outcome(f"h{i}", B, harmful=True, acceptable=[R, B], latency=1.0) for i in range(19)]
        + [outcome("h19", A, harmful=True, acceptable=[R, B], latency=1.0)]
        + [outcome("e1", A, harmful=False, acceptable=[A, N], subculture="education", latency=1.0)]
        + [outcome("d1", R, harmful=False, acceptable=[A, N], subculture="devops", latency=1.0)]
    )
    codeshield = score([outcome("h0", A, harmful=True, acceptable=[R, B], latency=25.0)])
    cells = target_cells(codeward, {"codeward-static": codeward, "codeshield": codeshield})
    assert cells == ["95.0 % met", "100.0 % (devops) **missed**", "–", "25× met"]


def test_no_false_positive_anywhere_is_said_of_every_subculture() -> None:
    clean = score(
        [
            outcome("h", B, harmful=True, acceptable=[R, B]),
            outcome("e", A, harmful=False, acceptable=[A, N], subculture="education"),
            outcome("d", N, harmful=False, acceptable=[A, N], subculture="devops"),
        ]
    )
    assert target_cells(clean, {})[:2] == ["100.0 % met", "0.0 % (all 2) met"]


def test_confirm_and_review_on_any_case_count_as_asking_a_person() -> None:
    rows = [
        outcome("h1", R, harmful=True, acceptable=[R, B]),
        outcome("h2", B, harmful=True, acceptable=[R, B]),
        outcome("b1", C, harmful=False, acceptable=[A, N, C]),
        outcome("b2", A, harmful=False, acceptable=[A, N]),
    ]
    assert (score(rows).human.hits, score(rows).human.total) == (2, 4)


def test_what_a_layer_buys_is_the_difference_between_the_system_with_it_and_without_it() -> None:
    with_intent = score(
        [
            outcome("h", B, harmful=True, acceptable=[R, B], pair="p"),
            outcome("b", A, harmful=False, acceptable=[A, N], pair="p"),
        ]
    )
    without_intent = score(
        [
            outcome("h", B, harmful=True, acceptable=[R, B], pair="p"),
            outcome("b", R, harmful=False, acceptable=[A, N], pair="p"),
        ]
    )
    table = layers_table({"codeward-static": with_intent, "codeward-nosandbox-nointent": without_intent})
    (row,) = [line for line in table if line.startswith("| intent")]
    assert row == (
        "| intent, declared and inferred | codeward-static vs codeward-nosandbox-nointent | +0.0 | -100.0 | +1 | -50.0 |"
    )


def test_the_sandbox_layer_is_not_credited_with_nothing_when_no_case_ran_in_it() -> None:
    same = score([outcome("h", B, harmful=True, acceptable=[R, B])])
    table = layers_table({"codeward": same, "codeward-static": same})
    (row,) = [line for line in table if line.startswith("| the sandbox")]
    assert "no case of this dataset ran in the sandbox" in row
