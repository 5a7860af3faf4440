"""The store's write path, written once as plain SQL over a tiny statement interface.

Both the service (through SQLAlchemy) and `codeward check` (through the standard library's
sqlite3, which avoids a SQLAlchemy import on every command) append through these functions, so a
decision is recorded and chained the same way whichever door it came through.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from codeward.errors import StoreError
from codeward.model import Action, Context, Decision, FindingSource, Subject
from codeward.redaction import may_hold_secret, redact
from codeward.store.chain import canonical_json, record_hash
from codeward.store.records import AuditKind, AuditRecord, ReviewReason, ReviewStatus

HEAD_REVISION = "0003"
"""The Alembic revision this code writes; a store at another revision is migrated on open."""

_NOT_BEHAVIOUR = {FindingSource.ENGINE, FindingSource.INTENT}


class Statements(Protocol):
    """One open transaction: run SQL with `:name` parameters."""

    dialect: str
    """`sqlite` or `postgresql`."""

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]: ...

    def run(self, sql: str, params: Mapping[str, Any]) -> int:
        """Execute; return the number of rows changed (-1 in a pipelined transaction: not known yet)."""
        ...

    def run_many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None: ...


class DriverStatements:
    """`Statements` on a database driver's own cursor (sqlite3 or psycopg), in the transaction its
    caller opened: `codeward check` through sqlite3 alone, the service on its pooled connections.
    The ledger's statements are plain SQL with plain parameters, for which SQLAlchemy's statement
    and result machinery cost more than the database did: on SQLite, 9.3 µs of CPU for an INSERT
    against 0.9 µs on the cursor, and 74 µs against 28 µs to read 100 rows (a dozen statements per
    decision)."""

    def __init__(self, cursor: Any, dialect: str) -> None:
        self.dialect = dialect
        self._cursor = cursor
        self._native = dialect == "sqlite"
        """sqlite3 takes `:name` parameters as written; psycopg wants `%(name)s`."""

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        self._cursor.execute(self._sql(sql), params)
        return list(self._cursor.fetchall())

    def run(self, sql: str, params: Mapping[str, Any]) -> int:
        self._cursor.execute(self._sql(sql), params)
        return int(self._cursor.rowcount)

    def run_many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None:
        if params:
            self._cursor.executemany(self._sql(sql), params)

    def _sql(self, sql: str) -> str:
        return sql if self._native else _pyformat(sql)


_NAMED_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@functools.lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    """`:name` parameters as psycopg's `%(name)s` (a literal `%` doubled; `::type` casts left alone)."""
    return _NAMED_PARAMETER.sub(r"%(\1)s", sql.replace("%", "%%"))


def new_id(prefix: str, now: float) -> str:
    """A time-ordered id: a kind prefix, 48-bit milliseconds and 64 random bits."""
    return f"{prefix}{int(now * 1000):012x}{secrets.token_hex(8)}"


def redacted(value: Any) -> Any:
    """`value` with every string in it masked of secrets (keys, tokens, passwords).

    A decision holds a few hundred short strings; one scan of them all, joined, tells whether any
    needs masking (a match across a separator only sends it the slow way), so the common record
    costs one regex pass instead of one per string."""
    strings: list[str] = []
    _collect_strings(value, strings)
    if not may_hold_secret("\x00".join(strings)):
        return value
    return _masked(value)


def _collect_strings(value: Any, into: list[str]) -> None:
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect_strings(item, into)
    elif isinstance(value, list):
        for item in value:
            _collect_strings(item, into)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def append(
    tx: Statements, *, kind: str, actor: str, ref: str | None, body: dict[str, Any], now: float
) -> AuditRecord:
    """Add one record at the head of the chain. The head row is locked, so appends never fork."""
    lock = " FOR UPDATE" if tx.dialect == "postgresql" else ""
    head = tx.rows(f"SELECT seq, hash FROM chain_head WHERE id = 1{lock}", {})
    if not head:
        raise StoreError("the audit chain has no head row: the store was not initialised by codeward")
    seq, previous = int(head[0][0]) + 1, str(head[0][1])
    at_ms = int(now * 1000)
    record_id = new_id("a", now)
    body_text = canonical_json(body)
    digest = record_hash(
        seq=seq,
        record_id=record_id,
        at_ms=at_ms,
        kind=kind,
        actor=actor,
        ref=ref,
        body=body_text,
        prev_hash=previous,
    )
    tx.run(
        "INSERT INTO audit (seq, id, at_ms, kind, actor, ref, body, prev_hash, hash) "
        "VALUES (:seq, :id, :at_ms, :kind, :actor, :ref, :body, :prev_hash, :hash)",
        {
            "seq": seq,
            "id": record_id,
            "at_ms": at_ms,
            "kind": kind,
            "actor": actor,
            "ref": ref,
            "body": body_text,
            "prev_hash": previous,
            "hash": digest,
        },
    )
    tx.run("UPDATE chain_head SET seq = :seq, hash = :hash WHERE id = 1", {"seq": seq, "hash": digest})
    return AuditRecord(
        seq=seq,
        id=record_id,
        at_ms=at_ms,
        kind=kind,
        actor=actor,
        ref=ref,
        body_text=body_text,
        prev_hash=previous,
        hash=digest,
    )


