"""The fast path of `codeward hook CLIENT`: hand the payload to the warm worker, print its answer.

A hook runs on every tool call, so this module imports only what a socket and JSON need (no typing,
no argparse, no pydantic): the worker parses the payload, judges it and renders the client's answer
with the same code as the in-process path. With `--server http://…` the payload goes to the service's
`/v1/hooks/CLIENT` instead. When there is no worker, or the options ask for another path
(`--no-worker`, `--help`, an https service), or nobody answers, `run.main` takes over.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_DEADLINE = 10.0
MAX_SOCKET_PATH = 100
_VALUE_OPTIONS = {"--intent", "--env", "--deadline", "--confirm", "--review", "--policy", "--server"}
_SERVICE_OPTIONS = ("intent", "env", "confirm", "review", "deadline")


def main(argv: Sequence[str]) -> int:
    options = _options(list(argv))
    if options is not None:
        raw = _read_stdin()
        answer = _ask_service(options, raw) if options.get("server") else _ask_worker(options, raw)
        if answer is not None:
            return _emit(answer)
        return _full_path(argv, raw)
    return _full_path(argv, None)


def _full_path(argv: Sequence[str], raw: bytes | None) -> int:
    from codeward.adapters.hooks.run import main as run

    return run(argv, stdin=raw)


def _options(argv: list[str]) -> dict[str, object] | None:
    """The options the worker needs, or None when this call is not for the fast path."""
    if not argv or argv[0].startswith("-"):
        return None
    options: dict[str, object] = {"client": argv[0], "policies": []}
    rest = argv[1:]
    while rest:
        flag = rest.pop(0)
        name, _, inline = flag.partition("=")
        if name not in _VALUE_OPTIONS:
            return None
        value = inline if inline else (rest.pop(0) if rest else None)
        if value is None:
            return None
        if name == "--policy":
            options["policies"].append(value)  # type: ignore[attr-defined]
        else:
            options[name[2:]] = value
    try:
        deadline = float(
            str(options.get("deadline") or os.environ.get("CODEWARD_HOOK_DEADLINE") or DEFAULT_DEADLINE)
        )
    except ValueError:
        return None
    options["deadline"] = deadline
    if os.environ.get("CODEWARD_HOOK_WORKER") == "off":
        return None
    return options


def _ask_worker(options: dict[str, object], raw: bytes) -> dict[str, object] | None:
    path = worker_socket(options["policies"])  # type: ignore[arg-type]
    if len(path) > MAX_SOCKET_PATH or not _private(os.path.dirname(path)):
        return None
    deadline = float(options["deadline"])  # type: ignore[arg-type]
    message = {
        "hook": {
            "client": options["client"],
            "payload": raw.decode("utf-8", "replace"),
            "deadline_seconds": max(0.05, deadline - 0.05),
            "intent": options.get("intent") or os.environ.get("CODEWARD_INTENT"),
            "env": options.get("env"),
            "confirm": options.get("confirm"),
            "review": options.get("review"),
        }
    }
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as channel:
            channel.settimeout(deadline + 1.0)
            channel.connect(path)
            channel.sendall(json.dumps(message).encode() + b"\n")
            reply = _read_line(channel)
        answer = json.loads(reply)
    except (OSError, ValueError):
        return None
    if not isinstance(answer, dict) or not isinstance(answer.get("answer"), dict):
        return None
    result: dict[str, object] = answer["answer"]
    return result


def _ask_service(options: dict[str, object], raw: bytes) -> dict[str, object] | None:
    """POST the payload to `{server}/v1/hooks/{client}` over plain HTTP; None on anything unexpected."""
    from urllib.parse import quote, urlsplit

    url = urlsplit(str(options["server"]))
    if url.scheme != "http" or not url.hostname:
        return None
    pairs = [(name, options.get(name)) for name in _SERVICE_OPTIONS]
    if not options.get("intent") and os.environ.get("CODEWARD_INTENT"):
        pairs.append(("intent", os.environ["CODEWARD_INTENT"]))
    query = "&".join(f"{name}={quote(str(value))}" for name, value in pairs if value not in (None, ""))
    path = f"{url.path.rstrip('/')}/v1/hooks/{quote(str(options['client']))}?{query}"
    head = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}", "Content-Type: application/json"]
    head += [f"Content-Length: {len(raw)}", "Connection: close"]
    token = os.environ.get("CODEWARD_TOKEN")
    if token:
        head.append(f"Authorization: Bearer {token}")
    timeout = float(str(options["deadline"])) + 1.0
    try:
        with socket.create_connection((url.hostname, url.port or 80), timeout=timeout) as channel:
            channel.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + raw)
            reply = b"".join(iter(lambda: channel.recv(65536), b""))
    except OSError:
        return None
    header, _, body = reply.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.") or lines[0].split(" ")[1:2] != ["200"]:
        return None
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if "x-codeward-exit-code" not in fields or "chunked" in fields.get("transfer-encoding", ""):
        return None
    problem = fields.get("x-codeward-problem", "")
    return {
        "stdout": "" if fields.get("x-codeward-silent") == "1" else body.decode("utf-8", "replace") + "\n",
        "stderr": problem + "\n" if problem else "",
        "exit_code": int(fields["x-codeward-exit-code"]),
    }


def _private(directory: str) -> bool:
    """Only a worker in a directory of this user's, closed to others, is trusted with an answer."""
    try:
        info = os.stat(directory)
    except OSError:
        return False
    return info.st_uid == os.getuid() and (info.st_mode & 0o077) == 0


def _read_line(channel: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = channel.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            break
    return b"".join(chunks)


def _emit(answer: dict[str, object]) -> int:
    stdout, stderr = str(answer.get("stdout") or ""), str(answer.get("stderr") or "")
    try:
        if stdout:
            sys.stdout.write(stdout)
            sys.stdout.flush()
    except (OSError, ValueError) as error:
        sys.stderr.write(f"{stderr}codeward: the answer could not be written ({error}); blocking\n")
        return 2
    if stderr:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(stderr)
    code = answer.get("exit_code")
    return code if isinstance(code, int) else 2


def _read_stdin() -> bytes:
    try:
        return sys.stdin.buffer.read()
    except (OSError, ValueError):
        return b""


def codeward_home() -> str:
    return os.path.expanduser(os.environ.get("CODEWARD_HOME") or os.path.join("~", ".codeward"))


def worker_directory() -> str:
    return os.path.join(codeward_home(), "run")


def absolute_policy(reference: str) -> str:
    if reference.startswith("pack:"):
        return reference
    return os.path.realpath(os.path.expanduser(reference))


def worker_socket(policies: Sequence[str]) -> str:
    """One worker per interpreter, codeward version, store and policy stack."""
    import hashlib

    import codeward

    key = "\0".join(
        [
            codeward.__version__,
            os.path.realpath(sys.executable),
            os.environ.get("CODEWARD_DB", ""),
            *(absolute_policy(p) for p in policies),
        ]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return os.path.join(worker_directory(), f"hook-{digest}.sock")
