"""Both `--server` relays against the running service, end to end: a held call waits for the reviewer
(`--wait-review`), who decides it through the service's own review API, and the hook process prints
what the reviewer decided; the person is who CODEWARD_TOKEN says."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from httpcases import as_

import codeward.adapters.hooks.relay as relay
from codeward.adapters.http.app import create_app
from codeward.adapters.http.service import Service
from codeward.store.records import ReviewStatus
from codeward.store.sql import SqlStore
from codeward.testing import serving
from servicecases import HELD_SNIPPET

RELAYS = {
    "python": [sys.executable, "-I", "-S", relay.__file__],
    "shell": [shutil.which("bash") or "bash", "-p", str(Path(relay.__file__).with_name("relay.sh"))],
}


@pytest.fixture
def running(service: Service, keys: dict[str, str]) -> Iterator[str]:
    with serving(create_app(service=service)) as url:
        yield url


def reviewer(url: str, key: dict[str, str], store: SqlStore, verdict: str) -> threading.Thread:
    """Rita, deciding the first pending review through the API as soon as it is there."""

    def decide() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pending = store.reviews(status=ReviewStatus.PENDING)
            if pending:
                httpx.post(
                    f"{url}/v1/reviews/{pending[0].id}/{verdict}",
                    json={"comment": "looked at it"},
                    headers=key,
                ).raise_for_status()
                return
            time.sleep(0.05)

    thread = threading.Thread(target=decide)
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("which", "verdict", "expected"), [("shell", "approve", "allow"), ("python", "deny", "deny")]
)
def test_a_held_call_waits_for_the_reviewer_through_either_relay(
    running: str,
    keys: dict[str, str],
    store: SqlStore,
    tmp_path: Path,
    which: str,
    verdict: str,
    expected: str,
) -> None:
    payload = {
        "session_id": "s-1",
        "cwd": str(tmp_path),
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": HELD_SNIPPET},
        "tool_use_id": "t-1",
    }
    deciding = reviewer(running, as_(keys, "rita"), store, verdict)
    done = subprocess.run(
        [*RELAYS[which], "claude-code", "--server", running, "--wait-review", "20", "--deadline", "30"],
        input=json.dumps(payload).encode(),
        capture_output=True,
        env={**os.environ, "CODEWARD_HOME": str(tmp_path), "CODEWARD_TOKEN": keys["alice"]},
        timeout=60,
        check=False,
    )
    deciding.join()
    answer = json.loads(done.stdout)["hookSpecificOutput"]
    assert answer["permissionDecision"] == expected, done
    assert f"{'approved' if verdict == 'approve' else 'denied'} by rita" in answer["permissionDecisionReason"]
    (item,) = [i for i in store.reviews() if i.status is not ReviewStatus.PENDING]
    assert item.requester == "alice"
