"""The store the service uses: decisions, the audit chain, reviews, appeals, overrides, API keys and
dashboard sessions, over SQLAlchemy Core on SQLite or PostgreSQL.

Every change is one transaction that also appends its audit record, so the chain and the tables
never disagree; several processes may share one database (the chain head is locked per append).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select

from codeward.errors import NotFound, StoreError
from codeward.model import Action, Actor, Context, Decision, SessionEvent, Subject
from codeward.store import chain, ledger, tables
from codeward.store.database import create, driver_transaction, reconnecting, transaction
from codeward.store.location import StoreLocation
from codeward.store.records import (
    ApiKeyInfo,
    Appeal,
    AppealStatus,
    AuditKind,
    AuditQuery,
    AuditRecord,
    ChainReport,
    DecisionQuery,
    DecisionSummary,
    MetricsSnapshot,
    Override,
    ReviewItem,
    ReviewReason,
    ReviewStatus,
    StateConflict,
    StoredDecision,
)
from codeward.store.sessions import SessionWindows

METRIC_WINDOWS = (("1h", 3600), ("24h", 86_400), ("7d", 7 * 86_400))
VERIFY_BATCH = 2000


class SqlStore:
    """Fits `codeward.protocols.Store`; the service, `codeward review` and `codeward audit` use the rest."""

    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self._commits = GroupCommit(self._append_decisions)
        self._pruned_slot = -1
        """The minute whose aged-out per-minute counts this process last dropped."""
        self._sessions = SessionWindows()

    @classmethod
    def open(cls, location: StoreLocation, *, clock: Callable[[], float] = time.time) -> SqlStore:
        return cls(create(location), clock=clock)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # ------------------------------------------------------------------ the engine's seam
    def record_decision(self, decision: Decision, subject: Subject, context: Context) -> str | None:
        """Returns once the decision is committed; concurrent callers share one commit (and one fsync)."""
        return self._commits.submit((decision, subject, context))

    def _append_decisions(self, batch: list[tuple[Decision, Subject, Context]]) -> list[str | None]:
        return reconnecting(lambda: self._append(batch))

    def _append(self, batch: list[tuple[Decision, Subject, Context]]) -> list[str | None]:
        with driver_transaction(self.engine, write=True, pipeline=True) as tx:
            review_ids = [ledger.record_decision(tx, d, s, c, self.clock()) for d, s, c in batch]
            at_ms = int(self.clock() * 1000)
            if ledger.metric_slot(at_ms) != self._pruned_slot:
                ledger.prune_windows(tx, at_ms)
        self._pruned_slot = ledger.metric_slot(at_ms)
        return review_ids

    def session_events(self, session_id: str, *, since: float) -> list[SessionEvent]:
        return reconnecting(lambda: self._session_events(session_id, since))

    def _session_events(self, session_id: str, since: float) -> list[SessionEvent]:
        with driver_transaction(self.engine, write=False, autocommit=True) as tx:
            return self._sessions.read(tx, session_id, since)

    # ------------------------------------------------------------------ decisions
    def decision(self, decision_id: str) -> StoredDecision:
        """The decision as recorded, with its reviews, appeals and overrides."""
        with transaction(self.engine, write=False) as tx:
            found = tx.connection.execute(
                select(tables.audit).where(
                    tables.audit.c.kind == AuditKind.DECISION, tables.audit.c.ref == decision_id
                )
            ).first()
            if found is None:
                raise NotFound(f"no decision {decision_id}")
            record = _audit_record(tuple(found))
            reviews = tx.connection.execute(
                select(tables.reviews)
                .where(tables.reviews.c.decision_id == decision_id)
                .order_by(tables.reviews.c.opened_at_ms)
            ).all()
            appeals = tx.connection.execute(
                select(tables.appeals)
                .where(tables.appeals.c.decision_id == decision_id)
                .order_by(tables.appeals.c.filed_at_ms)
            ).all()
            overrides = tx.connection.execute(
                select(tables.overrides)
                .where(tables.overrides.c.decision_id == decision_id)
                .order_by(tables.overrides.c.granted_at_ms)
            ).all()
        body = record.body
        context = body.get("context", {})
        return StoredDecision(
            decision=Decision.model_validate(body["decision"]),
            subject=body.get("subject", {}),
            context=context,
            actor=Actor.model_validate(context.get("actor") or {}),
            recorded_at=record.at,
            audit_seq=record.seq,
            reviews=[_review(row._mapping) for row in reviews],
            appeals=[_appeal(row._mapping) for row in appeals],
            overrides=[_override(row._mapping) for row in overrides],
        )

    def decisions(self, query: DecisionQuery) -> list[DecisionSummary]:
        """Newest first, filtered by actor, action, capability, intent and time."""
        d = tables.decisions
        statement: Select[Any] = select(d)
        if query.actor is not None:
            statement = statement.where(d.c.actor_id == query.actor)
        if query.action is not None:
            statement = statement.where(d.c.action == query.action.value)
        if query.intent is not None:
            statement = statement.where(d.c.intent == query.intent)
        if query.since is not None:
            statement = statement.where(d.c.at_ms >= int(query.since * 1000))
        if query.until is not None:
            statement = statement.where(d.c.at_ms < int(query.until * 1000))
        if query.before is not None:
            statement = statement.where(d.c.id < query.before)
        if query.capability is not None:
            c = tables.decision_capabilities
            matches = select(c.c.decision_id).where(_capability_filter(c.c.capability, query.capability))
            statement = statement.where(d.c.id.in_(matches))
        statement = statement.order_by(d.c.at_ms.desc(), d.c.id.desc()).limit(query.limit)
        with transaction(self.engine, write=False) as tx:
            rows = tx.connection.execute(statement).all()
            ids = [row.id for row in rows]
            capabilities: dict[str, list[str]] = {i: [] for i in ids}
            if ids:
                c = tables.decision_capabilities
                for decision_id, capability in tx.connection.execute(
                    select(c.c.decision_id, c.c.capability).where(c.c.decision_id.in_(ids))
                ):
                    capabilities[decision_id].append(capability)
        return [
            DecisionSummary(
                id=row.id,
                at=row.at_ms / 1000,
                actor=row.actor_id,
                verified=bool(row.actor_verified),
                action=Action(row.action),
                risk=row.risk,
                intent=row.intent,
                subculture=row.subculture,
                language=row.language,
                kind=row.kind,
                mode=row.mode,
                capabilities=sorted(capabilities[row.id]),
                review_id=row.review_id,
                audit_seq=row.audit_seq,
            )
            for row in rows
        ]

    # ------------------------------------------------------------------ reviews
    def reviews(self, *, status: ReviewStatus | None = None, limit: int = 100) -> list[ReviewItem]:
        """Pending ones oldest first (a queue); decided ones newest first (a history)."""
        r = tables.reviews
        statement = select(r)
        if status is not None:
            statement = statement.where(r.c.status == status.value)
        if status is ReviewStatus.PENDING:
            statement = statement.order_by(r.c.opened_at_ms, r.c.id)
        else:
            statement = statement.order_by(r.c.opened_at_ms.desc(), r.c.id.desc())
        with transaction(self.engine, write=False) as tx:
            rows = tx.connection.execute(statement.limit(limit)).all()
        return [_review(row._mapping) for row in rows]

    def review(self, review_id: str) -> ReviewItem:
        with transaction(self.engine, write=False) as tx:
            row = tx.connection.execute(
                select(tables.reviews).where(tables.reviews.c.id == review_id)
            ).first()
        if row is None:
            raise NotFound(f"no review {review_id}")
        return _review(row._mapping)

    def review_for(self, reference: str) -> ReviewItem:
        """A review by its id, or the newest review of a decision (what `codeward review approve <decision>` means)."""
        if reference.startswith("r"):
            return self.review(reference)
        r = tables.reviews
        with transaction(self.engine, write=False) as tx:
            rows = tx.connection.execute(
                select(r).where(r.c.decision_id == reference).order_by(r.c.opened_at_ms.desc())
            ).all()
        if not rows:
            raise NotFound(f"no review for {reference}: neither a review id nor a decision with a review")
        pending = [row for row in rows if row.status == ReviewStatus.PENDING.value]
        return _review((pending or rows)[0]._mapping)

    def decide_review(self, review_id: str, *, approve: bool, reviewer: Actor, comment: str) -> ReviewItem:
        """Close a pending review once; a second decision (from any replica) is a StateConflict.

        Authorization (role, four-eyes) is the caller's: it knows the identity and the policy.
        """
        now = self.clock()
        status = ReviewStatus.APPROVED if approve else ReviewStatus.DENIED
        r = tables.reviews
        with transaction(self.engine, write=True) as tx:
            changed = tx.connection.execute(
                update(r)
                .where(r.c.id == review_id, r.c.status == ReviewStatus.PENDING.value)
                .values(
                    status=status.value,
                    decided_at_ms=int(now * 1000),
                    decided_by=reviewer.id,
                    comment=comment,
                )
            ).rowcount
            row = tx.connection.execute(select(r).where(r.c.id == review_id)).first()
            if row is None:
                raise NotFound(f"no review {review_id}")
            item = _review(row._mapping)
            if not changed:
                raise StateConflict(
                    f"review {review_id} was already {item.status.value} by {item.decided_by}"
                )
            if item.appeal_id is not None:
                outcome = AppealStatus.UPHELD if approve else AppealStatus.REJECTED
                tx.connection.execute(
                    update(tables.appeals)
                    .where(tables.appeals.c.id == item.appeal_id)
                    .values(status=outcome.value)
                )
            ledger.append(
                tx,
                kind=AuditKind.REVIEW_APPROVED if approve else AuditKind.REVIEW_DENIED,
                actor=reviewer.id,
                ref=item.decision_id,
                body={
                    "review_id": review_id,
                    "decision_id": item.decision_id,
                    "reason": item.reason.value,
                    "appeal_id": item.appeal_id,
                    "status": status.value,
                    "comment": ledger.redacted(comment),
                    "reviewer": _actor_json(reviewer),
                },
                now=now,
            )
        return item

    # ------------------------------------------------------------------ appeals and overrides
    def file_appeal(self, decision_id: str, *, appellant: Actor, why: str, expect: list[Action]) -> Appeal:
        """An appeal puts a stopped decision in front of a reviewer; approving the review upholds it."""
        now = self.clock()
        stored = self.decision(decision_id)
        if not stored.decision.action.stops:
            raise StateConflict(
                f"decision {decision_id} was {stored.decision.action.value}: only a stop can be appealed"
            )
        if any(a.status is AppealStatus.PENDING for a in stored.appeals):
            raise StateConflict(f"decision {decision_id} already has a pending appeal")
        appeal_id = ledger.new_id("p", now)
        review_id = ledger.new_id("r", now)
        with transaction(self.engine, write=True) as tx:
            tx.run(
                "INSERT INTO appeals (id, decision_id, appellant_id, why, expect, filed_at_ms, status, review_id) "
                "VALUES (:id, :decision_id, :appellant, :why, :expect, :at, :status, :review_id)",
                {
                    "id": appeal_id,
                    "decision_id": decision_id,
                    "appellant": appellant.id,
                    "why": ledger.redacted(why),
                    "expect": json.dumps([a.value for a in expect]),
                    "at": int(now * 1000),
                    "status": AppealStatus.PENDING.value,
                    "review_id": review_id,
                },
            )
            ledger.open_review(
                tx,
                review_id=review_id,
                decision_id=decision_id,
                reason=ReviewReason.APPEAL,
                capabilities=ledger.review_capabilities(stored.decision),
                requester=appellant.id,
                now=now,
                appeal_id=appeal_id,
            )
            ledger.append(
                tx,
                kind=AuditKind.APPEAL_FILED,
                actor=appellant.id,
                ref=decision_id,
                body={
                    "appeal_id": appeal_id,
                    "review_id": review_id,
                    "decision_id": decision_id,
                    "why": ledger.redacted(why),
                    "expect": [a.value for a in expect],
                    "appellant": _actor_json(appellant),
                },
                now=now,
            )
        return Appeal(
            id=appeal_id,
            decision_id=decision_id,
            appellant=appellant.id,
            why=ledger.redacted(why),
            expect=expect,
            filed_at=int(now * 1000) / 1000,
            status=AppealStatus.PENDING,
            review_id=review_id,
        )

    def appeals(self, *, status: AppealStatus | None = None, limit: int = 1000) -> list[Appeal]:
        a = tables.appeals
        statement = select(a).order_by(a.c.filed_at_ms, a.c.id).limit(limit)
        if status is not None:
            statement = statement.where(a.c.status == status.value)
        with transaction(self.engine, write=False) as tx:
            return [_appeal(row._mapping) for row in tx.connection.execute(statement)]

    def grant_override(
        self, decision_id: str, *, action: Action, why: str, granted_by: Actor, until: float
    ) -> Override:
        """Record who let a stopped decision through, why, and until when (the caller checked the role)."""
        now = self.clock()
        if until <= now:
            raise StateConflict("an override must end in the future")
        self.decision(decision_id)  # NotFound for an unknown decision
        override = Override(
            id=ledger.new_id("o", now),
            decision_id=decision_id,
            action=action,
            why=ledger.redacted(why),
            granted_by=granted_by.id,
            granted_at=int(now * 1000) / 1000,
            until=until,
        )
        with transaction(self.engine, write=True) as tx:
            tx.run(
                "INSERT INTO overrides (id, decision_id, action, why, granted_by, granted_at_ms, until_ms) "
                "VALUES (:id, :decision_id, :action, :why, :granted_by, :granted_at_ms, :until_ms)",
                {
                    "id": override.id,
                    "decision_id": decision_id,
                    "action": action.value,
                    "why": override.why,
                    "granted_by": granted_by.id,
                    "granted_at_ms": int(now * 1000),
                    "until_ms": int(until * 1000),
                },
            )
            ledger.append(
                tx,
                kind=AuditKind.OVERRIDE_GRANTED,
                actor=granted_by.id,
                ref=decision_id,
                body={
                    "override_id": override.id,
                    "decision_id": decision_id,
                    "action": action.value,
                    "why": override.why,
                    "until": until,
                    "granted_by": _actor_json(granted_by),
                },
                now=now,
            )
        return override

    # ------------------------------------------------------------------ the audit chain
    def audit(self, query: AuditQuery) -> list[AuditRecord]:
        a = tables.audit
        statement = select(a)
        if query.kind is not None:
            statement = statement.where(a.c.kind == query.kind)
        if query.actor is not None:
            statement = statement.where(a.c.actor == query.actor)
        if query.ref is not None:
            statement = statement.where(a.c.ref == query.ref)
        if query.since is not None:
            statement = statement.where(a.c.at_ms >= int(query.since * 1000))
        if query.until is not None:
            statement = statement.where(a.c.at_ms < int(query.until * 1000))
        if query.after_seq is not None:
            statement = statement.where(a.c.seq > query.after_seq)
        if query.before_seq is not None:
            statement = statement.where(a.c.seq < query.before_seq)
        order = a.c.seq.desc() if query.newest_first else a.c.seq
        with transaction(self.engine, write=False) as tx:
            rows = tx.connection.execute(statement.order_by(order).limit(query.limit)).all()
        return [_audit_record(tuple(row)) for row in rows]

    def audit_records(self, *, batch: int = VERIFY_BATCH) -> Iterator[AuditRecord]:
        """Every record in chain order, read in batches (for export and verification)."""
        after = 0
        while True:
            records = self.audit(AuditQuery(after_seq=after, limit=batch))
            yield from records
            if len(records) < batch:
                return
            after = records[-1].seq

    def head(self) -> tuple[int, str]:
        with transaction(self.engine, write=False) as tx:
            rows = tx.rows("SELECT seq, hash FROM chain_head WHERE id = 1", {})
        if not rows:
            raise StoreError("the audit chain has no head row")
        return int(rows[0][0]), str(rows[0][1])

    def verify(self) -> ChainReport:
        """Whether every record still hashes to its link; if not, the first that does not."""
        head = self.head()
        return chain.verify(self.audit_records(), head)

    # ------------------------------------------------------------------ API keys
    def add_api_key(self, digest: str, actor: Actor, *, label: str, created_by: str) -> None:
        """Keep a service account's key as its SHA-256 (`codeward.identity.key_hash`), never the key."""
        now = self.clock()
        account = Actor(id=actor.id, roles=list(actor.roles), groups=list(actor.groups))
        with transaction(self.engine, write=True) as tx:
            tx.run(
                "INSERT INTO api_keys (sha256, actor, label, created_at_ms, created_by) "
                "VALUES (:sha256, :actor, :label, :at, :created_by)",
                {
                    "sha256": digest,
                    "actor": account.model_dump_json(),
                    "label": label,
                    "at": int(now * 1000),
                    "created_by": created_by,
                },
            )
            ledger.append(
                tx,
                kind=AuditKind.API_KEY_CREATED,
                actor=created_by,
                ref=digest[:16],
                body={"fingerprint": digest[:16], "account": _actor_json(account), "label": label},
                now=now,
            )

    def api_key_actor(self, sha256_hex: str) -> Actor | None:
        """The lookup an `ApiKeyVerifier` takes: the account of a live key, else None."""
        k = tables.api_keys
        with transaction(self.engine, write=False) as tx:
            row = tx.connection.execute(
                select(k.c.actor).where(k.c.sha256 == sha256_hex, k.c.revoked_at_ms.is_(None))
            ).first()
        return None if row is None else Actor.model_validate_json(row.actor)

    def api_keys(self) -> list[ApiKeyInfo]:
        k = tables.api_keys
        with transaction(self.engine, write=False) as tx:
            rows = tx.connection.execute(select(k).order_by(k.c.created_at_ms)).all()
        return [
            ApiKeyInfo(
                fingerprint=row.sha256[:16],
                actor=Actor.model_validate_json(row.actor),
                label=row.label,
                created_at=row.created_at_ms / 1000,
                created_by=row.created_by,
                revoked=row.revoked_at_ms is not None,
            )
            for row in rows
        ]

    def revoke_api_key(self, fingerprint: str, *, revoked_by: str) -> int:
        """Revoke the live keys whose hash starts with `fingerprint` (at least 8 hex digits)."""
        if len(fingerprint) < 8:
            raise StateConflict("give at least 8 characters of the key's fingerprint")
        now = self.clock()
        k = tables.api_keys
        with transaction(self.engine, write=True) as tx:
            changed = tx.connection.execute(
                update(k)
                .where(k.c.sha256.startswith(fingerprint.lower()), k.c.revoked_at_ms.is_(None))
                .values(revoked_at_ms=int(now * 1000))
            ).rowcount
            if changed:
                ledger.append(
                    tx,
                    kind=AuditKind.API_KEY_REVOKED,
                    actor=revoked_by,
                    ref=fingerprint[:16],
                    body={"fingerprint": fingerprint, "keys": changed},
                    now=now,
                )
        return int(changed)

    # ------------------------------------------------------------------ dashboard sessions
    def open_web_session(self, actor: Actor, *, ttl_seconds: float) -> tuple[str, str]:
        """(session token for the cookie, CSRF token for forms); only the token's hash is stored."""
        now = self.clock()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with transaction(self.engine, write=True) as tx:
            tx.run("DELETE FROM web_sessions WHERE expires_at_ms < :now", {"now": int(now * 1000)})
            tx.run(
                "INSERT INTO web_sessions (sha256, actor, csrf, created_at_ms, expires_at_ms) "
                "VALUES (:sha256, :actor, :csrf, :at, :expires)",
                {
                    "sha256": hashlib.sha256(token.encode()).hexdigest(),
                    "actor": actor.model_dump_json(),
                    "csrf": csrf,
                    "at": int(now * 1000),
                    "expires": int((now + ttl_seconds) * 1000),
                },
            )
        return token, csrf

    def web_session(self, token: str) -> tuple[Actor, str] | None:
        w = tables.web_sessions
        digest = hashlib.sha256(token.encode()).hexdigest()
        with transaction(self.engine, write=False) as tx:
            row = tx.connection.execute(
                select(w.c.actor, w.c.csrf).where(
                    w.c.sha256 == digest, w.c.expires_at_ms > int(self.clock() * 1000)
                )
            ).first()
        return None if row is None else (Actor.model_validate_json(row.actor), row.csrf)

    def close_web_session(self, token: str) -> None:
        with transaction(self.engine, write=True) as tx:
            tx.run(
                "DELETE FROM web_sessions WHERE sha256 = :sha256",
                {"sha256": hashlib.sha256(token.encode()).hexdigest()},
            )

    # ------------------------------------------------------------------ metrics
    def metrics(self) -> MetricsSnapshot:
        """The running counts kept with every decision (`ledger.count_decision`): the same numbers on
        every replica, read from a few hundred rows however long the log is."""
        now_ms = int(self.clock() * 1000)
        totals, latency, windows_table = tables.metric_totals, tables.metric_latency, tables.metric_windows
        r = tables.reviews
        windows: list[tuple[str, str, int, int, int]] = []
        with transaction(self.engine, write=False) as tx:
            decisions = [
                (str(a), str(cap), str(i), str(s), int(n))
                for a, cap, i, s, n in tx.connection.execute(
                    select(
                        totals.c.action,
                        totals.c.capability,
                        totals.c.intent,
                        totals.c.subculture,
                        totals.c.decisions,
                    )
                )
            ]
            buckets = [(str(le), int(n), float(ms)) for le, n, ms in tx.connection.execute(select(latency))]
            pending = tx.connection.execute(
                select(func.count()).select_from(r).where(r.c.status == ReviewStatus.PENDING.value)
            ).scalar_one()
            for name, seconds in METRIC_WINDOWS:
                start = now_ms - seconds * 1000
                rows = tx.connection.execute(
                    select(
                        windows_table.c.intent,
                        func.sum(windows_table.c.decisions),
                        func.sum(windows_table.c.reviews),
                        func.sum(windows_table.c.blocks),
                    )
                    .where(windows_table.c.slot_ms >= start - start % ledger.METRIC_SLOT_MS)
                    .group_by(windows_table.c.intent)
                )
                windows += [(name, str(i), int(n), int(rv), int(b)) for i, n, rv, b in rows]
        return MetricsSnapshot(
            decisions=decisions,
            latency_buckets=[
                (bound, sum(n for le, n, _ in buckets if le != "+Inf" and float(le) <= bound))
                for bound in ledger.LATENCY_BUCKETS_SECONDS
            ],
            latency_count=sum(n for _, n, _ in buckets),
            latency_sum_seconds=sum(ms for _, _, ms in buckets) / 1000,
            pending_reviews=int(pending),
            windows=windows,
        )


Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


