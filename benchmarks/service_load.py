"""Load on `POST /v1/check`: the peak rate in decisions per second and its latency (p50, p99, p99.9)
with 2 worker processes, on SQLite and on PostgreSQL, over loopback only. A script that prints
numbers, not a timed test. `service_load_fixed_rate.py` holds a fixed rate for 60 s with these parts.

    python benchmarks/service_load.py                          # both stores, 100-line and 1-line snippets
    python benchmarks/service_load.py --store sqlite --lines 100 --seconds 20 --concurrency 8
    python benchmarks/service_load.py --store sqlite --lines 100 --connections keep-alive --repeat 5

Each client keeps `--concurrency` requests in flight (a closed loop) for `--seconds`; every request
carries an API key, so identity is looked up as in production. The load client runs on the same
machine as the service (2 cores here, shared), so it takes CPU from the workers: a service with
cores of its own does better. Every request is bounded in time, the run in count and time, and the
service is stopped at the end.

`--repeat N` runs each row N times, each run after its own `engine alone` yardstick (the same
engine in this process, so a slower machine shows there too), and prints the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from codeward.testing import free_port, scratch_postgres_database, stop_process_group

POSTGRES = os.environ.get("CODEWARD_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUEST_TIMEOUT = 10.0
MAX_RUN_SECONDS = 600.0
API_KEY = "cwk_loadbench_" + "b" * 30


# ---------------------------------------------------------------------------------------------- requests
def bash_snippet(seed: int, lines: int) -> str:
    """An ordinary build script: the kind of code most requests carry."""
    steps = [
        "echo building step {n}",
        "cp -r src/ build/{n}",
        "grep -n TODO src/file{n}.py || true",
        "mkdir -p out/{n}",
        "export STEP={n}",
        'tar -czf dist/part{n}.tar.gz -C build "{n}"',
        "python3 -m pytest -q tests/unit/test_{n}.py",
    ]
    return "\n".join(steps[(seed + i) % len(steps)].format(n=seed * 1000 + i) for i in range(lines))


def python_snippet(seed: int, lines: int) -> str:
    body = ["import json", "import os", ""]
    while len(body) + 2 <= lines:
        n = len(body) + seed
        body += [f"def step_{n}(value):", f"    return json.dumps({{'v': value + {n}, 'cwd': os.getcwd()}})"]
    body += [f"# step {seed}"] * (lines - len(body))  # a whole module: never a def cut off from its body
    return "\n".join(body[:lines])


def payloads(count: int, lines: int) -> list[bytes]:
    """`count` distinct request bodies (no two alike, so nothing is served from a cache): half bash
    scripts, half Python modules of `lines` lines; one-line shell commands when `lines` is 1."""
    out = []
    for n in range(count):
        if lines == 1:
            subject = {"kind": "command", "language": "bash", "content": f"ls -la build/{n}"}
        elif n % 2:
            subject = {"kind": "code", "language": "python", "content": python_snippet(n, lines)}
        else:
            subject = {"kind": "code", "language": "bash", "content": bash_snippet(n, lines)}
        body = {"subject": subject, "context": {"session": {"id": f"bench-{n % 50}"}}}
        out.append(json.dumps(body).encode())
    return out


# ----------------------------------------------------------------------------------------------- service
@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A database of its own for one run, dropped after it."""
    with scratch_postgres_database(POSTGRES, prefix="codeward_bench") as url:
        yield url


@contextlib.contextmanager
def store_url(kind: str, directory: Path) -> Iterator[str]:
    """A fresh store with the benchmark's API key in it."""
    from codeward import Actor
    from codeward.identity import key_hash
    from codeward.store.location import locate
    from codeward.store.sql import SqlStore

    with contextlib.ExitStack() as stack:
        url = (
            stack.enter_context(postgres_database())
            if kind == "postgres"
            else f"sqlite:///{directory / 'codeward.db'}"
        )
        store = SqlStore.open(locate(url))
        store.add_api_key(
            key_hash(API_KEY), Actor(id="load-bench", roles=["developer"]), label="bench", created_by="bench"
        )
        store.close()
        yield url


class Server(NamedTuple):
    host: str
    port: int
    group: int
    """The process group of the service (this script started it): its CPU time is measured."""


