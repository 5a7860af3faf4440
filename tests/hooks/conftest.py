"""Fixtures for the hook tests: the real engine behind a judge, and a private CODEWARD_HOME."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from codeward import Guard
from codeward.adapters.hooks import dialect
from codeward.adapters.hooks.judges import InProcessJudge
from codeward.adapters.hooks.protocol import HookAnswer, respond


@pytest.fixture(scope="session")
def real_judge(guard: Guard) -> InProcessJudge:
    return InProcessJudge(guard_factory=lambda: guard)


@pytest.fixture
def ask(real_judge: InProcessJudge) -> Callable[..., HookAnswer]:
    def run(
        client: str, payload: Any, *, judge: Any = None, deadline: float = 10.0, **options: Any
    ) -> HookAnswer:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return respond(
            dialect(client), raw, judge or real_judge, deadline=time.monotonic() + deadline, **options
        )

    return run


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Failure logs go to a throwaway CODEWARD_HOME, never the developer's."""
    monkeypatch.setenv("CODEWARD_HOME", str(tmp_path_factory.mktemp("home")))
    yield