def review_capabilities(decision: Decision) -> list[str]:
    """What a reviewer must be entitled to: the capabilities of the behaviour found.

    codeward's own notes (engine and intent findings) count only when nothing else was found;
    a decision without findings (raised by the session's friction) is for reviewers of `*`.
    """
    behaviour = sorted({f.capability for f in decision.findings if f.source not in _NOT_BEHAVIOUR})
    if behaviour:
        return behaviour
    return sorted({f.capability for f in decision.findings}) or ["*"]


LATENCY_BUCKETS_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
"""Upper bounds of the /metrics latency histogram (one more bucket, `+Inf`, above them)."""
METRIC_SLOT_MS = 60_000
"""The rate windows (1h, 24h, 7d) are summed from per-minute counts: exact to within a minute."""
METRIC_KEPT_MS = 7 * 86_400_000 + METRIC_SLOT_MS


def latency_bucket(latency_ms: float) -> str:
    """The `le` label of the one histogram bucket a decision's latency falls in (not cumulative)."""
    for bound in LATENCY_BUCKETS_SECONDS:
        if latency_ms <= bound * 1000:
            return f"{bound:g}"
    return "+Inf"


def count_decision(tx: Statements, decision: Decision, capabilities: Sequence[str], *, at_ms: int) -> None:
    """Add the decision to the running counts that /metrics reads (same transaction as the record,
    so counts and log never disagree). `prune_windows` drops the per-minute counts that age out."""
    intent, action = decision.intent.name, decision.action
    tx.run_many(
        "INSERT INTO metric_totals (action, capability, intent, subculture, decisions) "
        "VALUES (:action, :capability, :intent, :subculture, 1) "
        "ON CONFLICT (action, capability, intent, subculture) "
        "DO UPDATE SET decisions = metric_totals.decisions + 1",
        [
            {
                "action": action.value,
                "capability": capability,
                "intent": intent,
                "subculture": subculture(decision),
            }
            for capability in capabilities or ["none"]
        ],
    )
    tx.run(
        "INSERT INTO metric_latency (le, decisions, sum_ms) VALUES (:le, 1, :ms) "
        "ON CONFLICT (le) DO UPDATE SET decisions = metric_latency.decisions + 1, "
        "sum_ms = metric_latency.sum_ms + excluded.sum_ms",
        {"le": latency_bucket(decision.latency_ms), "ms": decision.latency_ms},
    )
    slot = metric_slot(at_ms)
    tx.run(
        "INSERT INTO metric_windows (slot_ms, intent, decisions, reviews, blocks) "
        "VALUES (:slot, :intent, 1, :review, :block) "
        "ON CONFLICT (slot_ms, intent) DO UPDATE SET decisions = metric_windows.decisions + 1, "
        "reviews = metric_windows.reviews + excluded.reviews, blocks = metric_windows.blocks + excluded.blocks",
        {
            "slot": slot,
            "intent": intent,
            "review": int(action is Action.REVIEW),
            "block": int(action is Action.BLOCK),
        },
    )


def metric_slot(at_ms: int) -> int:
    """The minute a decision is counted in."""
    return at_ms - at_ms % METRIC_SLOT_MS


def prune_windows(tx: Statements, at_ms: int) -> None:
    """Drop per-minute counts older than the longest window. Needed once a minute, not per decision:
    `SqlStore` prunes when a batch starts a new minute; a `codeward check` prunes with its one record."""
    tx.run(
        "DELETE FROM metric_windows WHERE slot_ms < :cutoff", {"cutoff": metric_slot(at_ms) - METRIC_KEPT_MS}
    )


