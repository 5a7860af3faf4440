"""Opening a store with SQLAlchemy: the engine, its SQLite settings, and migrations on open.

SQLite runs in WAL mode with `synchronous=FULL` (a committed decision survives a power cut), and
writes start with `BEGIN IMMEDIATE`, so two processes appending at once queue on the lock instead
of failing half-way. Migrations are Alembic revisions shipped in `codeward/store/migrations`.
"""

from __future__ import annotations

import fcntl
import functools
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.elements import TextClause

from codeward.errors import StoreError
from codeward.store.ledger import HEAD_REVISION, schema_revision
from codeward.store.location import StoreLocation

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_SECONDS = 30.0
_MIGRATION_LOCK = 0x636F6465  # a fixed PostgreSQL advisory-lock key: "code"

log = logging.getLogger("codeward.store")


class SqlStatements:
    """The ledger's statement interface over one SQLAlchemy connection in a transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.connection.execute(_statement(sql), dict(params))]

    def run(self, sql: str, params: Mapping[str, Any]) -> int:
        return int(self.connection.execute(_statement(sql), dict(params)).rowcount)

    def run_many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None:
        if params:
            self.connection.execute(_statement(sql), [dict(p) for p in params])


@functools.lru_cache(maxsize=256)
def _statement(sql: str) -> TextClause:
    """The ledger's few statements are parsed once, not on every append."""
    return text(sql)


def create(location: StoreLocation, *, pool_size: int = 5) -> Engine:
    """An engine for `location`, migrated to the schema this code writes."""
    try:
        if location.is_sqlite:
            engine = _sqlite_engine(location)
        else:
            engine = create_engine(
                location.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
            )
        migrate(engine, location)
    except SQLAlchemyError as error:
        raise StoreError(f"cannot open the store {location.display}: {_first_line(error)}") from None
    return engine


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


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[SqlStatements]:
    """One transaction; on SQLite a writing one holds the write lock from its first statement."""
    try:
        with engine.connect() as connection:
            if write:
                connection = connection.execution_options(codeward_write=True)
            with connection.begin():
                yield SqlStatements(connection)
    except SQLAlchemyError as error:
        raise StoreError(f"the store failed: {_first_line(error)}") from None


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
