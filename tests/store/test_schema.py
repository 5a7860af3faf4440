"""Opening a store creates or upgrades its schema; `codeward check`'s light path writes the same chain."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from codeward import Actor, Context, Guard, Subject
from codeward.errors import StoreError
from codeward.store import tables
from codeward.store.local import SqliteLedger, store_for_check
from codeward.store.location import locate
from codeward.store.records import AuditQuery
from codeward.store.sql import SqlStore


def test_the_migrated_schema_is_the_one_the_queries_are_written_against(store_url: str) -> None:
    store = SqlStore.open(locate(store_url))
    try:
        found = inspect(store.engine)
        for table in tables.metadata.sorted_tables:
            columns = {c["name"] for c in found.get_columns(table.name)}
            assert columns == set(table.columns.keys()), table.name
            indexed = {tuple(i["column_names"]) for i in found.get_indexes(table.name)}
            for column in table.columns:
                if column.index:
                    assert (column.name,) in indexed, f"{table.name}.{column.name} is not indexed"
            for index in table.indexes:
                assert tuple(c.name for c in index.columns) in indexed, f"{index.name} is missing"
        assert store.head() == (0, "0" * 64)
    finally:
        store.close()


def test_opening_again_keeps_the_records(store_url: str) -> None:
    first = SqlStore.open(locate(store_url))
    Guard(sandbox_mode="never", store=first).check(Subject(kind="command", content="ls"))
    first.close()
    second = SqlStore.open(locate(store_url))
    try:
        assert second.verify().records == 1
    finally:
        second.close()


def test_an_unsupported_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="unsupported store URL mysql"):
        locate("mysql://db/codeward")


def test_the_store_location_follows_db_then_the_environment_then_home(tmp_path: Path) -> None:
    assert locate(None, {"CODEWARD_HOME": str(tmp_path)}).url == f"sqlite:///{tmp_path}/codeward.db"
    assert locate(None, {"CODEWARD_DB": "postgresql://u:pw@h/db"}).url == "postgresql+psycopg://u:pw@h/db"
    assert locate("postgresql://u:pw@h/db").display == "postgresql+psycopg://u:***@h/db"
    assert locate(str(tmp_path / "x.db")).sqlite_path == tmp_path / "x.db"


def test_the_check_path_and_the_service_append_to_one_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'codeward.db'}"
    light = store_for_check(url)
    assert isinstance(light, SqliteLedger)
    guard = Guard(sandbox_mode="never", store=light)
    first = guard.check(Subject(kind="command", content="ls"), Context(actor=Actor(id="cli-user")))
    service = SqlStore.open(locate(url))
    try:
        Guard(sandbox_mode="never", store=service).check(Subject(kind="command", content="pwd"))
        guard.check(Subject(kind="command", content="whoami"))
        report = service.verify()
        assert report.intact and report.records == 3
        assert service.audit(AuditQuery(limit=1))[0].ref == first.decision_id
    finally:
        light.close()  # type: ignore[attr-defined]
        service.close()


def _append(url: str, count: int) -> None:
    guard = Guard(sandbox_mode="never", store=store_for_check(url))
    for n in range(count):
        guard.check(Subject(kind="command", content=f"echo {n}"))


def test_processes_appending_to_one_sqlite_file_never_fork_the_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'codeward.db'}"
    SqlStore.open(locate(url)).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append, args=(url, 25)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    store = SqlStore.open(locate(url))
    try:
        report = store.verify()
        assert report.intact and report.records == 75
    finally:
        store.close()


def test_a_store_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    broken = tmp_path / "codeward.db"
    broken.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the store"):
        SqliteLedger(locate(str(broken))).session_events("s", since=0)
    with pytest.raises(StoreError):
        SqlStore.open(locate(str(broken)))


def test_a_store_from_before_the_running_counts_gets_them_filled_in_on_open(store_url: str) -> None:
    """Decisions recorded under revision 0001 appear in /metrics after the upgrade, as if counted live."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from codeward.store.database import MIGRATIONS

    engine = create_engine(locate(store_url).url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        now_ms = int(time.time() * 1000)
        for index, (action, latency, capabilities) in enumerate(
            [
                ("allow", 0.4, []),
                ("block", 3.0, ["fs.delete.recursive", "disk.overwrite"]),
                ("review", 30.0, ["net.exfiltrate"]),
            ]
        ):
            connection.execute(
                text(
                    "INSERT INTO decisions (id, audit_seq, at_ms, actor_id, actor_verified, action, risk, intent, "
                    "subculture, language, kind, mode, session_id, policy_id, policy_version, content_sha256, "
                    "latency_ms, review_id) VALUES (:id, :seq, :at, 'alice', true, :action, 10, 'general', "
                    "'general', 'bash', 'command', 'execute', NULL, 'default', '1', :sha, :latency, NULL)"
                ),
                {
                    "id": f"d{index}",
                    "seq": index + 1,
                    "at": now_ms,
                    "action": action,
                    "sha": "0" * 64,
                    "latency": latency,
                },
            )
            for capability in capabilities:
                connection.execute(
                    text("INSERT INTO decision_capabilities (decision_id, capability) VALUES (:d, :c)"),
                    {"d": f"d{index}", "c": capability},
                )
    engine.dispose()
    store = SqlStore.open(locate(store_url))
    try:
        snapshot = store.metrics()
        by_capability = {capability: count for _a, capability, _i, _s, count in snapshot.decisions}
        assert by_capability == {
            "none": 1,
            "fs.delete.recursive": 1,
            "disk.overwrite": 1,
            "net.exfiltrate": 1,
        }
        assert snapshot.latency_count == 3 and abs(snapshot.latency_sum_seconds - 0.0334) < 1e-9
        assert dict(snapshot.latency_buckets)[0.001] == 1 and dict(snapshot.latency_buckets)[0.025] == 2
        week = [w for w in snapshot.windows if w[0] == "7d"]
        assert week == [("7d", "general", 3, 1, 1)]
    finally:
        store.close()
