"""A service over a fresh SQLite store with the test policy, and API keys for the people in the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpcases import PEOPLE, make_service

from codeward import Actor, Guard
from codeward.adapters.http.app import create_app
from codeward.adapters.http.service import Service
from codeward.identity import key_hash
from codeward.store.location import locate
from codeward.store.sql import SqlStore
from servicecases import write_policy


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_policy(tmp_path_factory.mktemp("policy"))


@pytest.fixture(scope="module")
def module_guard(policy_file: Path) -> Guard:
    return Guard([str(policy_file)], sandbox_mode="never")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = SqlStore.open(locate(f"sqlite:///{tmp_path / 'codeward.db'}"))
    yield opened
    opened.close()


@pytest.fixture
def keys(store: SqlStore) -> dict[str, str]:
    """Each person's API key (`cwk_<name>` padded to a valid key)."""
    issued = {}
    for name, roles in PEOPLE.items():
        key = f"cwk_{name}_" + "k" * 30
        store.add_api_key(key_hash(key), Actor(id=name, roles=roles), label=name, created_by="test")
        issued[name] = key
    return issued


@pytest.fixture
def service(store: SqlStore, module_guard: Guard, policy_file: Path) -> Service:
    return make_service(store, module_guard, policy_file)


@pytest.fixture
def client(service: Service, keys: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(service=service)) as test_client:
        yield test_client
