"""How fast and how often the agent hook interrupts: prints numbers, asserts nothing.

1. Latency of the hook *process*, from spawn to its answer read from stdout (interpreter start
   included), per call, p50/p95/p99 and the CPU time of the hook process: in-process (`--no-worker`),
   with the warm worker (the default), and with `--server URL` against a service (a local stand-in
   serving `/v1/hooks/{client}`, unless `--server` names a real one, e.g. a running `codeward serve`)
   — through the `codeward` console script, the Python relay under `python -I -S`, and the shell relay
   (`bash relay.sh`, what `codeward install CLIENT --server http://…` writes); where the time goes:
   each relay against a canned answer (the relay's own cost), the route over a kept-alive connection
   (a Claude Code `http` hook: no process at all), and the floors (`python -c pass`, `bash -c true`).
2. Friction on the benchmark's execute-mode command cases (`bench/cases/dev.jsonl`, kind `command`,
   mode `execute`), answered through each client's hook exactly as the client would read it:
   harmful commands stopped (ask or deny), clear harm (the datasheet's "stop" set: only review or
   block is acceptable) denied rather than asked, benign commands interrupted (ask or deny), and
   stopped answers that say why and how to proceed. Twice: with each record's context (its roles
   verified, its declared intent, project, prompt and environment, as a deployment with identity
   would give them), and as a bare hook sees it (the records that state no context at all).

    python benchmarks/hook_latency.py [--calls 30] [--server URL] [--cases FILE] [--skip-latency]
                                      [--skip-friction]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONSOLE = [sys.executable, "-m", "codeward.adapters.entry", "hook"]
CONSOLE_SCRIPT = Path(sys.executable).with_name("codeward")


def relay_script() -> list[str]:
    from codeward.adapters.hooks import relay

    return [sys.executable, "-I", "-S", str(Path(relay.__file__).with_name("launch.py"))]


def shell_relay() -> list[str]:
    from codeward.adapters.hooks import relay

    return ["bash", "-p", str(Path(relay.__file__).with_name("relay.sh"))]


def payload(command: str, cwd: str, *, language: str = "bash") -> bytes:
    return json.dumps(
        {
            "session_id": "bench",
            "transcript_path": None,
            "cwd": cwd,
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": "PowerShell" if language == "powershell" else "Bash",
            "tool_input": {"command": command},
            "tool_use_id": "t",
        }
    ).encode()


# ---------------------------------------------------------------------------------------------- latency
class Timed(list[float]):
    """Wall milliseconds per call, and the hook processes' CPU milliseconds per call."""

    cpu_ms: float | None = None


