"""Concurrent appends share commits, yet each caller returns only after its own record is written,
and one bad record fails only its own caller."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from codeward.store.sql import GroupCommit


def test_concurrent_callers_share_commits_and_each_gets_its_own_outcome() -> None:
    batches: list[list[int]] = []

    def write(batch: list[int]) -> list[int]:
        time.sleep(0.01)  # a commit's fsync
        batches.append(batch)
        return [item * 10 for item in batch]

    commits = GroupCommit(write)
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(commits.submit, range(64)))
    assert outcomes == [n * 10 for n in range(64)]
    assert sorted(item for batch in batches for item in batch) == list(range(64))
    assert len(batches) < 64


def test_a_failing_record_fails_only_its_caller() -> None:
    def write(batch: list[int]) -> list[int]:
        if 13 in batch:
            raise ValueError("unlucky")
        return batch

    commits = GroupCommit(write)
    results: dict[int, object] = {}
    start = threading.Barrier(8)

    def submit(item: int) -> None:
        start.wait()
        try:
            results[item] = commits.submit(item)
        except ValueError as error:
            results[item] = error

    threads = [threading.Thread(target=submit, args=(n,)) for n in (10, 11, 12, 13, 14, 15, 16, 17)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert isinstance(results.pop(13), ValueError)
    assert results == {n: n for n in (10, 11, 12, 14, 15, 16, 17)}
    with pytest.raises(ValueError):
        commits.submit(13)


def test_under_sustained_load_no_caller_writes_for_others_after_its_own_record() -> None:
    """A caller leads at most the one batch that holds its own record, then hands the lead over:
    otherwise, under steady traffic, the first caller would never return."""
    written_by: list[tuple[int, list[tuple[int, int]]]] = []

    def write(batch: list[tuple[int, int]]) -> list[None]:
        time.sleep(0.002)
        written_by.append((threading.get_ident(), batch))
        return [None] * len(batch)

    commits: GroupCommit[tuple[int, int], None] = GroupCommit(write)

    def caller() -> None:
        for n in range(30):
            commits.submit((threading.get_ident(), n))

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert sum(len(batch) for _, batch in written_by) == 8 * 30
    assert len(written_by) < 8 * 30, "concurrent callers should have shared commits"
    for writer, batch in written_by:
        assert any(owner == writer for owner, _ in batch), "a caller wrote a batch without its own record"
