"""SQLite writers take turns on a lock file, so a writer waits in the kernel's queue for the one
before it instead of sleeping through SQLite's busy retries; processes appending at once still
build one unforked chain."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
from pathlib import Path

from codeward import Actor, Context, Guard, Subject
from codeward.store.location import locate
from codeward.store.sql import SqlStore

ALICE = Actor(id="alice", roles=["developer"], verified=True, method="token")


def test_a_writer_waits_for_the_turn_another_process_holds(tmp_path: Path) -> None:
    database = tmp_path / "codeward.db"
    store = SqlStore.open(locate(f"sqlite:///{database}"))
    try:
        guard = Guard(sandbox_mode="never", store=store)
        held = os.open(tmp_path / "codeward.db.write-lock", os.O_RDWR | os.O_CREAT)
        written = threading.Event()
        try:
            fcntl.flock(held, fcntl.LOCK_EX)  # as another process's writer would
            writer = threading.Thread(
                target=lambda: (guard.check(Subject(content="ls"), Context(actor=ALICE)), written.set())
            )
            writer.start()
            assert not written.wait(0.5), "the decision was written while another writer had the turn"
            fcntl.flock(held, fcntl.LOCK_UN)
            assert written.wait(30), "the decision was not written once the turn was free"
            writer.join()
        finally:
            os.close(held)
        assert store.verify().records == 1
    finally:
        store.close()


def _append(database: str, count: int) -> None:
    store = SqlStore.open(locate(f"sqlite:///{database}"))
    guard = Guard(sandbox_mode="never", store=store)
    for n in range(count):
        guard.check(Subject(content=f"echo {os.getpid()} {n}"), Context(actor=ALICE))
    store.close()


def test_processes_appending_at_once_build_one_chain(tmp_path: Path) -> None:
    database = str(tmp_path / "codeward.db")
    SqlStore.open(locate(f"sqlite:///{database}")).close()  # migrated once, as `codeward serve` does
    spawn = multiprocessing.get_context("spawn")
    writers = [spawn.Process(target=_append, args=(database, 40)) for _ in range(3)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
    assert [writer.exitcode for writer in writers] == [0, 0, 0]
    store = SqlStore.open(locate(f"sqlite:///{database}"))
    try:
        report = store.verify()
        assert report.intact and report.records == 120
    finally:
        store.close()
