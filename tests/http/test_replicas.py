"""Two real service processes on one PostgreSQL database share the review queue and append to one
audit chain without forking it."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from codeward import Actor
from codeward.identity import key_hash
from codeward.store.location import locate
from codeward.store.records import DecisionQuery
from codeward.store.sql import SqlStore
from servicecases import HELD_SNIPPET, postgres_database, running_service, write_policy

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ALICE = "cwk_alice_" + "a" * 30
RITA = "cwk_rita_" + "r" * 30


def test_two_replicas_share_the_queue_and_one_unforked_chain(tmp_path: Path) -> None:
    policy = write_policy(tmp_path)
    with postgres_database() as url, contextlib.ExitStack() as running:
        store = SqlStore.open(locate(url))
        store.add_api_key(
            key_hash(ALICE), Actor(id="alice", roles=["developer"]), label="a", created_by="test"
        )
        store.add_api_key(key_hash(RITA), Actor(id="rita", roles=["reviewer"]), label="r", created_by="test")
        replicas = [
            running.enter_context(running_service("--db", url, "--policy", str(policy), home=tmp_path / name))
            for name in ("one", "two")
        ]
        alice = {"Authorization": f"Bearer {ALICE}"}
        rita = {"Authorization": f"Bearer {RITA}"}

        def post(index: int) -> httpx.Response:
            body = {"subject": {"kind": "command", "content": f"echo {index}"}}
            return httpx.post(f"{replicas[index % 2]}/v1/check", json=body, headers=alice, timeout=30)

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(post, range(80)))
        assert all(a.status_code == 200 for a in answers)

        held = httpx.post(
            f"{replicas[0]}/v1/check", json={"subject": {"content": HELD_SNIPPET}}, headers=alice, timeout=30
        ).json()
        queue = httpx.get(f"{replicas[1]}/v1/reviews", params={"status": "pending"}, headers=rita).json()
        assert [item["id"] for item in queue] == [held["review_id"]]

        def approve(replica: str) -> int:
            path = f"{replica}/v1/reviews/{held['review_id']}/approve"
            return httpx.post(path, json={"comment": "ok"}, headers=rita, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = sorted(pool.map(approve, replicas))
        assert outcomes == [200, 409]

        reports = [httpx.post(f"{r}/v1/audit/verify", headers=rita, timeout=60).json() for r in replicas]
        assert reports[0] == reports[1]
        assert reports[0]["intact"] and reports[0]["records"] == 2 + 80 + 1 + 1
        seqs = [d.audit_seq for d in store.decisions(DecisionQuery(limit=1000))]
        assert len(set(seqs)) == len(seqs) == 81
        store.close()
