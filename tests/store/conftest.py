"""Every store test runs on SQLite and on PostgreSQL (marker `postgres`, skipped visibly without it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codeward import Guard
from codeward.store.location import locate
from codeward.store.sql import SqlStore
from servicecases import database_url, write_policy


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(locate(store_url))
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_policy(tmp_path_factory.mktemp("policy"))


@pytest.fixture
def guard(store: SqlStore, policy_file: Path) -> Guard:
    return Guard([str(policy_file)], sandbox_mode="never", store=store)
