"""The store as `codeward check` opens it: lazily, and for SQLite without importing SQLAlchemy.

A check records one decision and exits, so the connection is made on first use, the schema is only
looked at (migrations, which import Alembic, run only when it is missing or old), and the decision
is appended through the same ledger functions the service uses.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from codeward.errors import StoreError
from codeward.model import Context, Decision, SessionEvent, Subject
from codeward.protocols import Store
from codeward.store import ledger
from codeward.store.location import StoreLocation, locate
from codeward.store.sessions import session_events

BUSY_TIMEOUT_SECONDS = 30.0


class SqliteLedger:
    """Fits `codeward.protocols.Store` over one SQLite file, opened on first use.

    Safe to share between threads (a hook worker, the proxy, the engine's deadline thread): one
    connection, one transaction at a time."""

    def __init__(self, location: StoreLocation, *, clock: Callable[[], float] = time.time) -> None:
        self.location = location
        self.clock = clock
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    def record_decision(self, decision: Decision, subject: Subject, context: Context) -> str | None:
        with self._transaction(write=True) as tx:
            now = self.clock()
            review_id = ledger.record_decision(tx, decision, subject, context, now)
            ledger.prune_windows(tx, int(now * 1000))
            return review_id

    def session_events(self, session_id: str, *, since: float) -> list[SessionEvent]:
        with self._transaction(write=False) as tx:
            return session_events(tx, session_id, since)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[ledger.DriverStatements]:
        with self._lock:
            yield from self._locked_transaction(write=write)

    def _locked_transaction(self, *, write: bool) -> Iterator[ledger.DriverStatements]:
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield ledger.DriverStatements(connection.cursor(), "sqlite")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            raise StoreError(f"the store {self.location.display} failed: {error}") from None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is not None:
            return self._connection
        path = self.location.sqlite_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            revision = ledger.schema_revision(ledger.DriverStatements(connection.cursor(), "sqlite"))
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the store {self.location.display}: {error}") from None
        if revision != ledger.HEAD_REVISION:
            from codeward.store.database import create

            create(self.location).dispose()
        self._connection = connection
        return connection


def store_for_check(db: str | None = None) -> Store:
    """The store `codeward check` records to: `--db`, else `CODEWARD_DB`, else `$CODEWARD_HOME`."""
    location = locate(db)
    if location.is_sqlite:
        return SqliteLedger(location)
    from codeward.store.sql import SqlStore

    return _LazySqlStore(lambda: SqlStore.open(location))


class _LazySqlStore:
    """A PostgreSQL store connected on first use (a check that errors out never connects)."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._store: Any = None

    def _opened(self) -> Store:
        if self._store is None:
            self._store = self._factory()
        store: Store = self._store
        return store

    def record_decision(self, decision: Decision, subject: Subject, context: Context) -> str | None:
        return self._opened().record_decision(decision, subject, context)

    def session_events(self, session_id: str, *, since: float) -> list[SessionEvent]:
        return self._opened().session_events(session_id, since=since)
