"""Opening a store with SQLAlchemy: the engine, its SQLite settings, and migrations on open.

SQLite runs in WAL mode with `synchronous=FULL` (a committed decision survives a power cut), and
writes start with `BEGIN IMMEDIATE`, so two processes appending at once queue on the lock instead
of failing half-way. Migrations are Alembic revisions shipped in `codeward/store/migrations`.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

from codeward.errors import StoreConnectionLost, StoreError
from codeward.store.ledger import HEAD_REVISION, DriverStatements, schema_revision
from codeward.store.location import StoreLocation

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_SECONDS = 30.0
_MIGRATION_LOCK = 0x636F6465  # a fixed PostgreSQL advisory-lock key: "code"

log = logging.getLogger("codeward.store")


class SqlStatements(DriverStatements):
    """The same, inside a transaction on a SQLAlchemy connection, which the rest of the store uses
    (`connection`) to build its queries."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection.connection.cursor(), connection.dialect.name)
        self.connection = connection


def create(location: StoreLocation, *, pool_size: int = 5) -> Engine:
    """An engine for `location`, migrated to the schema this code writes."""
    try:
        if location.is_sqlite:
            engine = _sqlite_engine(location)
        else:
            engine = create_engine(location.url, pool_size=pool_size, max_overflow=pool_size)
            _ping_when_idle(engine)
        migrate(engine, location)
    except SQLAlchemyError as error:
        raise StoreError(f"cannot open the store {location.display}: {_first_line(error)}") from None
    return engine


PING_AFTER_IDLE_SECONDS = 5.0
"""A pooled PostgreSQL connection unused for longer is pinged before it is handed out."""


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection only when it has been idle: a connection in steady use is known to
    be alive, and a ping before every use cost a round trip twice per check (0.08 ms of CPU and
    0.15 ms of waiting per check, measured in-process). A connection that died in use is discarded
    by `driver_transaction`, and the work retried once (`reconnecting`)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:  # the pool connects anew
            raise DisconnectionError(_first_line(error)) from error


