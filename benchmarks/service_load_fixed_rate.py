"""A fixed request rate on `POST /v1/check` for 60 s, over loopback only: throughput, p50/p99/p99.9
latency and errors. First the peak is measured (a closed loop), then the rate is held at a fraction
of it (80 % by default; target: zero errors). Runs, in order:

  1. SQLite, one service with 2 workers;
  2. PostgreSQL, one service with 2 workers;
  3. PostgreSQL, two replicas (two `codeward serve` processes of 1 worker each) on one database,
     the requests alternating between them.

    python benchmarks/service_load_fixed_rate.py                     # all three, 100-line snippets
    python benchmarks/service_load_fixed_rate.py --setup sqlite --rate 60 --seconds 60

Requests are sent on a schedule (request i at start + i/rate) whether or not earlier ones were
answered, and latency counts from the scheduled time, so a stalled server shows as latency instead
of silently lowering the rate. Requests that cannot get a connection wait for one (up to
`--connections` in flight); that wait is latency too. The run is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

from service_load import (
    MAX_RUN_SECONDS,
    REQUEST_TIMEOUT,
    Connection,
    Outcome,
    Server,
    closed_loop,
    machine,
    measured,
    payloads,
    run_loop,
    service,
    store_url,
    summary,
    timed_post,
)

SETUPS = {
    "sqlite": ("sqlite", [2]),
    "postgres": ("postgres", [2]),
    "replicas": ("postgres", [1, 1]),
}
"""Name: (store, workers of each replica)."""


async def fixed_rate(
    targets: list[Server], bodies: list[bytes], rate: float, seconds: float, connections: int
) -> Outcome:
    """Send at `rate` per second for `seconds`. Requests that start over 100 ms after their time
    (every connection busy) are counted in the outcome's `late`."""
    outcome = Outcome()
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for index in range(connections):
        target = targets[index % len(targets)]
        pool.put_nowait(Connection(target.host, target.port))
    total = int(rate * min(seconds, MAX_RUN_SECONDS))

    async def one(body: bytes, scheduled: float) -> None:
        connection = await pool.get()
        if time.perf_counter() - scheduled > 0.1:
            outcome.late += 1
        try:
            await timed_post(connection, body, outcome, scheduled)
        finally:
            pool.put_nowait(connection)

    start = time.perf_counter() + 0.05
    tasks = []
    for n in range(total):
        scheduled = start + n / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(bodies[n % len(bodies)], scheduled)))
    await asyncio.wait_for(asyncio.gather(*tasks), REQUEST_TIMEOUT * 3)
    outcome.seconds = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait().close()
    return outcome


def run(setup: str, arguments: argparse.Namespace) -> None:
    store, replicas = SETUPS[setup]
    with (
        tempfile.TemporaryDirectory() as home,
        store_url(store, Path(home)) as db,
        contextlib.ExitStack() as running,
    ):
        servers = [
            running.enter_context(service(db, workers, Path(home) / f"replica{i}"))
            for i, workers in enumerate(replicas)
        ]
        described = " + ".join(f"{w} worker{'s' if w > 1 else ''}" for w in replicas)
        bodies = payloads(4000, arguments.lines)
        run_loop(closed_loop(servers, bodies[:200], arguments.concurrency, 3.0))  # warm-up
        rate = arguments.rate
        if rate is None:
            peak = measured(
                servers, closed_loop(servers, bodies, arguments.concurrency, arguments.peak_seconds)
            )
            print(f"{setup:<9} ({described}) peak, {arguments.concurrency} in flight: {summary(peak)}")
            rate = max(1.0, peak.rate * arguments.fraction)
        held = measured(servers, fixed_rate(servers, bodies, rate, arguments.seconds, arguments.connections))
    late = f"; {held.late} requests waited >100 ms for a connection" if held.late else ""
    print(f"{setup:<9} ({described}) held {rate:.1f}/s for {arguments.seconds:g} s: {summary(held)}{late}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--setup", choices=[*SETUPS, "all"], default="all")
    parser.add_argument("--seconds", type=float, default=60.0, help="How long the rate is held.")
    parser.add_argument("--rate", type=float, help="Requests per second (default: a fraction of the peak).")
    parser.add_argument("--fraction", type=float, default=0.8, help="Of the measured peak, when no --rate.")
    parser.add_argument("--peak-seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=8, help="In flight while measuring the peak.")
    parser.add_argument("--connections", type=int, default=64, help="At most this many in flight.")
    parser.add_argument("--lines", type=int, default=100, help="Snippet size (1: one-line commands).")
    arguments = parser.parse_args()
    print(f"POST /v1/check, {arguments.lines}-line snippets, loopback; {machine()}")
    for setup in SETUPS if arguments.setup == "all" else [arguments.setup]:
        run(setup, arguments)


if __name__ == "__main__":
    main()