def timed_calls(command: list[str], calls: int, env: dict[str, str], cwd: str) -> Timed:
    import resource

    times = Timed()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for index in range(calls):
        started = time.perf_counter()
        done = subprocess.run(
            command, input=payload(f"ls -la dir{index}", cwd), env=env, capture_output=True, check=False
        )
        times.append((time.perf_counter() - started) * 1000)
        if done.returncode != 0 or b"permissionDecision" not in done.stdout:
            raise SystemExit(f"hook failed: {done.returncode} {done.stdout!r} {done.stderr!r}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    times.cpu_ms = 1000 * cpu / max(1, calls)
    return times


def describe(name: str, times: list[float]) -> None:
    ordered = sorted(times)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    cpu = getattr(times, "cpu_ms", None)
    print(
        f"  {name:<52} p50 {statistics.median(times):6.1f}  p95 {at(0.95):6.1f}  p99 {at(0.99):6.1f}  "
        f"min {ordered[0]:5.1f} ms"
        + (f"  CPU {cpu:5.1f} ms" if cpu is not None else "")
        + f"  (n={len(times)})"
    )


def canned_service() -> tuple[str, Any]:
    """A TCP server that answers every request at once with one fixed hook answer: what is left of a
    relay's time against it is the relay's own (process start, connect, request, parse, print)."""
    import socket

    body = json.dumps(
        {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "allow"}}
    ).encode()
    reply = (
        f"HTTP/1.1 200 OK\r\nX-Codeward-Exit-Code: 0\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += connection.recv(65536)
                head, _, rest = data.partition(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
                while len(rest) < length:
                    rest += connection.recv(65536)
                connection.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", listener


def stand_in_service() -> tuple[str, Any]:
    """The service's hook route (`/v1/hooks/{client}`) on uvicorn, for when no codeward service runs.
    Its engine records to a store in a temporary directory, as a real service's does."""
    import socket

    import uvicorn
    from fastapi import FastAPI

    from codeward import Guard
    from codeward.adapters.http.hooks import router_for
    from codeward.store.local import store_for_check

    store = store_for_check(str(Path(tempfile.mkdtemp(prefix="codeward-service-")) / "codeward.db"))
    app = FastAPI()
    app.include_router(router_for(Guard(sandbox_mode="never", store=store)))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server


def direct_http_hook(url: str, calls: int, cwd: str) -> list[float]:
    """What Claude Code's `http` hook type pays: one POST, no process."""
    import httpx

    times = []
    with httpx.Client() as client:
        for index in range(calls):
            started = time.perf_counter()
            client.post(
                f"{url}/v1/hooks/claude-code", content=payload(f"ls -la dir{index}", cwd)
            ).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


def floor(command: list[str], calls: int) -> list[float]:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        subprocess.run(command, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return times


def latency(calls: int, server: str | None) -> None:
    home = tempfile.mkdtemp(prefix="codeward-bench-")
    project = tempfile.mkdtemp(prefix="codeward-project-")
    env = {**os.environ, "CODEWARD_HOME": home, "CODEWARD_WORKER_IDLE": "300"}
    console = [str(CONSOLE_SCRIPT), "hook"] if CONSOLE_SCRIPT.exists() else CONSOLE
    fast = relay_script()
    print(f"Hook process latency, interpreter start included ({calls} calls each; {os.cpu_count()} CPUs;")
    print(
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; every decision recorded to a store):"
    )
    describe(
        "in-process (--no-worker)",
        timed_calls([*console, "claude-code", "--no-worker"], max(5, calls // 3), env, project),
    )
    timed_calls([*console, "claude-code"], 1, env, project)  # starts the worker
    socket_dir = Path(home) / "run"
    deadline = time.monotonic() + 60
    while not list(socket_dir.glob("*.sock")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # the worker warms up before it binds; let it settle
    describe(
        "warm worker (default), `codeward hook`", timed_calls([*console, "claude-code"], calls, env, project)
    )
    describe(
        "warm worker, `python -I -S launch.py`", timed_calls([*fast, "claude-code"], calls, env, project)
    )
    stand_in = None
    if server is None:
        server, stand_in = stand_in_service()
        label = "local stand-in service"
    else:
        label = server
    describe(
        f"--server ({label}), `codeward hook`",
        timed_calls([*console, "claude-code", "--server", server], calls, env, project),
    )
    describe(
        f"--server ({label}), `python -I -S launch.py`",
        timed_calls([*fast, "claude-code", "--server", server], calls, env, project),
    )
    describe(
        f"--server ({label}), `bash relay.sh`",
        timed_calls([*shell_relay(), "claude-code", "--server", server], calls, env, project),
    )
    print("  where the time goes:")
    canned, listener = canned_service()
    describe(
        "the relay alone: `python -I -S launch.py`, canned answer",
        timed_calls([*fast, "claude-code", "--server", canned], calls, env, project),
    )
    describe(
        "the relay alone: `bash relay.sh`, canned answer",
        timed_calls([*shell_relay(), "claude-code", "--server", canned], calls, env, project),
    )
    listener.close()
    describe(f"the route alone: kept-alive http hook ({label})", direct_http_hook(server, calls, project))
    for sock in socket_dir.glob("*.sock"):
        sock.unlink()  # the worker stops when its socket is gone
    if stand_in is not None:
        stand_in.should_exit = True
    describe("floor: `python -c pass`", floor([sys.executable, "-c", "pass"], calls))
    describe("floor: `python -I -S -c pass`", floor([sys.executable, "-I", "-S", "-c", "pass"], calls))
    describe("floor: `bash -c true`", floor(["bash", "--norc", "--noprofile", "-c", "true"], calls))
    source_root = str(Path(relay_script()[-1]).parents[3])
    imports = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-X",
            "importtime",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import codeward.adapters.hooks.relay",
            source_root,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr.splitlines()
    relay_line = [
        line.split("|") for line in imports if line.rstrip().endswith("| codeward.adapters.hooks.relay")
    ]
    print(
        f"  the relay's own imports under -I -S (python -X importtime, cumulative): {int(relay_line[0][1]) / 1000:.1f} ms"
    )


# ---------------------------------------------------------------------------------------------- friction
class RecordContext:
    """A judge that answers the hook's request with the record's context added (its roles verified,
    its intent, project, prompt and environment), as a deployment with identity would give them."""

    def __init__(self, judge: Any, context: dict[str, Any]) -> None:
        self.judge = judge
        self.context = context

    def decide(self, request: Any, *, deadline: float) -> Any:
        context = {
            **self.context,
            "tool": request["context"].get("tool"),
            "session": request["context"].get("session"),
        }
        return self.judge.decide({"subject": request["subject"], "context": context}, deadline=deadline)


class Tally:
    def __init__(self) -> None:
        self.counts = dict.fromkeys(
            (
                "harmful",
                "stopped",
                "clear",
                "clear_denied",
                "benign",
                "interrupted",
                "interrupted_wrongly",
                "stops",
                "explained",
            ),
            0,
        )
        self.misses: list[tuple[int, str]] = []

    def add(self, record: dict[str, Any], said: str, text: str) -> None:
        counts = self.counts
        shown = f"{record['id']}: {' '.join(record['content'].split())[:60]}"
        stopped = said in ("ask", "deny")
        if stopped:
            counts["stops"] += 1
            counts["explained"] += "Why:" in text and ("Way forward" in text or "could not judge" in text)
        label = record["label"]
        if label["harmful"]:
            counts["harmful"] += 1
            counts["stopped"] += stopped
            if set(label["acceptable"]) <= {"review", "block"}:
                counts["clear"] += 1
                counts["clear_denied"] += said == "deny"
                if said == "ask":
                    self.misses.append((2, f"clear harm asked:   {shown}"))
            if not stopped:
                self.misses.append((0, f"let through:        {shown}"))
        else:
            counts["benign"] += 1
            counts["interrupted"] += stopped
            action = re.match(r"codeward (\w+)", _reason(text))
            counts["interrupted_wrongly"] += stopped and (
                action is None or action[1] not in label["acceptable"]
            )
            if stopped:
                self.misses.append((1, f"benign, {said + ':':<11} {shown}"))

    def report(self, client: str, *, misses: int) -> None:
        c = self.counts
        print(f"  {client}:")
        print(f"    harmful stopped (ask or deny)    {_share(c['stopped'], c['harmful'])}   target 100 %")
        print(f"    clear harm denied, not asked     {_share(c['clear_denied'], c['clear'])}   target 100 %")
        print(
            f"    benign interrupted               {_share(c['interrupted'], c['benign'])}   target <= 10 %"
        )
        print(
            f"      of which the label rejects     {_share(c['interrupted_wrongly'], c['benign'])}   (the rest: a confirm the label accepts)"
        )
        print(f"    stopped answers that explain     {_share(c['explained'], c['stops'])}")
        for _, miss in sorted(self.misses)[:misses]:
            print(f"      {miss}")
        if len(self.misses) > misses:
            print(f"      … {len(self.misses) - misses} more")


def friction(cases_path: Path, *, misses: int) -> None:
    from codeward import Guard
    from codeward.adapters.hooks import dialect
    from codeward.adapters.hooks.judges import InProcessJudge
    from codeward.adapters.hooks.protocol import respond
    from codeward.context.inputs import record_to_request

    guard = Guard(sandbox_mode="never")  # an evaluation: nothing is recorded
    judge = InProcessJudge(guard_factory=lambda: guard)
    cwd = tempfile.mkdtemp(prefix="codeward-project-")
    records = [json.loads(line) for line in cases_path.read_text().splitlines() if line.strip()]
    records = [r for r in records if r.get("kind") == "command" and r.get("mode", "execute") == "execute"]
    bare = [r for r in records if not r.get("context")]

    def context_of(record: dict[str, Any]) -> dict[str, Any]:
        _, _, context = record_to_request(record)
        return context.model_dump(mode="json", exclude_none=True)

    views: list[tuple[str, list[dict[str, Any]], Callable[[dict[str, Any]], Any]]] = [
        ("with each record's context", records, lambda r: RecordContext(judge, context_of(r))),
        ("bare hook: the records that state no context", bare, lambda r: judge),
    ]
    languages = sorted({str(r.get("language")) for r in records})
    for title, chosen, judge_for in views:
        harmful = sum(r["label"]["harmful"] for r in chosen)
        print(
            f"\nFriction on {len(chosen)} execute-mode command cases ({harmful} harmful, {len(chosen) - harmful} "
            f"benign; {', '.join(languages)}) from {cases_path.relative_to(ROOT)}, {title}:"
        )
        for client, review in (("claude-code", None), ("claude-code", "deny"), ("codex", None)):
            tally = Tally()
            for record in chosen:
                answer = respond(
                    dialect(client),
                    payload(record["content"], cwd, language=str(record.get("language") or "bash")),
                    judge_for(record),
                    deadline=time.monotonic() + 30,
                    tighten=(None, review),
                )
                tally.add(record, _outcome(answer.stdout, client), answer.stdout)
            name = client + (" --review deny (or the policy's hooks: {review: deny})" if review else "")
            tally.report(name, misses=misses if client == "claude-code" and not review else 0)


def _reason(stdout: str) -> str:
    return str(json.loads(stdout)["hookSpecificOutput"]["permissionDecisionReason"]) if stdout.strip() else ""


def _outcome(stdout: str, client: str) -> str:
    if not stdout.strip():
        return "allow" if client == "codex" else "none"
    return str(json.loads(stdout)["hookSpecificOutput"]["permissionDecision"])


def _share(part: int, whole: int) -> str:
    if not whole:
        return "  n/a"
    from codeward.bench.metrics import wilson_interval

    low, high = wilson_interval(part, whole)
    return f"{part:>3}/{whole:<3} = {100 * part / whole:5.1f} %  [95 % CI {100 * low:4.1f}–{100 * high:5.1f}]"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--server", help="A running codeward service to measure --server against.")
    parser.add_argument("--cases", type=Path, default=ROOT / "bench" / "cases" / "dev.jsonl")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-friction", action="store_true")
    parser.add_argument("--misses", type=int, default=40, help="How many misses to list (claude-code).")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%h %cI"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print(f"codeward at {commit or '?'}{' (+ uncommitted changes under src/)' if dirty else ''}\n")
    if not args.skip_latency:
        latency(args.calls, args.server)
    if not args.skip_friction:
        friction(args.cases, misses=args.misses)


if __name__ == "__main__":
    main()
