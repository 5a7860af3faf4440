"""The CPU cost of reading a session's history before a check, as the service does it: the store's
query for the whole window, against a process's kept window brought up to date with what was
recorded since. A script that prints numbers, not a timed test.

    python benchmarks/session_history.py                 # 50 sessions of 100 decisions, SQLite
    python benchmarks/session_history.py --events 20

Each round records one new decision in a session and then reads that session's history, as a
service judging 50 busy agent sessions would; only the reads are timed.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path

from codeward import Actor, Context, Guard, Session, Subject
from codeward.store.database import driver_transaction
from codeward.store.location import locate
from codeward.store.sessions import SessionWindows, session_events
from codeward.store.sql import SqlStore

ACTOR = Actor(id="bench", roles=["developer"], verified=True, method="token")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--events", type=int, default=100, help="Decisions per session before timing.")
    parser.add_argument("--rounds", type=int, default=1000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        store = SqlStore.open(locate(f"sqlite:///{Path(home) / 'codeward.db'}"))
        guard = Guard(sandbox_mode="never", store=store)
        names = [f"s-{n}" for n in range(arguments.sessions)]

        def record(name: str, index: int) -> None:
            subject = Subject(kind="command", language="bash", content=f"ls build/{index}")
            guard.check(subject, Context(actor=ACTOR, session=Session(id=name)))

        for index in range(arguments.events):
            for name in names:
                record(name, index)
        windows = SessionWindows()
        for name in names:  # first reads: each window is read whole once
            with driver_transaction(store.engine, write=False) as tx:
                windows.read(tx, name, 0)
        timed = {"store query": 0.0, "kept window": 0.0}
        sizes = []
        gc.collect()
        for index in range(arguments.rounds):
            name = names[index % len(names)]
            record(name, arguments.events + index)
            for label in timed:
                started = time.process_time()
                with driver_transaction(store.engine, write=False) as tx:
                    if label == "store query":
                        events = session_events(tx, name, 0)
                    else:
                        events = windows.read(tx, name, 0)
                timed[label] += time.process_time() - started
            sizes.append(len(events))
        store.close()
    print(
        f"{arguments.sessions} sessions, {min(sizes)}-{max(sizes)} events read per check, "
        f"{arguments.rounds} checks (SQLite)"
    )
    for label, seconds in timed.items():
        print(f"  {label:<12} {seconds / arguments.rounds * 1000:.3f} ms of CPU per read")


if __name__ == "__main__":
    main()
