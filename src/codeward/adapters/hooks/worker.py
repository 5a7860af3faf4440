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
import gc
import os
import socketserver
import sys
import time
from pathlib import Path

from codeward.adapters.hooks import dialect
from codeward.adapters.hooks.judges import InProcessJudge, private_directory
from codeward.adapters.hooks.protocol import AskOrDeny, HookAnswer, HookContext, respond
from codeward.adapters.hooks.relay import PROTOCOL

MAX_MESSAGE_BYTES = 64 * 1024 * 1024 + 1


class _Handler(socketserver.StreamRequestHandler):
    """One hook call per connection, in the relay's framing (see `codeward.adapters.hooks.relay`)."""

    server: WorkerServer

    def handle(self) -> None:
        self.server.last_used = time.monotonic()
        try:
            fields = self.rfile.readline(4096).decode().rstrip("\n").split("\t")
            if len(fields) != 8 or fields[0] != PROTOCOL:
                raise ValueError(f"not a {PROTOCOL} call")
            _, client_name, seconds, intent, env, confirm, review, token = (
                None if field == "-" else field for field in fields
            )
            client = dialect(str(client_name))
            deadline = time.monotonic() + float(str(seconds))
        except (ValueError, KeyError, UnicodeDecodeError) as error:
            self._reply(
                HookAnswer(stderr=f"codeward: the worker could not read the call: {error}\n", exit_code=2)
            )
            return
        answer = respond(
            client,
            self.rfile.read(MAX_MESSAGE_BYTES),
            self.server.judge,
            deadline=deadline,
            defaults=HookContext(declared_intent=intent, environment=env, token=token),
            tighten=(_ask_or_deny(confirm), _ask_or_deny(review)),
        )
        self._reply(answer)
        self.server.last_used = time.monotonic()

    def _reply(self, answer: HookAnswer) -> None:
        stdout = answer.stdout.encode()
        with contextlib.suppress(OSError):
            self.wfile.write(
                f"{answer.exit_code}\t{len(stdout)}\n".encode() + stdout + answer.stderr.encode()
            )


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
    # The engine's long-lived objects (rules, policy, CEL, grammars) leave the collector's
    # generations, as in the service: a full collection no longer lands inside a hook's answer.
    gc.collect()
    gc.freeze()
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