def cpu_seconds(servers: Sequence[Server]) -> float:
    """User + system CPU time so far of every process in the servers' process groups (Linux /proc)."""
    groups = {server.group for server in servers}
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@contextlib.contextmanager
def service(db: str, workers: int, home: Path) -> Iterator[Server]:
    """`codeward serve` in a process group of its own, while the block runs; stopped after."""
    port = free_port()
    command = [sys.executable, "-m", "codeward.adapters.cli", "serve", "--port", str(port), "--db", db]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env={**os.environ, "CODEWARD_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not _healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("codeward serve did not start")
            time.sleep(0.2)
        yield Server("127.0.0.1", port, process.pid)
    finally:
        stop_process_group(process)


def _healthy(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            return sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


# ------------------------------------------------------------------------------------------------ client
class _Stale(Exception):
    """The connection ended before any byte of an answer."""


class Connection:
    """One keep-alive HTTP/1.1 connection. Hand-written because the client shares the 2 cores with
    the service: a full HTTP client library costs several times more CPU per request."""

    def __init__(self, host: str, port: int, *, keep_alive: bool = True) -> None:
        self.host, self.port = host, port
        self.keep_alive = keep_alive
        """False: one connection per request (`Connection: close`), as the hook relays connect."""
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """Send one request; a kept-alive connection that the server closed while idle (before any
        byte of an answer) is opened again once, as HTTP clients do."""
        reused = self._streams is not None
        try:
            return await self._exchange(path, body)
        except _Stale:
            if not reused:
                raise ConnectionError("the server closed the connection without answering") from None
            return await self._exchange(path, body)

    async def _exchange(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self._streams is None:
            try:
                self._streams = await asyncio.open_connection(self.host, self.port)
            except OSError:
                raise ConnectionError("cannot connect") from None
        reader, writer = self._streams
        closing_header = "" if self.keep_alive else "Connection: close\r\n"
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {API_KEY}\r\nContent-Length: {len(body)}\r\n"
            f"{closing_header}\r\n"
        )
        status_line = b""
        try:
            writer.write(head.encode() + body)
            await writer.drain()
            status_line = await reader.readline()
            if not status_line:
                raise _Stale
            length, closing = 0, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and b"close" in value.lower():
                    closing = True
            answer = await reader.readexactly(length)
            status = int(status_line.split()[1])
        except _Stale:
            self.close()
            raise
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            self.close()
            if not status_line:
                raise _Stale from None
            raise ConnectionError("the connection failed mid-answer") from None
        if closing or not self.keep_alive:
            self.close()
        return status, answer

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    server_cpu_seconds: float = 0.0
    """CPU time the service processes used during the run (all workers and replicas)."""
    client_cpu_seconds: float = 0.0
    """CPU time this load client used during the run: taken from the same 2 cores."""
    late: int = 0
    """Requests of a fixed-rate run that waited over 100 ms for a free connection."""

    def fail(self, why: str) -> None:
        self.errors[why] = self.errors.get(why, 0) + 1

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


async def timed_post(connection: Connection, body: bytes, outcome: Outcome, started: float) -> None:
    """One decision; its latency (from `started`) is recorded when it is a 200 Decision, else an error."""
    try:
        status, answer = await asyncio.wait_for(connection.post("/v1/check", body), REQUEST_TIMEOUT)
    except TimeoutError:
        connection.close()
        outcome.fail("timeout")
        return
    except ConnectionError:
        outcome.fail("connection")
        return
    if status != 200 or b'"decision_id"' not in answer:
        outcome.fail(f"HTTP {status}")
        return
    outcome.latencies_ms.append((time.perf_counter() - started) * 1000)


async def closed_loop(
    targets: Sequence[Server],
    bodies: list[bytes],
    concurrency: int,
    seconds: float,
    *,
    keep_alive: bool = True,
) -> Outcome:
    """`concurrency` clients, each sending its next request when the last is answered, for `seconds`.

    With `keep_alive` each client keeps one connection, and the kernel hands each connection to one
    worker for good: 8 connections split 5/3 leave one worker idle part of the time. Without it
    each request connects anew (as the hook relays do), and whichever worker is free accepts it."""
    outcome = Outcome()
    stop_at = time.perf_counter() + min(seconds, MAX_RUN_SECONDS)
    counter = iter(range(10**9))

    async def client(index: int) -> None:
        target = targets[index % len(targets)]
        connection = Connection(target.host, target.port, keep_alive=keep_alive)
        while time.perf_counter() < stop_at:
            body = bodies[next(counter) % len(bodies)]
            await timed_post(connection, body, outcome, time.perf_counter())
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(concurrency)))
    outcome.seconds = time.perf_counter() - started
    return outcome


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(outcome: Outcome) -> str:
    lat = outcome.latencies_ms
    errors = ", ".join(f"{why}: {n}" for why, n in sorted(outcome.errors.items())) or "0"
    cpu = outcome.server_cpu_seconds * 1000 / len(lat) if lat else float("nan")
    client = outcome.client_cpu_seconds * 1000 / len(lat) if lat else float("nan")
    return (
        f"{outcome.rate:>8.1f}/s  p50 {percentile(lat, 0.5):>7.1f}  p99 {percentile(lat, 0.99):>7.1f}  "
        f"p99.9 {percentile(lat, 0.999):>7.1f} ms  errors {errors}  ({len(lat)} ok; "
        f"service CPU {cpu:.1f} ms per decision, load client {client:.1f} ms)"
    )


