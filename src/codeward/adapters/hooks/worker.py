"""The warm hook worker: one engine kept loaded behind a Unix socket in `$CODEWARD_HOME/run`.

Loading the policy, the rules and the parsers costs most of a second; a hook runs on every tool call.
The first hook call starts this worker and judges in its own process; later calls (the relay) send
the client's payload here and print the answer rendered here, one JSON line each way. The worker
reloads when a policy file changes, answers each call before its deadline, and exits after it has
been idle for `--idle` seconds.

    python -m codeward.adapters.hooks.worker --socket PATH [--policy FILE]... [--idle SECONDS]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import socketserver
import sys
import time
from pathlib import Path
from typing import Any

from codeward.adapters.hooks import dialect
from codeward.adapters.hooks.judges import InProcessJudge, private_directory
from codeward.adapters.hooks.protocol import AskOrDeny, HookContext, respond

MAX_MESSAGE_BYTES = 64 * 1024 * 1024 + 65536


class _Handler(socketserver.StreamRequestHandler):
    """One hook call per connection: the relay's payload and options in, the client's answer out."""

    server: WorkerServer

    def handle(self) -> None:
        self.server.last_used = time.monotonic()
        line = self.rfile.readline(MAX_MESSAGE_BYTES)
        try:
            call = json.loads(line)["hook"]
            client = dialect(str(call["client"]))
            deadline = time.monotonic() + float(call.get("deadline_seconds", 5.0))
            defaults = HookContext(
                declared_intent=call.get("intent") or None, environment=call.get("env") or None
            )
            tighten = (_ask_or_deny(call.get("confirm")), _ask_or_deny(call.get("review")))
        except (ValueError, KeyError, TypeError) as error:
            self._reply({"failure": f"the worker could not read the call: {error}"})
            return
        answer = respond(
            client,
            str(call.get("payload", "")).encode(),
            self.server.judge,
            deadline=deadline,
            defaults=defaults,
            tighten=tighten,
        )
        self._reply({"answer": answer._asdict()})
        self.server.last_used = time.monotonic()

    def _reply(self, answer: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            self.wfile.write(json.dumps(answer, ensure_ascii=False).encode() + b"\n")


def _ask_or_deny(value: object) -> AskOrDeny | None:
    return "deny" if value == "deny" else "ask" if value == "ask" else None


class WorkerServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: Path, judge: InProcessJudge) -> None:
        self.judge = judge
        self.last_used = time.monotonic()
        super().__init__(str(path), _Handler)


def serve(path: Path, policies: list[str], idle_seconds: float) -> int:
    if not private_directory(str(path.parent)):
        print(f"codeward worker: {path.parent} is not private to this user; not serving", file=sys.stderr)
        return 1
    lock = open(path.with_suffix(".lock"), "w")  # noqa: SIM115  (held for the worker's lifetime)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 0  # another worker for the same policy stack is starting or running
    judge = InProcessJudge(policies)
    try:
        judge.warm_up()
    except Exception as error:  # each call reports (and fails closed on) what the warm-up hit
        print(f"codeward worker: warm-up failed: {type(error).__name__}: {error}", file=sys.stderr)
    if path.exists():
        path.unlink()
    previous = os.umask(0o077)
    try:
        server = WorkerServer(path, judge)
    finally:
        os.umask(previous)
    server.timeout = 1.0
    print(f"codeward worker {os.getpid()} serving {path}", file=sys.stderr, flush=True)
    try:
        while time.monotonic() - server.last_used < idle_seconds:
            server.handle_request()
            if not path.exists():
                break  # removed by hand: stop serving
    finally:
        server.server_close()
        path.unlink(missing_ok=True)  # ours: the lock says no other worker serves this path
        lock.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeward.adapters.hooks.worker")
    parser.add_argument("--socket", required=True, type=Path)
    parser.add_argument("--policy", action="append", default=[])
    parser.add_argument("--idle", type=float, default=900.0)
    args = parser.parse_args(argv)
    return serve(args.socket, args.policy, args.idle)


if __name__ == "__main__":
    sys.exit(main())
