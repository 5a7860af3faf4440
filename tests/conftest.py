"""Shared fixtures. One Guard per test session: building it compiles the policy and the rules."""

from __future__ import annotations

import pytest

from codeward import Guard


@pytest.fixture(scope="session")
def guard() -> Guard:
    return Guard(sandbox_mode="never")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # a run that executes zero tests is a failure, not a pass
    if session.testscollected == 0 and exitstatus == 0 and not session.config.option.collectonly:
        session.exitstatus = 5
