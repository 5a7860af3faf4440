"""`GET /metrics` in the Prometheus text format, computed from the shared store so that every
replica reports the same numbers.

A decision with several capabilities is counted once under each in `codeward_decisions_total`;
`codeward_decision_latency_seconds_count` counts decisions once.
"""

from __future__ import annotations

from codeward.store.records import MetricsSnapshot


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{name}="{_label(value)}"' for name, value in labels.items()) + "}"


def exposition(snapshot: MetricsSnapshot) -> str:
    lines = [
        "# HELP codeward_decisions_total Decisions recorded, by action, capability, intent and subculture.",
        "# TYPE codeward_decisions_total counter",
    ]
    for action, capability, intent, subculture, count in sorted(snapshot.decisions):
        labels = _labels(action=action, capability=capability, intent=intent, subculture=subculture)
        lines.append(f"codeward_decisions_total{labels} {count}")
    lines += [
        "# HELP codeward_decision_latency_seconds Time the engine took per decision.",
        "# TYPE codeward_decision_latency_seconds histogram",
    ]
    for bound, count in snapshot.latency_buckets:
        lines.append(f'codeward_decision_latency_seconds_bucket{{le="{bound:g}"}} {count}')
    lines += [
        f'codeward_decision_latency_seconds_bucket{{le="+Inf"}} {snapshot.latency_count}',
        f"codeward_decision_latency_seconds_sum {snapshot.latency_sum_seconds:.6f}",
        f"codeward_decision_latency_seconds_count {snapshot.latency_count}",
        "# HELP codeward_review_queue_depth Review items waiting for a reviewer.",
        "# TYPE codeward_review_queue_depth gauge",
        f"codeward_review_queue_depth {snapshot.pending_reviews}",
        "# HELP codeward_intent_decisions Decisions per intent in the trailing window.",
        "# TYPE codeward_intent_decisions gauge",
    ]
    rates: list[str] = []
    for window, intent, decisions, reviews, blocks in sorted(snapshot.windows):
        labels = _labels(window=window, intent=intent)
        lines.append(f"codeward_intent_decisions{labels} {decisions}")
        rates.append(f"codeward_intent_block_rate{labels} {blocks / decisions if decisions else 0:.6f}")
        rates.append(f"codeward_intent_review_rate{labels} {reviews / decisions if decisions else 0:.6f}")
    lines += [
        "# HELP codeward_intent_block_rate Share of decisions per intent that were block, in the trailing window.",
        "# TYPE codeward_intent_block_rate gauge",
        *[r for r in rates if r.startswith("codeward_intent_block_rate")],
        "# HELP codeward_intent_review_rate Share of decisions per intent held for review, in the trailing window.",
        "# TYPE codeward_intent_review_rate gauge",
        *[r for r in rates if r.startswith("codeward_intent_review_rate")],
    ]
    return "\n".join(lines) + "\n"
