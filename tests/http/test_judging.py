"""Small snippets are judged on the event loop; larger ones, and hook calls, JUDGING_THREADS at a
time per process in threads (they share one interpreter lock, so more threads only take turns at
it); the others wait on the event loop and all finish."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from codeward import Action, Context, Decision, Subject
from codeward.adapters.http.service import INLINE_BYTES, JUDGING_THREADS, Service


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


def test_a_small_snippet_is_judged_on_the_event_loop_and_a_large_one_in_a_judging_thread(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread hop costs a small decision more than it saves (the answer waits for the interpreter
    lock); a large one goes to a thread, so that the loop keeps serving while it is judged."""
    judged_on: dict[int, str] = {}
    check = service.guard.check

    def recording(subject: Subject, context: Context | None = None, **keywords: Any) -> Decision:
        judged_on[len(subject.content)] = threading.current_thread().name
        return check(subject, context, **keywords)

    monkeypatch.setattr(service.guard, "check", recording)
    small = Subject(kind="command", language="bash", content="ls -la")
    large = Subject(kind="code", language="bash", content="echo building\n" * (INLINE_BYTES // 14 + 1))
    wide_line = "echo 建\n"  # 7 characters, 9 bytes in UTF-8
    wide = Subject(kind="code", language="bash", content=wide_line * (INLINE_BYTES // 8))

    async def all_three() -> tuple[list[Decision], str]:
        loop_thread = threading.current_thread().name
        return [await service.check(s, Context()) for s in (small, large, wide)], loop_thread

    decisions, loop_thread = asyncio.run(all_three())
    first = decisions[0]
    assert all(d.action is Action.ALLOW for d in decisions)
    assert judged_on[len(small.content)] == loop_thread
    assert judged_on[len(large.content)] != loop_thread
    assert judged_on[len(wide.content)] != loop_thread, "the limit counts UTF-8 bytes, not characters"
    assert len(large.content) > INLINE_BYTES >= len(small.content)
    assert len(wide.content) <= INLINE_BYTES < len(wide.content.encode())
    assert service.store.decision(first.decision_id).decision.decision_id == first.decision_id
