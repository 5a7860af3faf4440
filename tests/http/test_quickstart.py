"""The README's first command, `scripts/quickstart` (here without the install step): it judges the
examples, then leaves the service running on the example policy with a snippet waiting for review,
and prints the dashboard URL and a reviewer's key that work."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from codeward.testing import free_port, stop_process_group

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_quickstart_ends_with_the_service_running_on_the_example_policy(tmp_path: Path) -> None:
    port = free_port()
    environment = {**os.environ, "CODEWARD_HOME": str(tmp_path)}
    environment.pop("CODEWARD_DB", None)
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "quickstart"), "--no-install", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    output: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 180
        for line in process.stdout:
            output.append(line.decode())
            if "Ctrl-C stops the service" in output[-1] or time.monotonic() > deadline:
                break
        text = "".join(output)
        assert "Ctrl-C stops the service" in text, text[-3000:]
        assert f"dashboard   http://127.0.0.1:{port}/ui/" in text
        assert "policy example-org@1" in text  # the examples were judged with the example policy
        key = re.search(r"reviewer key \(shown once\): (cwk_\S+)", text)
        assert key is not None, text[-2000:]

        url = f"http://127.0.0.1:{port}"
        reviewer = {"Authorization": f"Bearer {key.group(1)}"}
        pending = httpx.get(f"{url}/v1/reviews", params={"status": "pending"}, headers=reviewer).json()
        assert len(pending) == 1 and "exec.remote_payload" in pending[0]["capabilities"]
        decision = httpx.get(f"{url}/v1/decisions/{pending[0]['decision_id']}").json()
        assert decision["decision"]["policy"]["id"] == "example-org"
        assert httpx.get(f"{url}/ui/login").status_code == 200
    finally:
        stop_process_group(process)
        if process.stdout is not None:
            process.stdout.close()
