"""The store's tables as SQLAlchemy Core objects, for queries. Migrations define the schema;
a test holds these to what the migrations create."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("id", String(40), nullable=False, unique=True),
    Column("at_ms", BigInteger, nullable=False, index=True),
    Column("kind", String(40), nullable=False, index=True),
    Column("actor", String(200), nullable=False, index=True),
    Column("ref", String(64), index=True),
    Column("body", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("audit_seq", BigInteger, nullable=False),
    Column("at_ms", BigInteger, nullable=False, index=True),
    Column("actor_id", String(200), nullable=False, index=True),
    Column("actor_verified", Boolean, nullable=False),
    Column("action", String(16), nullable=False, index=True),
    Column("risk", Integer, nullable=False),
    Column("intent", String(64), nullable=False, index=True),
    Column("subculture", String(64), nullable=False),
    Column("language", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("session_id", String(200)),
    Column("policy_id", String(100), nullable=False),
    Column("policy_version", String(100), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("latency_ms", Float, nullable=False),
    Column("review_id", String(40)),
    Index("ix_decisions_session_at", "session_id", "at_ms"),
    Index("ix_decisions_session_seq", "session_id", "audit_seq"),
)

decision_capabilities = Table(
    "decision_capabilities",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column("capability", String(100), primary_key=True, index=True),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("decision_id", String(64), nullable=False, index=True),
    Column("reason", String(16), nullable=False),
    Column("appeal_id", String(40)),
    Column("status", String(16), nullable=False, index=True),
    Column("capabilities", Text, nullable=False),
    Column("requester_id", String(200), nullable=False),
    Column("opened_at_ms", BigInteger, nullable=False),
    Column("decided_at_ms", BigInteger),
    Column("decided_by", String(200)),
    Column("comment", Text),
)

appeals = Table(
    "appeals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("decision_id", String(64), nullable=False, index=True),
    Column("appellant_id", String(200), nullable=False),
    Column("why", Text, nullable=False),
    Column("expect", Text, nullable=False),
    Column("filed_at_ms", BigInteger, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("review_id", String(40), nullable=False),
)

overrides = Table(
    "overrides",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("decision_id", String(64), nullable=False, index=True),
    Column("action", String(16), nullable=False),
    Column("why", Text, nullable=False),
    Column("granted_by", String(200), nullable=False),
    Column("granted_at_ms", BigInteger, nullable=False),
    Column("until_ms", BigInteger, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("actor", Text, nullable=False),
    Column("label", String(200), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("revoked_at_ms", BigInteger),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("actor", Text, nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("expires_at_ms", BigInteger, nullable=False, index=True),
)

# Running counts behind /metrics, kept in the transaction that records each decision, so that a
# scrape reads a few hundred rows however many decisions the store holds.
metric_totals = Table(
    "metric_totals",
    metadata,
    Column("action", String(16), primary_key=True),
    Column("capability", String(100), primary_key=True),
    Column("intent", String(64), primary_key=True),
    Column("subculture", String(64), primary_key=True),
    Column("decisions", BigInteger, nullable=False),
)

metric_latency = Table(
    "metric_latency",
    metadata,
    Column("le", String(16), primary_key=True),
    Column("decisions", BigInteger, nullable=False),
    Column("sum_ms", Float, nullable=False),
)

metric_windows = Table(
    "metric_windows",
    metadata,
    Column("slot_ms", BigInteger, primary_key=True),
    Column("intent", String(64), primary_key=True),
    Column("decisions", BigInteger, nullable=False),
    Column("reviews", BigInteger, nullable=False),
    Column("blocks", BigInteger, nullable=False),
)
