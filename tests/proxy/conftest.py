"""Fixtures: a scripted upstream, and the proxy in front of it with a policy that blocks a marker,
recording to a throwaway store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from proxycases import POLICY, RunningProxy, ScriptedUpstream

from codeward.adapters.proxy import AuditLog, ProxyConfig, create_app, guard_judge_factory
from codeward.store.local import store_for_check


@pytest.fixture
def upstream() -> Iterator[ScriptedUpstream]:
    server = ScriptedUpstream()
    yield server
    server.close()


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("store") / "codeward.db"


@pytest.fixture(scope="session")
def judge_factory(tmp_path_factory: pytest.TempPathFactory, store_path: Path) -> Any:
    policy = tmp_path_factory.mktemp("policy") / "proxy.yaml"
    policy.write_text(POLICY)
    return guard_judge_factory([str(policy)], store=store_for_check(str(store_path)))


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


@pytest.fixture
def proxy(upstream: ScriptedUpstream, judge_factory: Any, audit_path: Path) -> Iterator[RunningProxy]:
    app = create_app(ProxyConfig(upstream.url + "/v1", judge_factory, AuditLog(str(audit_path))))
    running = RunningProxy(app)
    yield running
    running.close()
