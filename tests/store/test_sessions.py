"""A service process keeps each session's recent decisions between checks and reads only what was
recorded since: what it answers must be what the store's own query answers, whichever process
recorded the decisions, whatever their clocks said, and however far the horizon has moved."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from codeward import Action, Actor, Context, Guard, Subject
from codeward.model import Session, SessionEvent
from codeward.store.database import driver_transaction
from codeward.store.ledger import Statements
from codeward.store.location import locate
from codeward.store.sessions import SessionWindows, session_events
from codeward.store.sql import SqlStore
from servicecases import database_url

ALICE = Actor(id="alice", roles=["developer"], verified=True, method="token")
LIMIT = 4


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Recording:
    """The statements of one transaction, with the SQL each read ran."""

    def __init__(self, inner: Statements) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self.reads: list[str] = []

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        self.reads.append(sql)
        return self.inner.rows(sql, params)

    def run(self, sql: str, params: Mapping[str, Any]) -> int:
        return self.inner.run(sql, params)

    def run_many(self, sql: str, params: Any) -> None:
        self.inner.run_many(sql, params)


@pytest.fixture
def second_store(store_url: str) -> Iterator[SqlStore]:
    """Another process's store on the same database, its clock 1.5 s behind the first's."""
    opened = SqlStore.open(locate(store_url))
    yield opened
    opened.close()


def read_both(store: SqlStore, windows: SessionWindows, session: str, since: float) -> tuple[list[str], ...]:
    """(kept window, store query) for the session, in one transaction; and which reads it took."""
    with driver_transaction(store.engine, write=False) as tx:
        recording = Recording(tx)
        kept = windows.read(recording, session, since)
        fresh = session_events(tx, session, since, limit=LIMIT)
    return ids(kept), ids(fresh), recording.reads


def ids(events: list[SessionEvent]) -> list[str]:
    return [f"{event.decision_id}:{event.action.value}" for event in events]


def context(session: str) -> Context:
    return Context(actor=ALICE, session=Session(id=session))


def decide(guard: Guard, session: str, *, stop: bool) -> None:
    """A stop, or a command that may be allowed or held (the session's stops weigh on it)."""
    content = "echo STOP_HERE" if stop else "ls build"
    decision = guard.check(Subject(kind="command", content=content, language="bash"), context(session))
    assert decision.action is Action.BLOCK or not stop


def test_a_kept_window_answers_what_the_store_query_answers(
    store: SqlStore, second_store: SqlStore, policy_file: Path
) -> None:
    """Two processes record into three sessions with clocks 1.5 s apart, a stop now and then; one of
    them reads through its kept windows as the horizon moves on. Every read equals the query's."""
    clock = Clock(1_800_000_000.0)
    behind = Clock(clock.now - 1.5)
    store.clock, second_store.clock = clock, behind
    guards = [Guard([str(policy_file)], sandbox_mode="never", store=s) for s in (store, second_store)]
    windows = SessionWindows(limit=LIMIT)
    rng = random.Random(7)
    incremental = 0
    for step in range(160):
        session = rng.choice(["s-a", "s-b", "s-c"])
        decide(rng.choice(guards), session, stop=rng.random() < 0.2)
        clock.now += rng.uniform(0.0, 0.4)
        behind.now = clock.now - 1.5
        if step % 3 == 0:
            for name in ("s-a", "s-b", "s-c"):
                kept, fresh, reads = read_both(store, windows, name, since=clock.now - 6.0)
                assert kept == fresh, (step, name)
                incremental += len(reads) == 1 and "audit_seq >" in reads[0]
    assert incremental > 100  # the kept windows were read on, not read anew each time


def test_a_window_with_nothing_new_costs_one_read_of_the_rows_since(
    store: SqlStore, policy_file: Path
) -> None:
    guard = Guard([str(policy_file)], sandbox_mode="never", store=store)
    windows = SessionWindows(limit=LIMIT)
    for stop in (True, False, False):
        decide(guard, "s", stop=stop)
    first = read_both(store, windows, "s", since=0)
    again = read_both(store, windows, "s", since=0)
    assert first[0] == first[1] == again[0] and len(first[0]) == 3
    assert "MAX(audit_seq)" in first[2][0] and again[2] == [again[2][0]] and "audit_seq >" in again[2][0]


def test_more_recorded_since_than_a_window_holds_is_read_anew(store: SqlStore, policy_file: Path) -> None:
    guard = Guard([str(policy_file)], sandbox_mode="never", store=store)
    windows = SessionWindows(limit=LIMIT)
    decide(guard, "s", stop=True)
    read_both(store, windows, "s", since=0)
    for _ in range(3 * LIMIT):
        decide(guard, "s", stop=False)
    kept, fresh, reads = read_both(store, windows, "s", since=0)
    assert kept == fresh and len(kept) == LIMIT + 1 and kept[0].endswith(":block")  # the old stop
    assert len(reads) == 2 and "MAX(audit_seq)" in reads[1]


def test_an_earlier_horizon_than_the_window_was_cut_at_is_read_anew(
    store: SqlStore, policy_file: Path
) -> None:
    clock = Clock(1_800_000_000.0)
    store.clock = clock
    guard = Guard([str(policy_file)], sandbox_mode="never", store=store)
    windows = SessionWindows(limit=LIMIT)
    for _ in range(3):
        decide(guard, "s", stop=False)
        clock.now += 10
    assert len(read_both(store, windows, "s", since=clock.now - 15)[0]) == 1
    kept, fresh, reads = read_both(store, windows, "s", since=0)
    assert kept == fresh and len(kept) == 3 and "MAX(audit_seq)" in reads[0]


def test_sessions_least_recently_read_are_forgotten_beyond_the_budget(
    store: SqlStore, policy_file: Path
) -> None:
    guard = Guard([str(policy_file)], sandbox_mode="never", store=store)
    windows = SessionWindows(limit=LIMIT, budget=5)
    for session in ("a", "b", "c"):
        for _ in range(2):
            decide(guard, session, stop=False)
        read_both(store, windows, session, since=0)
    kept, fresh, reads = read_both(store, windows, "a", since=0)  # forgotten: 6 events held > 5
    assert kept == fresh and "MAX(audit_seq)" in reads[0]
    kept, fresh, reads = read_both(store, windows, "c", since=0)  # still held
    assert kept == fresh and "audit_seq >" in reads[0]


def abandoned_write(store: SqlStore) -> None:
    """A write transaction that moves the chain's head and then fails before its commit."""
    with pytest.raises(RuntimeError), driver_transaction(store.engine, write=True) as tx:
        tx.run("UPDATE chain_head SET seq = seq + 100 WHERE id = 1", {})
        raise RuntimeError("abandoned")


def test_history_reads_leave_every_pooled_connection_in_a_transaction(guard: Guard, store: SqlStore) -> None:
    """History is read without a transaction (one round trip on PostgreSQL): the connections it
    used must come back to the pool transactional, or a later append would half-commit."""
    guard.check(Subject(kind="command", language="bash", content="ls"), context("s"))
    for _ in range(8):  # more than the pool holds: every connection has served a read by the end
        assert ids(store.session_events("s", since=0))
        abandoned_write(store)
    assert store.head()[0] == 1 and store.verify().intact


@pytest.mark.postgres
def test_a_connection_that_cannot_leave_autocommit_is_not_pooled_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import psycopg

    with database_url("postgres", tmp_path) as url:
        store = SqlStore.open(locate(url))
        try:
            original = psycopg.Connection.autocommit

            def refuse_to_leave(connection: psycopg.Connection[Any], value: bool) -> None:
                # only the store's own reset fails (the pool's ping of an idle connection toggles it too)
                if not value and sys._getframe(1).f_code.co_name == "driver_transaction":
                    raise psycopg.OperationalError("the server went away")
                original.fset(connection, value)  # type: ignore[attr-defined]

            monkeypatch.setattr(psycopg.Connection, "autocommit", property(original.fget, refuse_to_leave))
            assert store.session_events("s", since=0) == []  # the read itself is answered
            monkeypatch.undo()
            for _ in range(8):
                abandoned_write(store)
            assert store.head()[0] == 0
        finally:
            store.close()
