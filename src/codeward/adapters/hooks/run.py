"""`codeward hook CLIENT`: one hook call, from the client's payload on stdin to its answer on stdout.

`codeward.adapters.hooks.relay` first offers the call to the warm local worker (or to the service of
`--server URL`); this module is the full path it falls back to: the check is made here, and a worker
is started for the next calls unless `--no-worker`. With `--server` it is the relay's service call
again (the same route, options, deadline and failure answer), for command lines the relay leaves
to this parser. If even the answer cannot be written, the hook exits 2
with the reason on stderr: every client reads exit 2 as "block".
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Sequence

from codeward.adapters.hooks import CLIENTS, dialect
from codeward.adapters.hooks.judges import InProcessJudge, private_directory, start_worker
from codeward.adapters.hooks.protocol import HookAnswer, HookContext, Judge, failure_answer, respond
from codeward.adapters.hooks.relay import (
    DEFAULT_DEADLINE,
    MAX_SOCKET_PATH,
    Unread,
    answer_from_service,
    read_input,
    worker_socket,
)

WORKER_IDLE_SECONDS = 900.0


def parser() -> argparse.ArgumentParser:
    usage = argparse.ArgumentParser(
        prog="codeward hook",
        description="Answer one agent hook call: the client's JSON on stdin, its answer on stdout.",
    )
    usage.add_argument("client", choices=sorted(CLIENTS))
    usage.add_argument("--server", metavar="URL", help="Ask a running codeward service instead.")
    usage.add_argument("--policy", action="append", default=[], metavar="FILE|pack:NAME")
    usage.add_argument("--intent", help="Declared intent for every call (counts only when cleared).")
    usage.add_argument("--env", choices=["dev", "staging", "production"], help="Where the agent works.")
    usage.add_argument(
        "--deadline",
        type=float,
        default=float(os.environ.get("CODEWARD_HOOK_DEADLINE", DEFAULT_DEADLINE)),
        help=f"Seconds before a failure answer (default {DEFAULT_DEADLINE:g}); keep it below the client's timeout.",
    )
    usage.add_argument(
        "--confirm", choices=["ask", "deny"], help="Answer confirm with deny (never relaxes the policy)."
    )
    usage.add_argument(
        "--review", choices=["ask", "deny"], help="Answer review with deny (never relaxes the policy)."
    )
    usage.add_argument(
        "--wait-review",
        type=float,
        metavar="SECONDS",
        help="With --server: wait this long for a reviewer on a held call (within the deadline).",
    )
    usage.add_argument("--no-worker", action="store_true", help="Judge in this process every time.")
    return usage


def main(argv: Sequence[str], *, stdin: bytes | None = None) -> int:
    """The full path: judged here (starting the warm worker for the next calls) or by `--server`."""
    started = time.monotonic()
    args = parser().parse_args(list(argv))
    deadline = started + max(0.05, args.deadline)
    client = dialect(args.client)
    if stdin is None:
        try:
            raw = read_input(deadline)
        except Unread as problem:
            return emit(failure_answer(client, str(problem), None, (args.confirm, args.review)))
    else:
        raw = stdin
    if args.server:
        options: dict[str, object] = {
            "client": args.client,
            "server": args.server,
            "deadline": max(0.05, deadline - time.monotonic()),
            "intent": args.intent or os.environ.get("CODEWARD_INTENT"),
            "env": args.env,
            "confirm": args.confirm,
            "review": args.review,
            "wait-review": None if args.wait_review is None else f"{args.wait_review:g}",
        }
        code, stdout, stderr = answer_from_service(options, raw)
        return emit(HookAnswer(stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"), code))
    answer = respond(
        client,
        raw,
        _judge(args),
        deadline=deadline,
        defaults=HookContext(
            declared_intent=args.intent or os.environ.get("CODEWARD_INTENT"),
            environment=args.env,
            token=os.environ.get("CODEWARD_TOKEN"),
        ),
        tighten=(args.confirm, args.review),
    )
    return emit(answer)


def emit(answer: HookAnswer) -> int:
    """Write the answer; if stdout is gone, exit 2 with the reason on stderr (a block everywhere)."""
    try:
        if answer.stdout:
            sys.stdout.write(answer.stdout)
            sys.stdout.flush()
    except (OSError, ValueError, AttributeError) as error:  # AttributeError: no stdout at all
        reason = answer.stderr.strip() or "codeward could not write its answer"
        sys.stderr.write(f"{reason}\ncodeward: the answer could not be written ({error}); blocking\n")
        return 2
    if answer.stderr:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.write(answer.stderr)
    return answer.exit_code


def _judge(args: argparse.Namespace) -> Judge:
    if not args.no_worker and os.environ.get("CODEWARD_HOOK_WORKER") != "off":
        path = worker_socket(args.policy)
        if len(path) <= MAX_SOCKET_PATH and private_directory(os.path.dirname(path)):
            start_worker(path, args.policy, idle_seconds=_idle_seconds())
    return InProcessJudge(args.policy)


def _idle_seconds() -> float:
    try:
        return float(os.environ.get("CODEWARD_WORKER_IDLE", WORKER_IDLE_SECONDS))
    except ValueError:
        return WORKER_IDLE_SECONDS
