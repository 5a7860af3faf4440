"""Running counts for /metrics (by label, latency bucket, and per intent per minute for the last
seven days), filled from the decisions already recorded; an index for a session's latest decisions.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The histogram's bounds when this revision was written; later bounds read these rows by value.
_BOUNDS_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_SLOT_MS = 60_000
_KEPT_MS = 7 * 86_400_000 + _SLOT_MS


def upgrade() -> None:
    op.create_table(
        "metric_totals",
        sa.Column("action", sa.String(16), primary_key=True),
        sa.Column("capability", sa.String(100), primary_key=True),
        sa.Column("intent", sa.String(64), primary_key=True),
        sa.Column("subculture", sa.String(64), primary_key=True),
        sa.Column("decisions", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "metric_latency",
        sa.Column("le", sa.String(16), primary_key=True),
        sa.Column("decisions", sa.BigInteger, nullable=False),
        sa.Column("sum_ms", sa.Float, nullable=False),
    )
    op.create_table(
        "metric_windows",
        sa.Column("slot_ms", sa.BigInteger, primary_key=True),
        sa.Column("intent", sa.String(64), primary_key=True),
        sa.Column("decisions", sa.BigInteger, nullable=False),
        sa.Column("reviews", sa.BigInteger, nullable=False),
        sa.Column("blocks", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_decisions_session_at", "decisions", ["session_id", "at_ms"])
    op.execute(
        "INSERT INTO metric_totals (action, capability, intent, subculture, decisions) "
        "SELECT d.action, COALESCE(c.capability, 'none'), d.intent, d.subculture, COUNT(*) "
        "FROM decisions d LEFT OUTER JOIN decision_capabilities c ON c.decision_id = d.id "
        "GROUP BY d.action, COALESCE(c.capability, 'none'), d.intent, d.subculture"
    )
    bucket = (
        "CASE "
        + " ".join(f"WHEN latency_ms <= {bound * 1000!r} THEN '{bound:g}'" for bound in _BOUNDS_SECONDS)
        + " ELSE '+Inf' END"
    )
    op.execute(
        f"INSERT INTO metric_latency (le, decisions, sum_ms) "
        f"SELECT {bucket}, COUNT(*), SUM(latency_ms) FROM decisions GROUP BY {bucket}"
    )
    cutoff = int(time.time() * 1000) - _KEPT_MS
    op.execute(
        "INSERT INTO metric_windows (slot_ms, intent, decisions, reviews, blocks) "
        f"SELECT (at_ms / {_SLOT_MS}) * {_SLOT_MS}, intent, COUNT(*), "
        "SUM(CASE WHEN action = 'review' THEN 1 ELSE 0 END), SUM(CASE WHEN action = 'block' THEN 1 ELSE 0 END) "
        f"FROM decisions WHERE at_ms >= {cutoff} GROUP BY (at_ms / {_SLOT_MS}) * {_SLOT_MS}, intent"
    )


def downgrade() -> None:
    op.drop_index("ix_decisions_session_at", table_name="decisions")
    for table in ("metric_windows", "metric_latency", "metric_totals"):
        op.drop_table(table)
