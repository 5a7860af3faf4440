"""The first schema: the audit chain and its head, the decision index, reviews, appeals, overrides,
API keys and dashboard sessions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(sa.text(f"INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '{GENESIS}')"))
    op.create_table(
        "audit",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("ref", sa.String(64)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    for column in ("at_ms", "kind", "actor", "ref"):
        op.create_index(f"ix_audit_{column}", "audit", [column])
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("audit_seq", sa.BigInteger, nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("actor_verified", sa.Boolean, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("risk", sa.Integer, nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("subculture", sa.String(64), nullable=False),
        sa.Column("language", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("session_id", sa.String(200)),
        sa.Column("policy_id", sa.String(100), nullable=False),
        sa.Column("policy_version", sa.String(100), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("review_id", sa.String(40)),
    )
    for column in ("at_ms", "actor_id", "action", "intent", "session_id"):
        op.create_index(f"ix_decisions_{column}", "decisions", [column])
    op.create_table(
        "decision_capabilities",
        sa.Column("decision_id", sa.String(64), primary_key=True),
        sa.Column("capability", sa.String(100), primary_key=True),
    )
    op.create_index("ix_decision_capabilities_capability", "decision_capabilities", ["capability"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("appeal_id", sa.String(40)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("capabilities", sa.Text, nullable=False),
        sa.Column("requester_id", sa.String(200), nullable=False),
        sa.Column("opened_at_ms", sa.BigInteger, nullable=False),
        sa.Column("decided_at_ms", sa.BigInteger),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("comment", sa.Text),
    )
    op.create_index("ix_reviews_decision_id", "reviews", ["decision_id"])
    op.create_index("ix_reviews_status", "reviews", ["status"])
    op.create_table(
        "appeals",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("appellant_id", sa.String(200), nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("expect", sa.Text, nullable=False),
        sa.Column("filed_at_ms", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("review_id", sa.String(40), nullable=False),
    )
    op.create_index("ix_appeals_decision_id", "appeals", ["decision_id"])
    op.create_index("ix_appeals_status", "appeals", ["status"])
    op.create_table(
        "overrides",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("granted_by", sa.String(200), nullable=False),
        sa.Column("granted_at_ms", sa.BigInteger, nullable=False),
        sa.Column("until_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_overrides_decision_id", "overrides", ["decision_id"])
    op.create_table(
        "api_keys",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at_ms", sa.BigInteger),
    )
    op.create_table(
        "web_sessions",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger, nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_web_sessions_expires_at_ms", "web_sessions", ["expires_at_ms"])


def downgrade() -> None:
    for table in (
        "web_sessions",
        "api_keys",
        "overrides",
        "appeals",
        "reviews",
        "decision_capabilities",
        "decisions",
        "audit",
        "chain_head",
    ):
        op.drop_table(table)