def _sqlite_engine(location: StoreLocation) -> Engine:
    path = location.sqlite_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create the store's directory {path.parent}: {error}") from None
    engine = create_engine(
        location.url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's begin event decides how to begin
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get("codeward_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


class _WriterTurns:
    """Writers to one SQLite file take turns in a kernel queue (an flock on `<db>.write-lock`, behind
    a lock for this process's threads) before SQLite's own lock. A writer that finds SQLite's lock
    held retries after sleeping 1, 2, 5, 10 ... ms; with two service processes committing hundreds
    of times a second those sleeps idled a core and made the tail (p99.9 0.5 s at 2 workers). The
    flock wakes the next writer when the last lets go. Opened per process, never inherited."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self._path = database.with_name(database.name + ".write-lock")
        self._threads = threading.Lock()
        self._fd = -1
        self._pid = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._threads:
            if self._pid != os.getpid():
                try:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                except OSError as error:
                    raise StoreError(f"cannot open the store's writer lock {self._path}: {error}") from None
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_WRITER_TURNS: dict[str, _WriterTurns] = {}
"""By the database as the URL names it; two names of one file share their turns."""
_WRITER_TURNS_LOCK = threading.Lock()


def _writing(engine: Engine, write: bool) -> contextlib.AbstractContextManager[None]:
    """A writer's turn on SQLite; nothing to wait for on PostgreSQL, whose row lock queues writers."""
    if not write or engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return contextlib.nullcontext()
    turns = _WRITER_TURNS.get(engine.url.database)
    if turns is None:
        with _WRITER_TURNS_LOCK:
            resolved = Path(engine.url.database).resolve()
            same_file = next((t for t in _WRITER_TURNS.values() if t.database == resolved), None)
            turns = _WRITER_TURNS[engine.url.database] = same_file or _WriterTurns(resolved)
    return turns.turn()


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[SqlStatements]:
    """One transaction; on SQLite a writing one holds the write lock from its first statement."""
    try:
        with _writing(engine, write), engine.connect() as connection:
            if write:
                connection = connection.execution_options(codeward_write=True)
            with connection.begin():
                yield SqlStatements(connection)
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as error:  # the driver's, from SqlStatements
        raise StoreError(f"the store failed: {_first_line(error)}") from None


@contextmanager
def driver_transaction(
    engine: Engine, *, write: bool, pipeline: bool = False, autocommit: bool = False
) -> Iterator[DriverStatements]:
    """One transaction on a pooled driver connection, for the ledger's statements alone: the hot
    path (every check reads its session and appends its decision) without SQLAlchemy's connection,
    transaction and event objects around it. On SQLite a writing one holds the write lock from its
    first statement, as in `transaction`; psycopg opens its transaction with the first statement.

    `pipeline`: on PostgreSQL, statements whose rows are not read are sent without waiting for
    their answers, which arrive with the commit's (psycopg's pipeline mode): an append's dozen
    statements take 3 round trips instead of 13. Their `run` counts are then unknown (-1).

    `autocommit`: a read whose every statement stands on its own (each sees its own snapshot) runs
    without a transaction around it: on PostgreSQL one round trip per statement instead of three
    (BEGIN, the statement, COMMIT)."""
    dialect = engine.dialect.name
    if autocommit and write:
        raise ValueError("autocommit is for reads: a write needs its transaction")
    lost = False
    try:
        with _writing(engine, write):
            pooled = engine.raw_connection()
            driver: Any = pooled.driver_connection
            try:
                if autocommit and dialect == "postgresql":
                    driver.autocommit = True
                cursor = pooled.cursor()
                if dialect == "sqlite" and not autocommit:
                    cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                piped = (
                    driver.pipeline() if pipeline and dialect == "postgresql" else contextlib.nullcontext()
                )
                with piped:
                    yield DriverStatements(cursor, dialect)
                    pooled.commit()
            except BaseException:
                with contextlib.suppress(Exception):
                    pooled.rollback()
                if dialect == "postgresql" and (driver.closed or driver.broken):
                    lost = True
                    with contextlib.suppress(Exception):  # the error to report is the one that got here
                        # a restarted server leaves every idle pooled connection dead too: a new pool
                        pooled.invalidate()
                        engine.dispose()
                raise
            finally:
                if autocommit and dialect == "postgresql" and not lost:
                    try:
                        driver.autocommit = False
                    except Exception:  # never back to the pool so: a later write would lose its transaction
                        pooled.invalidate()
                pooled.close()  # back to the pool
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as error:
        failure = StoreConnectionLost if lost else StoreError
        raise failure(f"the store failed: {_first_line(error)}") from None


Result = TypeVar("Result")


def reconnecting(work: Callable[[], Result]) -> Result:
    """`work`, and once more if its connection to the store was lost (a restarted or failed-over
    server): the pool has been started anew, and the retry gets a new connection. An append whose
    commit reached the server before the connection died is not written twice: its retry fails on
    the decision's id, and its caller sees a StoreError."""
    try:
        return work()
    except StoreConnectionLost:
        log.warning("the store's connection was lost; retrying once on a new one")
        return work()


def migrate(engine: Engine, location: StoreLocation) -> None:
    """Bring the schema to HEAD_REVISION; concurrent openers wait for each other instead of racing."""
    with transaction(engine, write=False) as tx:
        if schema_revision(tx) == HEAD_REVISION:
            return
    if location.is_sqlite:
        with _file_lock(location.sqlite_path.with_name(location.sqlite_path.name + ".migrate-lock")):
            _upgrade(engine)
    else:
        _upgrade(engine, advisory_lock=True)


def _upgrade(engine: Engine, *, advisory_lock: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if advisory_lock:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        log.info("migrating the store to revision %s", HEAD_REVISION)
        command.upgrade(config, "head")


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _first_line(error: Exception) -> str:
    text_ = str(getattr(error, "orig", None) or error)
    return text_.strip().splitlines()[0][:300] if text_.strip() else type(error).__name__