class GroupCommit(Generic[Item, Outcome]):
    """Leader-based group commit: concurrent appends share one transaction (and one fsync).

    The first caller to find no commit in progress leads: it writes everything queued, its own item
    first, in one transaction; what arrives meanwhile waits for the next batch, which the first of
    the waiting callers then leads. So each caller returns once its own record is durable, and no
    caller keeps writing for others after that. A failed batch is retried one item at a time, so
    one bad record fails only its own caller.
    """

    def __init__(self, write: Callable[[list[Item]], list[Outcome]], *, limit: int = 256) -> None:
        self._write = write
        self._limit = limit
        self._lock = threading.Lock()
        self._queue: list[_Slot[Item, Outcome]] = []
        self._leading = False

    def submit(self, item: Item) -> Outcome:
        slot: _Slot[Item, Outcome] = _Slot(item)
        with self._lock:
            self._queue.append(slot)
            leads = not self._leading
            self._leading = True
        if not leads:
            slot.ready.wait()  # until written, or until handed the lead
        if not slot.finished:
            self._lead()  # this slot is first in the queue, so the batch written holds it
        if slot.error is not None:
            raise slot.error
        return slot.outcome  # type: ignore[return-value]

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[: self._limit], self._queue[self._limit :]
        try:
            self._commit(batch)
        finally:
            for slot in batch:
                if not slot.finished:  # interrupted by more than an Exception: never leave a caller waiting
                    slot.finish(error=StoreError("the commit was interrupted"))
            with self._lock:
                if self._queue:
                    self._queue[0].ready.set()
                else:
                    self._leading = False

    def _commit(self, batch: list[_Slot[Item, Outcome]]) -> None:
        try:
            outcomes = self._write([slot.item for slot in batch])
        except Exception as error:
            if len(batch) == 1:
                batch[0].finish(error=error)
                return
            for slot in batch:
                self._commit([slot])
            return
        for slot, outcome in zip(batch, outcomes, strict=True):
            slot.finish(outcome=outcome)