def subculture(decision: Decision) -> str:
    """The kind of work the snippet looks like, trusted or not: inferred, else declared, else the intent."""
    intent = decision.intent
    return intent.inferred or intent.declared or intent.name


def record_decision(
    tx: Statements, decision: Decision, subject: Subject, context: Context, now: float
) -> str | None:
    """Chain the decision (secrets masked), index it, and open a review item when it asks for one."""
    review_id = new_id("r", now) if decision.action is Action.REVIEW else None
    stored = decision.model_copy(update={"review_id": review_id}) if review_id else decision
    actor = context.actor
    body = {
        "decision": redacted(stored.to_dict()),
        "subject": {
            "kind": subject.kind.value,
            "language": decision.language,
            "mode": decision.mode.value,
            "path": redacted(subject.path),
            "content": redact(subject.content),
            "content_sha256": decision.content_sha256,
        },
        "context": redacted(context.model_dump(mode="json", exclude={"session": {"history"}})),
    }
    record = append(tx, kind=AuditKind.DECISION, actor=actor.id, ref=decision.decision_id, body=body, now=now)
    tx.run(
        "INSERT INTO decisions (id, audit_seq, at_ms, actor_id, actor_verified, action, risk, intent, "
        "subculture, language, kind, mode, session_id, policy_id, policy_version, content_sha256, "
        "latency_ms, review_id) VALUES (:id, :audit_seq, :at_ms, :actor_id, :actor_verified, :action, "
        ":risk, :intent, :subculture, :language, :kind, :mode, :session_id, :policy_id, :policy_version, "
        ":content_sha256, :latency_ms, :review_id)",
        {
            "id": decision.decision_id,
            "audit_seq": record.seq,
            "at_ms": record.at_ms,
            "actor_id": actor.id,
            "actor_verified": actor.verified,
            "action": decision.action.value,
            "risk": decision.risk,
            "intent": decision.intent.name,
            "subculture": subculture(decision),
            "language": decision.language,
            "kind": decision.kind.value,
            "mode": decision.mode.value,
            "session_id": context.session.id,
            "policy_id": decision.policy.id,
            "policy_version": decision.policy.version,
            "content_sha256": decision.content_sha256,
            "latency_ms": decision.latency_ms,
            "review_id": review_id,
        },
    )
    capabilities = sorted({f.capability for f in decision.findings})
    if capabilities:
        tx.run_many(
            "INSERT INTO decision_capabilities (decision_id, capability) VALUES (:decision_id, :capability)",
            [{"decision_id": decision.decision_id, "capability": c} for c in capabilities],
        )
    count_decision(tx, decision, capabilities, at_ms=record.at_ms)
    if review_id is not None:
        open_review(
            tx,
            review_id=review_id,
            decision_id=decision.decision_id,
            reason=ReviewReason.REVIEW,
            capabilities=review_capabilities(decision),
            requester=actor.id,
            now=now,
        )
    return review_id


def open_review(
    tx: Statements,
    *,
    review_id: str,
    decision_id: str,
    reason: ReviewReason,
    capabilities: list[str],
    requester: str,
    now: float,
    appeal_id: str | None = None,
) -> None:
    tx.run(
        "INSERT INTO reviews (id, decision_id, reason, appeal_id, status, capabilities, requester_id, "
        "opened_at_ms) VALUES (:id, :decision_id, :reason, :appeal_id, :status, :capabilities, :requester, "
        ":opened_at_ms)",
        {
            "id": review_id,
            "decision_id": decision_id,
            "reason": reason.value,
            "appeal_id": appeal_id,
            "status": ReviewStatus.PENDING.value,
            "capabilities": json.dumps(capabilities),
            "requester": requester,
            "opened_at_ms": int(now * 1000),
        },
    )


def schema_revision(tx: Statements) -> str | None:
    """The Alembic revision of the store, or None when it has no schema yet."""
    if not tx.rows(_VERSION_TABLE_EXISTS[tx.dialect], {}):
        return None
    rows = tx.rows("SELECT version_num FROM alembic_version", {})
    return str(rows[0][0]) if rows else None


_VERSION_TABLE_EXISTS = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'",
    "postgresql": "SELECT 1 WHERE to_regclass('alembic_version') IS NOT NULL",
}
