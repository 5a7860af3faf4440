"""What a /metrics scrape costs as the log grows, and what the upgrade that added the running counts
costs once. Prints numbers; asserts nothing.

    python benchmarks/metrics_scrape.py [--decisions 10000 100000 1000000]

For each size: a fresh SQLite store at schema revision 0001 gets that many decision rows (spread over
30 days, five actions, four intents, half with a capability) by plain INSERTs; opening it with
codeward migrates it (the running counts are filled from those rows: timed), then `SqlStore.metrics()`
— what GET /metrics reads — is timed five times. Before the running counts, a scrape aggregated the
whole decisions table: about 1 s at 200,000 decisions on this machine, growing linearly.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from codeward.store.database import MIGRATIONS
from codeward.store.location import locate
from codeward.store.sql import SqlStore

ACTIONS = ("allow", "notice", "confirm", "review", "block")
INTENTS = ("general", "devops", "security_research", "education")
CAPABILITIES = ("fs.delete.recursive", "net.download", "exec.shell")
INSERT = (
    "INSERT INTO decisions (id, audit_seq, at_ms, actor_id, actor_verified, action, risk, intent, subculture, "
    "language, kind, mode, session_id, policy_id, policy_version, content_sha256, latency_ms, review_id) "
    "VALUES (:id, :seq, :at, 'bench', true, :action, 10, :intent, :intent, 'bash', 'command', 'execute', "
    "NULL, 'default', '1', :sha, :latency, NULL)"
)


def filled_store(directory: Path, count: int) -> str:
    url = f"sqlite:///{directory / 'codeward.db'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    now_ms = int(time.time() * 1000)
    rng = random.Random(count)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        for start in range(0, count, 50_000):
            rows = [
                {
                    "id": f"d{i}",
                    "seq": i + 1,
                    "at": now_ms - rng.randrange(30 * 86_400_000),
                    "action": rng.choice(ACTIONS),
                    "intent": rng.choice(INTENTS),
                    "sha": "0" * 64,
                    "latency": rng.expovariate(1 / 4.0),
                }
                for i in range(start, min(count, start + 50_000))
            ]
            connection.execute(text(INSERT), rows)
            connection.execute(
                text("INSERT INTO decision_capabilities (decision_id, capability) VALUES (:d, :c)"),
                [{"d": row["id"], "c": rng.choice(CAPABILITIES)} for row in rows[::2]],
            )
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--decisions", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'decisions':>10} {'upgrade s':>10} {'scrape p50 ms':>14} {'scrape max ms':>14}")
    for count in args.decisions:
        with tempfile.TemporaryDirectory() as directory:
            url = filled_store(Path(directory), count)
            started = time.perf_counter()
            store = SqlStore.open(locate(url))
            upgrade = time.perf_counter() - started
            try:
                scrapes = []
                for _ in range(5):
                    started = time.perf_counter()
                    store.metrics()
                    scrapes.append((time.perf_counter() - started) * 1000)
            finally:
                store.close()
        print(f"{count:>10,} {upgrade:>10.2f} {statistics.median(scrapes):>14.1f} {max(scrapes):>14.1f}")


if __name__ == "__main__":
    main()
