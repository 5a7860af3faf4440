"""Crash safety: `codeward serve` (2 workers) is killed with SIGKILL in the middle of a load from
several clients, then started again on the same store. Every decision that got a 200 is in the
audit log, and the hash chain verifies, on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from codeward import Actor
from codeward.identity import key_hash
from codeward.store.location import locate
from codeward.store.sql import SqlStore
from servicecases import HELD_SNIPPET, database_url, free_port, write_policy

pytestmark = pytest.mark.slow

READER = "cwk_rita_" + "r" * 30
CLIENTS = 6
LOAD_SECONDS = 2.5
START_TIMEOUT = 90.0


@contextlib.contextmanager
def serve(db: str, policy: Path, home: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`codeward serve --workers 2` in a process group of its own, so that the kill reaches every
    worker; reaped (and killed, if still alive) when the block ends."""
    command = [sys.executable, "-m", "codeward.adapters.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", "2", "--db", db, "--policy", str(policy)],
        env={**os.environ, "CODEWARD_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("codeward serve did not come up")
            time.sleep(0.2)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def load(url: str, stop: threading.Event, confirmed: list[str], index: int) -> None:
    """One client: decisions until told to stop; the ids of those answered 200 go in `confirmed`."""
    with httpx.Client(base_url=url, timeout=10) as client:
        n = 0
        while not stop.is_set():
            n += 1
            content = HELD_SNIPPET if n % 7 == 0 else f"echo client {index} request {n}\nls -la build/{n}"
            try:
                response = client.post("/v1/check", json={"subject": {"kind": "command", "content": content}})
            except httpx.HTTPError:
                time.sleep(0.01)  # the server is gone: keep trying until the test stops the clients
                continue
            if response.status_code == 200:
                confirmed.append(response.json()["decision_id"])


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_every_answered_decision_survives_a_sigkill_and_the_chain_verifies(
    backend: str, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path)
    with database_url(backend, tmp_path) as db:
        store = SqlStore.open(locate(db))
        store.add_api_key(
            key_hash(READER), Actor(id="rita", roles=["reviewer"]), label="r", created_by="test"
        )
        store.close()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        confirmed: list[str] = []
        stop = threading.Event()
        with serve(db, policy, tmp_path / "home", port) as server:
            clients = [
                threading.Thread(target=load, args=(url, stop, confirmed, i), daemon=True)
                for i in range(CLIENTS)
            ]
            for client in clients:
                client.start()
            time.sleep(LOAD_SECONDS)
            answered_before_kill = len(confirmed)
            os.killpg(server.pid, signal.SIGKILL)  # mid-load: requests are in flight in both workers
            server.wait(timeout=30)
            time.sleep(0.3)
            stop.set()
            for client in clients:
                client.join(timeout=30)
        assert answered_before_kill >= 20, "the load never got going: nothing was tested"

        port = free_port()
        again = f"http://127.0.0.1:{port}"
        with serve(db, policy, tmp_path / "home", port):
            reader = {"Authorization": f"Bearer {READER}"}
            exported = httpx.get(f"{again}/v1/audit/export", headers=reader, timeout=60)
            assert exported.status_code == 200
            logged = {
                record["ref"]
                for record in map(json.loads, exported.text.splitlines())
                if record["kind"] == "decision"
            }
            missing = [decision for decision in confirmed if decision not in logged]
            assert not missing, f"{len(missing)} of {len(confirmed)} answered decisions are not in the log"
            report = httpx.post(f"{again}/v1/audit/verify", headers=reader, timeout=60).json()
            assert report["intact"] is True, report
            assert report["records"] >= len(confirmed)
            print(  # shown with -s; docs/reliability.md quotes it
                f"{backend}: {len(confirmed)} decisions answered 200 ({answered_before_kill} before the kill "
                f"was sent), all {len(confirmed)} in the log of {report['records']} records; chain intact"
            )

            after = httpx.post(f"{again}/v1/check", json={"subject": {"content": "ls"}}, timeout=30)
            assert after.status_code == 200
            final = httpx.post(f"{again}/v1/audit/verify", headers=reader, timeout=60).json()
            assert final["intact"] is True and final["records"] == report["records"] + 1