def run_loop(run: Coroutine[Any, Any, Outcome]) -> Outcome:
    """Run the load on uvloop when it is installed (uvicorn's standard extra brings it): the client
    shares the 2 cores with the service, and uvloop's event loop costs it less CPU per request."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(run)
    return uvloop.run(run)


def measured(servers: Sequence[Server], run: Coroutine[Any, Any, Outcome]) -> Outcome:
    """Run the load and note the service's CPU time during it."""
    before, client_before = cpu_seconds(servers), time.process_time()
    outcome = run_loop(run)
    outcome.server_cpu_seconds = cpu_seconds(servers) - before
    outcome.client_cpu_seconds = time.process_time() - client_before
    return outcome


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs shared with the load client; load average before the run {load[0]:.1f}"


def engine_only(lines: int, count: int = 100) -> float:
    """The engine's own time per decision in this process (no HTTP, no store), for reference."""
    from codeward import Guard, Subject

    guard = Guard(sandbox_mode="never")
    subjects = [Subject.model_validate(json.loads(b)["subject"]) for b in payloads(count, lines)]
    guard.check(subjects[0])
    started = time.perf_counter()
    for subject in subjects:
        guard.check(subject)
    return (time.perf_counter() - started) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=20.0, help="Length of each measured run.")
    parser.add_argument("--concurrency", type=int, default=8, help="Requests kept in flight.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lines", type=int, nargs="+", default=[100, 1], help="Snippet sizes to measure.")
    parser.add_argument(
        "--connections",
        choices=["keep-alive", "per-request", "both"],
        default="both",
        help="One long-lived connection per client, or a new connection per request (as hooks make).",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="Runs per row, each on a fresh store and service, each after its own `engine alone` "
        "yardstick; with more than one, a median line follows (a machine whose speed drifts needs it).",
    )
    arguments = parser.parse_args()
    modes = ["keep-alive", "per-request"] if arguments.connections == "both" else [arguments.connections]
    stores = ["sqlite", "postgres"] if arguments.store == "both" else [arguments.store]
    print(
        f"POST /v1/check, {arguments.workers} workers, {arguments.concurrency} requests in flight, "
        f"{arguments.seconds:g} s per row, loopback; {machine()}"
    )
    for lines in arguments.lines:
        print(f"engine alone, {lines}-line snippets: {engine_only(lines):.2f} ms per decision (one process)")
    for store in stores:
        for lines in arguments.lines:
            for mode in modes:
                outcomes = []
                for _ in range(max(1, arguments.repeat)):
                    yardstick = (
                        f"  (engine alone {engine_only(lines):.2f} ms)" if arguments.repeat > 1 else ""
                    )
                    outcomes.append(one_run(store, lines, mode, arguments))
                    print(f"{store:<9} {lines:>4}-line  {mode:<11}  {summary(outcomes[-1])}{yardstick}")
                if len(outcomes) > 1:
                    print(f"{store:<9} {lines:>4}-line  {mode:<11}  {medians(outcomes)}")


def one_run(store: str, lines: int, mode: str, arguments: argparse.Namespace) -> Outcome:
    """One closed-loop run on a fresh store and a fresh service, after a 3 s warm-up."""
    with (
        tempfile.TemporaryDirectory() as home,
        store_url(store, Path(home)) as db,
        service(db, arguments.workers, Path(home)) as server,
    ):
        bodies = payloads(2000, lines)
        run_loop(closed_loop([server], bodies[:200], arguments.concurrency, 3.0))
        run = closed_loop(
            [server], bodies, arguments.concurrency, arguments.seconds, keep_alive=mode == "keep-alive"
        )
        return measured([server], run)


def medians(outcomes: Sequence[Outcome]) -> str:
    """The median rate, p99 and CPU per decision over runs, with the range of the rates."""
    rates = [o.rate for o in outcomes]
    p99s = [percentile(o.latencies_ms, 0.99) for o in outcomes]
    cpu = [o.server_cpu_seconds * 1000 / len(o.latencies_ms) for o in outcomes if o.latencies_ms]
    return (
        f"median of {len(outcomes)}: {statistics.median(rates):.1f}/s ({min(rates):.1f}-{max(rates):.1f}), "
        f"p99 {statistics.median(p99s):.1f} ms, service CPU {statistics.median(cpu):.1f} ms per decision"
    )


if __name__ == "__main__":
    main()
