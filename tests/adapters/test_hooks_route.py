"""Hooks answered by the service: the client's payload in, the client's answer out, as the hook
process would print it; and `codeward hook --server` relaying to it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from codeward import Guard
from codeward.adapters.http.hooks import router_for

PAYLOAD = {
    "session_id": "s",
    "transcript_path": None,
    "cwd": "/tmp",
    "permission_mode": "default",
    "hook_event_name": "PreToolUse",
    "tool_name": "Bash",
    "tool_input": {"command": "echo FORBIDDEN_MARKER"},
    "tool_use_id": "t",
}
POLICY = "codeward: 1\nid: svc\nfail: closed\ndeny:\n  - {id: no-marker, pattern: 'FORBIDDEN_MARKER', reason: forbidden here}\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    policy = tmp_path_factory.mktemp("svc") / "svc.yaml"
    policy.write_text(POLICY)
    app = FastAPI()
    app.include_router(router_for(Guard([str(policy)], sandbox_mode="never")))
    return app


def test_the_route_answers_in_the_clients_dialect(app: FastAPI) -> None:
    response = TestClient(app).post("/v1/hooks/claude-code", json=PAYLOAD)
    assert response.status_code == 200
    decision = response.json()["hookSpecificOutput"]
    assert (
        decision["permissionDecision"] == "deny" and "forbidden here" in decision["permissionDecisionReason"]
    )
    assert response.headers["x-codeward-exit-code"] == "0"


def test_silence_is_marked_for_the_relay_and_an_empty_object_for_http_callers(app: FastAPI) -> None:
    allowed = {**PAYLOAD, "tool_input": {"command": "ls"}}
    response = TestClient(app).post("/v1/hooks/codex", json=allowed)
    assert response.json() == {} and response.headers["x-codeward-silent"] == "1"


def test_unreadable_input_is_denied_with_the_problem_in_a_header(app: FastAPI) -> None:
    response = TestClient(app).post("/v1/hooks/codex", content=b"{nope")
    assert response.json()["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "not valid JSON" in response.headers["x-codeward-problem"]


def test_an_unknown_client_is_404(app: FastAPI) -> None:
    assert TestClient(app).post("/v1/hooks/vim", json=PAYLOAD).status_code == 404


@pytest.fixture(scope="module")
def service(app: FastAPI) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_hook_process_relays_to_the_service(service: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "codeward.adapters.entry", "hook", "gemini", "--server", service],
        input=json.dumps(
            {**PAYLOAD, "hook_event_name": "BeforeTool", "tool_name": "run_shell_command"}
        ).encode(),
        capture_output=True,
        env={**os.environ, "CODEWARD_HOME": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    answer = json.loads(done.stdout)
    assert answer["decision"] == "deny" and "forbidden here" in answer["reason"]
