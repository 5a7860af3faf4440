"""What the store, service and browser tests share: a throwaway PostgreSQL database, a test policy
that holds and stops on markers, and a way to run `codeward serve` as a real process."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeward.testing import free_port, scratch_postgres_database

POSTGRES = os.environ.get("CODEWARD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")

POLICY = """\
codeward: 1
id: service-test
version: "7"
deny:
  - {id: hold-marker, pattern: 'HOLD_FOR_REVIEW', reason: the test policy holds this for review}
  - {id: stop-marker, pattern: 'STOP_HERE', reason: the test policy stops this}
rules:
  - id: hold-marker-for-review
    match: {capabilities: [policy.deny_list], when: 'finding.rule_id == "policy.deny.hold-marker"'}
    action: review
"""

HELD_SNIPPET = "echo one\necho two\necho HOLD_FOR_REVIEW\necho four\n"
"""Its third line is the one a reviewer must see highlighted."""


def write_policy(directory: Path) -> Path:
    path = directory / "service-test.yaml"
    path.write_text(POLICY)
    return path


def postgres_reachable() -> str | None:
    """None when PostgreSQL answers; otherwise why not (shown as the skip reason)."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES, connect_timeout=3):
            return None
    except Exception as error:  # any failure means: skip, visibly
        return f"PostgreSQL at {POSTGRES} is not reachable: {str(error).strip()[:200]}"


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A uniquely named database created for one test and dropped after it."""
    reason = postgres_reachable()
    if reason is not None:
        pytest.skip(reason)
    with scratch_postgres_database(POSTGRES) as url:
        yield url


@contextlib.contextmanager
def database_url(backend: str, directory: Path) -> Iterator[str]:
    if backend == "postgres":
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{directory / 'codeward.db'}"


@contextlib.contextmanager
def running_service(*arguments: str, home: Path, timeout: float = 60.0) -> Iterator[str]:
    """`codeward serve` as a real process on a free port; stopped (and reaped) when the block ends."""
    port = free_port()
    environment = {**os.environ, "CODEWARD_HOME": str(home)}
    environment.pop("CODEWARD_DB", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "codeward.adapters.cli", "serve", "--port", str(port), *arguments],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"codeward serve exited: {process.stderr.read().decode()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if time.monotonic() > deadline:
                raise AssertionError("codeward serve did not start listening in time")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
