"""Both `--server` relays, the Python one (`python -I -S relay.py`) and the shell one (`bash relay.sh`,
which `codeward install CLIENT --server http://…` writes): they forward the payload and the hook's
options (its deadline less a margin, `wait_review`) to the service's hook route and print its answer;
and whatever goes wrong on the way, a service that is down, hangs, or answers anything but a codeward
hook answer, each client gets a deny in its own dialect, the same words from either relay."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from hookcases import ALL_CLIENTS, message, outcome, shell_payload

import codeward.adapters.hooks.relay as relay
from codeward import Guard
from codeward.adapters.hooks import dialect
from codeward.adapters.hooks.protocol import HookAnswer
from codeward.adapters.http.hooks import router_for
from codeward.adapters.install import hook_command, install, is_codeward_hook, uninstall
from codeward.testing import serving

SHELL_RELAY = str(Path(relay.__file__).with_name("relay.sh"))
BASH = shutil.which("bash")
RELAYS = {
    "python": [sys.executable, "-I", "-S", str(Path(relay.__file__).with_name("launch.py"))],
    "shell": [BASH or "bash", "-p", SHELL_RELAY],
}
pytestmark = pytest.mark.skipif(BASH is None, reason="the shell relay needs bash")


def run(
    which: str, argv: list[str], payload: bytes, home: Path, **env: str
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*RELAYS[which], *argv],
        input=payload,
        capture_output=True,
        env={**os.environ, "CODEWARD_HOME": str(home), **env},
        timeout=60,
        check=False,
    )


def answer_of(done: subprocess.CompletedProcess[bytes]) -> HookAnswer:
    return HookAnswer(done.stdout.decode(), done.stderr.decode(), done.returncode)


class Scripted:
    """A TCP server that reads one request and answers with `reply` bytes (or, None, never answers;
    it then keeps the connection open until closed). It records each request's bytes."""

    def __init__(self, reply: bytes | None) -> None:
        self.reply = reply
        self.requests: list[bytes] = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.requests.append(_read_request(connection))
            if self.reply is None:
                self.held.append(connection)
                continue
            connection.sendall(self.reply)
            connection.close()

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


def _read_request(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def http_reply(body: bytes, headers: dict[str, str], status: str = "200 OK") -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items())]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


DENIAL = b'{"decision": "deny", "reason": "codeward block"}'


@pytest.fixture
def scripted() -> Iterator[list[Scripted]]:
    made: list[Scripted] = []
    yield made
    for server in made:
        server.close()


def scripted_at(made: list[Scripted], reply: bytes | None) -> str:
    made.append(Scripted(reply))
    return made[-1].url


# ---------------------------------------------------------------------------------------------- forwarding
@pytest.mark.parametrize("which", sorted(RELAYS))
def test_the_payload_options_wait_review_and_a_shorter_deadline_reach_the_service(
    which: str, scripted: list[Scripted], tmp_path: Path
) -> None:
    url = scripted_at(
        scripted, http_reply(DENIAL, {"X-Codeward-Exit-Code": "0", "X-Codeward-Problem": "noted"})
    )
    payload = json.dumps(shell_payload("gemini", "ls " + "x" * 200_000)).encode()  # past one read
    argv = ["gemini", "--server", url + "/", "--intent", "security research ü&x", "--env=staging"]
    argv += ["--confirm", "deny", "--review", "ask", "--deadline", "4", "--wait-review", "2.5"]
    done = run(which, argv, payload, tmp_path, CODEWARD_TOKEN=" tok-123 ")

    assert (done.returncode, done.stdout, done.stderr) == (0, DENIAL + b"\n", b"noted\n")
    (request,) = scripted[0].requests
    head, _, body = request.partition(b"\r\n\r\n")
    assert body == payload
    request_line, *headers = head.decode().split("\r\n")
    method, target, _ = request_line.split(" ")
    assert method == "POST" and urlsplit(target).path == "/v1/hooks/gemini"
    query = {k: v for k, (v,) in parse_qs(urlsplit(target).query).items()}
    assert query["intent"] == "security research ü&x" and query["env"] == "staging"
    assert (query["confirm"], query["review"], query["wait_review"]) == ("deny", "ask", "2.5")
    assert 3.0 <= float(query["deadline"]) <= 3.6, "the service answers before the relay gives up"
    assert "Authorization: Bearer tok-123" in headers