class _Slot(Generic[Item, Outcome]):
    def __init__(self, item: Item) -> None:
        self.item = item
        self.outcome: Outcome | None = None
        self.error: Exception | None = None
        self.finished = False
        self.ready = threading.Event()

    def finish(self, *, outcome: Outcome | None = None, error: Exception | None = None) -> None:
        self.outcome, self.error, self.finished = outcome, error, True
        self.ready.set()


def _capability_filter(column: Any, pattern: str) -> Any:
    """`net.*` matches the family, anything else matches exactly."""
    if pattern.endswith(".*"):
        return and_(column.startswith(pattern[:-1]))
    return column == pattern


def _actor_json(actor: Actor) -> dict[str, Any]:
    return actor.model_dump(mode="json")


def _audit_record(row: tuple[Any, ...]) -> AuditRecord:
    seq, record_id, at_ms, kind, actor, ref, body, prev_hash, digest = row
    return AuditRecord(
        seq=int(seq),
        id=record_id,
        at_ms=int(at_ms),
        kind=kind,
        actor=actor,
        ref=ref,
        body_text=body,
        prev_hash=prev_hash,
        hash=digest,
    )


def _review(row: Any) -> ReviewItem:
    return ReviewItem(
        id=row["id"],
        decision_id=row["decision_id"],
        reason=ReviewReason(row["reason"]),
        appeal_id=row["appeal_id"],
        status=ReviewStatus(row["status"]),
        capabilities=json.loads(row["capabilities"]),
        requester=row["requester_id"],
        opened_at=row["opened_at_ms"] / 1000,
        decided_at=None if row["decided_at_ms"] is None else row["decided_at_ms"] / 1000,
        decided_by=row["decided_by"],
        comment=row["comment"],
    )


def _appeal(row: Any) -> Appeal:
    return Appeal(
        id=row["id"],
        decision_id=row["decision_id"],
        appellant=row["appellant_id"],
        why=row["why"],
        expect=[Action(a) for a in json.loads(row["expect"])],
        filed_at=row["filed_at_ms"] / 1000,
        status=AppealStatus(row["status"]),
        review_id=row["review_id"],
    )


def _override(row: Any) -> Override:
    return Override(
        id=row["id"],
        decision_id=row["decision_id"],
        action=Action(row["action"]),
        why=row["why"],
        granted_by=row["granted_by"],
        granted_at=row["granted_at_ms"] / 1000,
        until=row["until_ms"] / 1000,
    )
