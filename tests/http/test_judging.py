"""Decisions are judged JUDGING_THREADS at a time per process (they share one interpreter
lock, so more threads only take turns at it); the others wait on the event loop and all finish."""

from __future__ import annotations

import asyncio
import threading
import time

from codeward.adapters.http.service import JUDGING_THREADS, Service


def test_at_most_judging_threads_decisions_run_at_once_and_every_one_finishes(service: Service) -> None:
    running, most, started = [0], [0], []
    lock = threading.Lock()

    def judge(number: int, *, pause: float) -> int:
        with lock:
            started.append(number)
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(pause)
        with lock:
            running[0] -= 1
        return number

    async def many() -> list[int]:
        return await asyncio.gather(
            *(service.judging(judge, n, pause=0.05) for n in range(4 * JUDGING_THREADS))
        )

    assert asyncio.run(many()) == list(range(4 * JUDGING_THREADS))
    assert most[0] == JUDGING_THREADS
    if JUDGING_THREADS == 1:
        assert started == sorted(started), "decisions waiting their turn start in arrival order"
