"""LiteLLM's forwarded request headers, read by the service: a codeward credential in X-Codeward-Token is
verified and then names the actor with its roles; one that fails blocks the call; a header that only
claims a person (or a role) clears nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpcases import as_

from codeward import Actor
from codeward.adapters.http.litellm import PATH as LITELLM
from codeward.store.records import AuditQuery
from codeward.store.sql import SqlStore


def body(headers: dict[str, str]) -> dict[str, Any]:
    return {
        "input_type": "request",
        "texts": ["list the files here"],
        "request_data": {"user_api_key_user_id": "u-7", "user_api_key_team_id": "t-platform"},
        "request_headers": headers,
        "litellm_call_id": "call-1",
        "litellm_trace_id": "trace-1",
    }


def latest_actor(store: SqlStore) -> Actor:
    records = store.audit(AuditQuery(kind="decision", newest_first=True, limit=1))
    return store.decision(str(records[0].ref)).actor


def test_a_verified_codeward_token_names_the_person_and_their_roles(
    client: TestClient, keys: dict[str, str], store: SqlStore
) -> None:
    headers = {"X-Codeward-Token": keys["sec"], "X-Codeward-Intent": "security research"}
    answer = client.post(LITELLM, json=body(headers), headers=as_(keys, "sam"))
    assert answer.status_code == 200 and answer.json() == {"action": "NONE"}
    actor = latest_actor(store)
    assert actor.id == "sec" and actor.verified and actor.roles == ["security-engineer"]
    assert "litellm via sam" in actor.method


def test_a_token_that_fails_verification_blocks_and_decides_nothing(
    client: TestClient, keys: dict[str, str], store: SqlStore
) -> None:
    before = len(store.audit(AuditQuery(kind="decision")))
    forged = "cwk_sec_" + "x" * 30
    answer = client.post(LITELLM, json=body({"X-Codeward-Token": forged}), headers=as_(keys, "sam"))
    assert answer.status_code == 200 and answer.json()["action"] == "BLOCKED"
    assert "not accepted" in answer.json()["blocked_reason"]
    assert len(store.audit(AuditQuery(kind="decision"))) == before


def test_identity_claims_in_headers_clear_no_role(
    client: TestClient, keys: dict[str, str], store: SqlStore
) -> None:
    claims = {
        "X-Codeward-User": "sec",
        "X-Forwarded-Email": "sec@example.com",
        "X-Codeward-Roles": "security-engineer",
        "Authorization": "Bearer " + keys["sec"],  # LiteLLM's own key header, never codeward's credential
    }
    client.post(LITELLM, json=body(claims), headers=as_(keys, "sam")).raise_for_status()
    actor = latest_actor(store)
    assert actor.id == "u-7" and not actor.verified and actor.roles == []
