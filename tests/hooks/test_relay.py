"""The relay, the hook's fast path: it forwards the payload to a service (or the warm worker) with the
hook's options, prints the answer it gets back, and imports almost nothing while doing so; run as a
script without `site` it still finds the engine when it has to fall back to the full path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hookcases import shell_payload

import codeward.adapters.hooks.relay as relay

RELAY_SCRIPT = relay.__file__
HEAVY_MODULES = ("json", "socket", "re", "typing", "urllib.parse", "contextlib", "hashlib", "pydantic")


class RecordingService:
    """Answers `/v1/hooks/CLIENT` like the codeward service does, and records what it was sent."""

    def __init__(self, *, headers: dict[str, str], body: bytes) -> None:
        self.requests: list[dict[str, Any]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                service.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
                )
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


DENIAL = b'{"decision": "deny", "reason": "codeward block"}'


@pytest.fixture
def service() -> Iterator[RecordingService]:
    running = RecordingService(
        headers={"X-Codeward-Exit-Code": "0", "X-Codeward-Problem": "a problem worth logging"}, body=DENIAL
    )
    yield running
    running.close()


def run_relay(argv: list[str], payload: bytes, home: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    """The relay as a script under `python -I -S`, the cheapest way to start it."""
    return subprocess.run(
        [sys.executable, "-I", "-S", RELAY_SCRIPT, *argv],
        input=payload,
        capture_output=True,
        env={**os.environ, "CODEWARD_HOME": str(home), **env},
        timeout=60,
        check=False,
    )


def test_the_relay_forwards_the_payload_and_options_and_prints_the_answer(
    service: RecordingService, tmp_path: Path
) -> None:
    payload = json.dumps(shell_payload("gemini", "ls")).encode()
    argv = ["gemini", "--server", service.url + "/", "--intent", "security research ü&x", "--review=deny"]
    done = run_relay(argv, payload, tmp_path, CODEWARD_TOKEN="tok-123")

    assert done.returncode == 0
    assert done.stdout == DENIAL + b"\n"
    assert done.stderr == b"a problem worth logging\n"
    (request,) = service.requests
    url = urlsplit(request["path"])
    assert url.path == "/v1/hooks/gemini"
    query = parse_qs(url.query)
    assert query["intent"] == ["security research ü&x"] and query["review"] == ["deny"]
    assert float(query["deadline"][0]) > 0
    assert request["headers"]["Authorization"] == "Bearer tok-123"
    assert request["body"] == payload


def test_an_answer_without_codewards_headers_is_not_trusted(tmp_path: Path) -> None:
    """Something else answering on the port: its `allow` is not taken; the relay denies."""
    impostor = RecordingService(headers={}, body=b'{"decision": "allow"}')
    try:
        payload = json.dumps(shell_payload("gemini", "ls")).encode()
        done = run_relay(["gemini", "--server", impostor.url], payload, tmp_path)
    finally:
        impostor.close()
    assert done.returncode == 0
    answer = json.loads(done.stdout)
    assert answer["decision"] == "deny" and "not a codeward hook answer" in answer["reason"]


def test_an_unreachable_service_falls_back_to_the_full_path_even_without_site(tmp_path: Path) -> None:
    done = run_relay(
        ["codex", "--server", "http://127.0.0.1:9"],
        json.dumps(shell_payload("codex", "ls")).encode(),
        tmp_path,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert b"unreachable" in done.stderr


@pytest.mark.parametrize(
    "url", ["https://codeward.example", "http://user:pw@127.0.0.1:1", "http://[::1", "ftp://x", "http://:80"]
)
def test_urls_the_relay_cannot_speak_to_go_the_full_path(url: str) -> None:
    assert relay._http_url(url) is None


def test_the_relay_reads_host_port_and_base_path() -> None:
    assert relay._http_url("http://127.0.0.1:8731") == ("127.0.0.1", 8731, "")
    assert relay._http_url("http://[::1]:8731/codeward/") == ("::1", 8731, "/codeward")
    assert relay._http_url("http://localhost") == ("localhost", 80, "")


def test_the_fast_path_imports_nothing_heavy(service: RecordingService, tmp_path: Path) -> None:
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import codeward.adapters.hooks.relay as r; "
        "code = r.main(['gemini', '--server', sys.argv[2]]); "
        f"sys.stderr.write(repr(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe, str(Path(RELAY_SCRIPT).parents[3]), service.url],
        input=json.dumps(shell_payload("gemini", "ls")).encode(),
        capture_output=True,
        env={**os.environ, "CODEWARD_HOME": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert done.stdout == DENIAL + b"\n", done.stderr
    assert done.stderr.endswith(b"[]"), done.stderr


def run_relay_never_fed(argv: list[str], home: Path) -> subprocess.CompletedProcess[bytes]:
    """The relay with its stdin left open and never written to: only its own deadline ends it."""
    process = subprocess.Popen(
        [sys.executable, "-I", "-S", RELAY_SCRIPT, *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CODEWARD_HOME": str(home)},
    )
    try:
        process.wait(timeout=60)
        assert process.stdout is not None and process.stderr is not None
        return subprocess.CompletedProcess(
            process.args, process.returncode, process.stdout.read(), process.stderr.read()
        )
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize(
    "argv",
    [
        ["claude-code", "--deadline", "1"],  # the relay, before asking the worker
        ["cursor", "--deadline", "1", "--server", "http://127.0.0.1:9"],  # the relay, before the service
        ["claude-code", "--no-worker", "--deadline", "1"],  # the full path (`codeward hook`)
    ],
)
def test_an_input_that_never_ends_is_denied_at_the_deadline(argv: list[str], tmp_path: Path) -> None:
    done = run_relay_never_fed(argv, tmp_path)
    verdict = json.loads(done.stdout)
    decision = verdict.get("permission") or verdict["hookSpecificOutput"]["permissionDecision"]
    assert decision == "deny" and b"did not end within the hook's deadline" in done.stderr


def test_an_input_larger_than_any_hook_payload_is_denied_unread(tmp_path: Path) -> None:
    done = run_relay(["gemini", "--deadline", "30"], b" " * (relay.MAX_INPUT_BYTES + 1), tmp_path)
    answer = json.loads(done.stdout)
    assert answer["decision"] == "deny" and "larger than 64 MiB" in answer["reason"]