@pytest.mark.parametrize("which", sorted(RELAYS))
def test_a_blocking_answer_keeps_its_exit_code_and_reason_and_silence_prints_nothing(
    which: str, scripted: list[Scripted], tmp_path: Path
) -> None:
    payload = json.dumps(shell_payload("codex", "ls")).encode()
    blocked = scripted_at(
        scripted, http_reply(b"{}", {"X-Codeward-Exit-Code": "2", "X-Codeward-Silent": "1"})
    )
    done = run(which, ["codex", "--server", blocked], payload, tmp_path)
    assert done.returncode == 2 and done.stdout == b"" and done.stderr.strip(), "Codex needs a reason"
    silent = scripted_at(scripted, http_reply(b"{}", {"X-Codeward-Exit-Code": "0", "X-Codeward-Silent": "1"}))
    done = run(which, ["codex", "--server", silent], payload, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")


# ---------------------------------------------------------------------------------------------- failing closed
def _down() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"  # nobody listens there once closed


FAILURES: dict[str, tuple[bytes | None, str]] = {
    "not a codeward answer": (
        http_reply(b'{"decision": "allow"}', {}),
        "not a codeward hook answer",
    ),
    "bad JSON": (
        http_reply(b"allow", {"X-Codeward-Exit-Code": "0"}),
        "is not a JSON object",
    ),
    "an exit code clients ignore": (
        http_reply(b'{"permission": "allow"}', {"X-Codeward-Exit-Code": "1"}),
        "not a codeward hook answer",
    ),
    "HTTP 500": (
        http_reply(b"{}", {"X-Codeward-Exit-Code": "0"}, status="500 Internal Server Error"),
        "answered HTTP 500",
    ),
    "cut short": (
        http_reply(b'{"decision": "allow"}', {"X-Codeward-Exit-Code": "0"})[:-5],
        "was cut short",
    ),
    "not HTTP": (b"SSH-2.0-OpenSSH_9.2\r\n", "not"),
    "timeout": (None, "gave no answer within the hook's deadline"),
}


@pytest.mark.parametrize("client", ALL_CLIENTS)
@pytest.mark.parametrize("which", sorted(RELAYS))
@pytest.mark.parametrize("failure", [*FAILURES, "down"])
def test_every_failure_is_a_deny_in_the_clients_own_dialect(
    failure: str, which: str, client: str, scripted: list[Scripted], tmp_path: Path
) -> None:
    if failure == "down":
        url, expected = _down(), "is unreachable"
    else:
        reply, expected = FAILURES[failure]
        url = scripted_at(scripted, reply)
    payload = json.dumps(shell_payload(client, "ls")).encode()
    done = run(which, [client, "--server", url, "--deadline", "1"], payload, tmp_path)

    answer = answer_of(done)
    assert outcome(client, answer) == "deny", answer
    assert expected in message(client, answer) and "codeward could not judge this" in message(client, answer)
    assert done.stderr.decode().startswith("codeward: no decision from the codeward service")
    logged = json.loads((tmp_path / "logs" / "hooks.log").read_text().splitlines()[-1])
    assert logged["client"] == dialect(client).name and expected in logged["problem"]


def test_a_service_whose_backlog_is_full_cannot_hold_the_hook_past_its_deadline(tmp_path: Path) -> None:
    """A connect that never completes (SYNs dropped): the watchdog still answers at the deadline."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    queued = []
    for _ in range(8):  # fill the accept queue; nobody accepts
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(listener.getsockname())
        queued.append(filler)
    try:
        for which in sorted(RELAYS):
            payload = json.dumps(shell_payload("claude-code", "ls")).encode()
            done = run(which, ["claude-code", "--server", url, "--deadline", "0.5"], payload, tmp_path)
            assert outcome("claude-code", answer_of(done)) == "deny", (which, done)
    finally:
        for filler in queued:
            filler.close()
        listener.close()


@pytest.mark.parametrize("client", ALL_CLIENTS)
def test_both_relays_deny_a_failure_in_the_same_words(client: str, tmp_path: Path) -> None:
    url = _down()
    payload = json.dumps(shell_payload(client, "ls")).encode()
    python, shell = (
        run(which, [client, "--server", url], payload, tmp_path) for which in ("python", "shell")
    )
    assert (shell.returncode, shell.stdout, shell.stderr) == (python.returncode, python.stdout, python.stderr)


@pytest.mark.parametrize("which", sorted(RELAYS))
def test_a_closed_stdout_or_an_unknown_client_is_exit_2_with_the_reason(which: str, tmp_path: Path) -> None:
    payload = json.dumps(shell_payload("claude-code", "ls")).encode()
    unknown = run(which, ["vim", "--server", _down()], payload, tmp_path)
    assert unknown.returncode == 2 and b"unknown client" in unknown.stderr
    done = subprocess.run(
        f"{' '.join(RELAYS[which])} claude-code --server {_down()} >&-",
        shell=True,
        input=payload,
        capture_output=True,
        env={**os.environ, "CODEWARD_HOME": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and b"could not be written" in done.stderr


@pytest.mark.parametrize("argv", [["--deadline", "soon"], ["--env", "prod"], ["--bogus", "1"]])
def test_the_shell_relay_denies_a_command_line_it_cannot_read(argv: list[str], tmp_path: Path) -> None:
    payload = json.dumps(shell_payload("cursor", "ls")).encode()
    done = run("shell", ["cursor", "--server", "http://127.0.0.1:9", *argv], payload, tmp_path)
    assert outcome("cursor", answer_of(done)) == "deny"


def test_an_https_service_is_not_for_the_shell_relay(tmp_path: Path) -> None:
    payload = json.dumps(shell_payload("gemini", "ls")).encode()
    done = run("shell", ["gemini", "--server", "https://codeward.example"], payload, tmp_path)
    assert outcome("gemini", answer_of(done)) == "deny" and b"plain http://" in done.stdout


# ---------------------------------------------------------------------------------------------- the real route
POLICY = (
    "codeward: 1\nid: svc\ndeny:\n  - {id: no-marker, pattern: 'FORBIDDEN_MARKER', reason: forbidden here}\n"
)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    policy = tmp_path_factory.mktemp("svc") / "svc.yaml"
    policy.write_text(POLICY)
    app = FastAPI()
    app.include_router(router_for(Guard([str(policy)], sandbox_mode="never")))
    with serving(app) as url:
        yield url


@pytest.mark.parametrize("client", ALL_CLIENTS)
def test_both_relays_print_what_the_route_decided(client: str, service: str, tmp_path: Path) -> None:
    for command, expected in (("echo FORBIDDEN_MARKER", "deny"), ("ls -la", "allow")):
        payload = json.dumps(shell_payload(client, command, cwd=str(tmp_path))).encode()
        answers = [
            answer_of(run(which, [client, "--server", service], payload, tmp_path)) for which in RELAYS
        ]
        assert {outcome(client, answer) for answer in answers} == {expected}, answers
        if expected == "deny":
            assert all("forbidden here" in message(client, answer) for answer in answers)


# ---------------------------------------------------------------------------------------------- install
def test_installing_with_an_http_server_writes_the_shell_relay_and_uninstall_finds_it(tmp_path: Path) -> None:
    command = hook_command(
        "claude-code", options=["--server", "http://127.0.0.1:8731", "--wait-review", "30"]
    )
    assert command.split()[:3] == [BASH, "-p", SHELL_RELAY]
    assert is_codeward_hook(command, "claude-code") and not is_codeward_hook(command, "codex")
    settings = tmp_path / ".claude" / "settings.json"
    assert install("claude-code", settings, command=command).changed
    assert command in settings.read_text()
    assert uninstall("claude-code", settings).changed
    assert "relay.sh" not in settings.read_text()


def test_an_https_server_keeps_the_codeward_command() -> None:
    command = hook_command("codex", options=["--server", "https://codeward.example"], fast=False)
    assert "relay.sh" not in command and "hook codex --server https://codeward.example" in command


def test_a_bash_too_old_for_the_shell_relay_keeps_the_codeward_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_bash = tmp_path / "bash"
    old_bash.write_text("#!/bin/sh\nexit 1\n")  # what bash 3.2 answers to the relay's version test
    old_bash.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    command = hook_command("gemini", options=["--server", "http://127.0.0.1:8731"])
    assert "relay.sh" not in command and "hook gemini --server http://127.0.0.1:8731" in command


def test_an_input_that_never_ends_is_denied_at_the_deadline(tmp_path: Path) -> None:
    """A client that never closes stdin cannot hold the shell relay past its deadline."""
    process = subprocess.Popen(
        [*RELAYS["shell"], "codex", "--server", _down(), "--deadline", "0.5"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CODEWARD_HOME": str(tmp_path)},
    )
    assert process.stdin is not None
    process.stdin.write(b'{"hook_event_name": "PreToolUse", ')
    process.stdin.flush()
    try:
        process.wait(timeout=30)  # stdin stays open: communicate() would close it
    finally:
        process.kill()
    assert process.stdout is not None and process.stderr is not None
    answer = HookAnswer(process.stdout.read().decode(), process.stderr.read().decode(), process.returncode)
    assert outcome("codex", answer) == "deny" and "did not end" in message("codex", answer)


def test_the_installed_shell_relay_ignores_bash_env_and_exported_functions(
    scripted: list[Scripted], tmp_path: Path
) -> None:
    """Without `bash -p`, a $BASH_ENV that prints, or an exported `printf`, would speak for codeward."""
    url = scripted_at(scripted, http_reply(DENIAL, {"X-Codeward-Exit-Code": "0"}))
    noisy = tmp_path / "bash_env.sh"
    noisy.write_text("echo POLLUTED\n")
    command = shlex.split(hook_command("gemini", options=["--server", url]))
    done = subprocess.run(
        command,
        input=json.dumps(shell_payload("gemini", "ls")).encode(),
        capture_output=True,
        env={
            **os.environ,
            "CODEWARD_HOME": str(tmp_path),
            "BASH_ENV": str(noisy),
            "BASH_FUNC_printf%%": '() { echo \'{"decision": "allow"}\'; }',
        },
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, DENIAL + b"\n"), done
