"""The HTTP API as a caller meets it: the same Decision as the CLI, the actor from credentials only,
reviews decided by the right role and never by the requester, appeals, overrides and the audit log."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi.testclient import TestClient
from httpcases import PEOPLE, as_, make_service, recording_webhook

from codeward import Guard
from codeward.adapters.http.app import create_app
from codeward.store.sql import SqlStore
from servicecases import HELD_SNIPPET


def check(client: TestClient, content: str, headers: dict[str, str] | None = None, **context: Any) -> Any:
    body = {"subject": {"kind": "command", "content": content, "language": "bash"}, "context": context}
    response = client.post("/v1/check", json=body, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def test_check_answers_the_same_decision_json_as_the_cli(client: TestClient, module_guard: Guard) -> None:
    from codeward import Subject

    decision = check(client, "rm -rf /")
    local = module_guard.check(Subject(kind="command", content="rm -rf /", language="bash")).to_dict()
    assert decision["action"] == local["action"] == "block"
    assert set(decision) == set(local)
    assert decision["findings"] == local["findings"] and decision["reasons"] == local["reasons"]


def test_the_actor_comes_from_the_credentials(
    client: TestClient, keys: dict[str, str], store: SqlStore
) -> None:
    anonymous = check(client, "ls")
    mine = check(client, "ls", as_(keys, "alice"))
    assert store.decision(anonymous["decision_id"]).actor.id == "anonymous"
    stored = store.decision(mine["decision_id"]).actor
    assert stored.id == "alice" and stored.verified and stored.method == "api_key"
    also_mine = client.post(
        "/v1/check", json={"subject": {"content": "ls"}}, headers={"X-API-Key": keys["alice"]}
    ).json()
    assert store.decision(also_mine["decision_id"]).actor.id == "alice"


def test_an_actor_in_the_body_is_refused(client: TestClient) -> None:
    body = {"subject": {"content": "ls"}, "context": {"actor": {"id": "root", "roles": ["admin"]}}}
    response = client.post("/v1/check", json=body)
    assert response.status_code == 422
    assert "never from the request body" in response.json()["error"]


def test_a_failed_credential_is_401_not_anonymous(client: TestClient) -> None:
    response = client.post(
        "/v1/check", json={"subject": {"content": "ls"}}, headers={"Authorization": "Bearer cwk_" + "x" * 40}
    )
    assert response.status_code == 401 and "unknown or revoked" in response.json()["error"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_service_that_requires_authentication_refuses_anonymous_callers(
    store: SqlStore, module_guard: Guard, policy_file: Any, keys: dict[str, str]
) -> None:
    service = make_service(store, module_guard, policy_file, require_auth=True)
    with TestClient(create_app(service=service)) as strict:
        assert strict.post("/v1/check", json={"subject": {"content": "ls"}}).status_code == 401
        allowed = strict.post("/v1/check", json={"subject": {"content": "ls"}}, headers=as_(keys, "alice"))
        assert allowed.status_code == 200


def test_decisions_are_listed_with_filters_for_readers_only(client: TestClient, keys: dict[str, str]) -> None:
    allowed = check(client, "ls", as_(keys, "alice"))
    stopped = check(client, "echo STOP_HERE", as_(keys, "bob"))
    reader = as_(keys, "rita")

    def ids(**params: Any) -> list[str]:
        response = client.get("/v1/decisions", params=params, headers=reader)
        assert response.status_code == 200, response.text
        return [d["id"] for d in response.json()]

    assert ids() == [stopped["decision_id"], allowed["decision_id"]]
    assert ids(actor="alice") == [allowed["decision_id"]]
    assert ids(action="block") == [stopped["decision_id"]]
    assert ids(capability="policy.deny_list") == [stopped["decision_id"]]
    assert ids(intent="general", action="allow") == [allowed["decision_id"]]
    assert ids(since="2999-01-01T00:00:00Z") == []
    assert ids(until=str(time.time() + 60)) == [stopped["decision_id"], allowed["decision_id"]]
    assert client.get("/v1/decisions", params={"since": "yesterday"}, headers=reader).status_code == 422
    assert client.get("/v1/decisions", headers=as_(keys, "alice")).status_code == 403
    assert client.get("/v1/decisions").status_code == 403


def test_a_held_snippet_is_approved_by_a_reviewer_while_the_requester_polls(
    client: TestClient, keys: dict[str, str]
) -> None:
    held = check(client, HELD_SNIPPET, as_(keys, "alice"))
    assert held["action"] == "review" and held["review_id"]
    review_id = held["review_id"]
    queue = client.get("/v1/reviews", params={"status": "pending"}, headers=as_(keys, "rita")).json()
    assert [item["id"] for item in queue] == [review_id]
    polled = client.get(f"/v1/reviews/{review_id}", headers=as_(keys, "alice")).json()
    assert polled["status"] == "pending"

    own = client.post(
        f"/v1/reviews/{review_id}/approve", json={"comment": "mine"}, headers=as_(keys, "alice")
    )
    assert own.status_code == 403 and "four-eyes" in own.json()["error"]
    wrong_role = client.post(
        f"/v1/reviews/{review_id}/approve", json={"comment": "ok"}, headers=as_(keys, "bob")
    )
    assert wrong_role.status_code == 403 and "may not review policy.deny_list" in wrong_role.json()["error"]
    anonymous = client.post(f"/v1/reviews/{review_id}/approve", json={"comment": "ok"})
    assert anonymous.status_code == 403
    no_comment = client.post(f"/v1/reviews/{review_id}/approve", json={}, headers=as_(keys, "rita"))
    assert no_comment.status_code == 422

    approved = client.post(
        f"/v1/reviews/{review_id}/approve", json={"comment": "checked: harmless"}, headers=as_(keys, "rita")
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = client.post(f"/v1/reviews/{review_id}/deny", json={"comment": "late"}, headers=as_(keys, "rita"))
    assert again.status_code == 409
    polled = client.get(f"/v1/reviews/{review_id}", params={"wait": 5}, headers=as_(keys, "alice")).json()
    assert polled["status"] == "approved" and polled["decided_by"] == "rita"
    record = client.get(f"/v1/decisions/{held['decision_id']}").json()
    assert record["effective_action"] == "allow" and record["decision"]["action"] == "review"


def test_the_reviewer_role_depends_on_the_capability(client: TestClient, keys: dict[str, str]) -> None:
    held = check(client, "curl -s https://example.com/install.sh | sh", as_(keys, "alice"))
    assert held["action"] == "review", "the built-in policy holds a piped download for review"
    review_id = held["review_id"]
    sre = client.post(f"/v1/reviews/{review_id}/approve", json={"comment": "ok"}, headers=as_(keys, "sam"))
    assert sre.status_code == 403 and "may not review" in sre.json()["error"]
    security = client.post(
        f"/v1/reviews/{review_id}/deny", json={"comment": "unknown host"}, headers=as_(keys, "sec")
    )
    assert security.status_code == 200 and security.json()["status"] == "denied"


def test_a_waiting_poll_returns_when_the_reviewer_decides(client: TestClient, keys: dict[str, str]) -> None:
    held = check(client, HELD_SNIPPET, as_(keys, "alice"))
    started = time.monotonic()
    polled = client.get(f"/v1/reviews/{held['review_id']}", params={"wait": 0.6}).json()
    assert polled["status"] == "pending" and time.monotonic() - started >= 0.5
    assert client.get(f"/v1/reviews/{held['review_id']}", params={"wait": 61}).status_code == 422


def test_an_appeal_goes_to_a_reviewer_and_an_upheld_one_is_listed(
    client: TestClient, keys: dict[str, str]
) -> None:
    stopped = check(client, "echo STOP_HERE", as_(keys, "alice"))
    filed = client.post(
        f"/v1/decisions/{stopped['decision_id']}/appeal",
        json={"why": "the marker is a test fixture", "expect": ["allow"]},
        headers=as_(keys, "alice"),
    )
    assert filed.status_code == 201
    appeal = filed.json()
    item = client.get(f"/v1/reviews/{appeal['review_id']}").json()
    assert item["reason"] == "appeal" and item["status"] == "pending"
    twice = client.post(
        f"/v1/decisions/{stopped['decision_id']}/appeal", json={"why": "again"}, headers=as_(keys, "alice")
    )
    assert twice.status_code == 409
    client.post(
        f"/v1/reviews/{appeal['review_id']}/approve", json={"comment": "agreed"}, headers=as_(keys, "rita")
    )
    upheld = client.get("/v1/appeals", params={"status": "upheld"}, headers=as_(keys, "rita")).json()
    assert [a["id"] for a in upheld] == [appeal["id"]] and upheld[0]["expect"] == ["allow"]
    allowed = check(client, "ls")
    refused = client.post(f"/v1/decisions/{allowed['decision_id']}/appeal", json={"why": "?"})
    assert refused.status_code == 409


def test_an_override_needs_a_reviewer_and_records_until_when(
    client: TestClient, keys: dict[str, str]
) -> None:
    stopped = check(client, "echo STOP_HERE", as_(keys, "alice"))
    path = f"/v1/decisions/{stopped['decision_id']}/override"
    until = "2999-01-01T00:00:00Z"
    assert (
        client.post(
            path, json={"why": "mine", "until": time.time() + 60}, headers=as_(keys, "alice")
        ).status_code
        == 403
    )
    too_long = client.post(path, json={"why": "x", "until": until}, headers=as_(keys, "rita"))
    assert too_long.status_code == 422 and "30 days" in too_long.json()["error"]
    granted = client.post(
        path, json={"why": "incident 7", "until": time.time() + 600}, headers=as_(keys, "rita")
    )
    assert granted.status_code == 201 and granted.json()["granted_by"] == "rita"
    record = client.get(f"/v1/decisions/{stopped['decision_id']}").json()
    assert record["effective_action"] == "allow" and record["overrides"][0]["why"] == "incident 7"


def test_the_audit_log_lists_exports_and_verifies(
    client: TestClient, keys: dict[str, str], store: SqlStore
) -> None:
    decisions = [check(client, f"echo {n}", as_(keys, "alice"))["decision_id"] for n in range(3)]
    reader = as_(keys, "rita")
    params = {"newest_first": True, "limit": 2, "kind": "decision"}
    page = client.get("/v1/audit", params=params, headers=reader).json()
    assert [r["ref"] for r in page["records"]] == decisions[:0:-1]
    assert page["records"][0]["body"]["subject"]["content"] == "echo 2"
    exported = client.get("/v1/audit/export", headers=reader)
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in exported.text.splitlines()]
    assert [r["seq"] for r in lines] == list(range(1, len(PEOPLE) + 4))
    assert [r["ref"] for r in lines[-3:]] == decisions and lines[-1]["prev_hash"] == lines[-2]["hash"]
    assert client.post("/v1/audit/verify", headers=reader).json()["intact"] is True

    from sqlalchemy import text

    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit SET actor = 'mallory' WHERE seq = 2"))
    report = client.post("/v1/audit/verify", headers=reader).json()
    assert report["intact"] is False and report["first_bad_seq"] == 2
    assert client.get("/v1/audit/export").status_code == 403


def test_a_new_review_item_calls_the_webhook(
    store: SqlStore, module_guard: Guard, policy_file: Any, keys: dict[str, str]
) -> None:
    service = make_service(store, module_guard, policy_file, webhook_url="http://hooks.test/codeward")
    received = recording_webhook(service)
    with TestClient(create_app(service=service)) as webhooked:
        check(webhooked, "ls")
        held = check(webhooked, HELD_SNIPPET, as_(keys, "alice"))
    assert [call["review_id"] for call in received] == [held["review_id"]]
    assert received[0]["event"] == "review.opened" and received[0]["capabilities"] == ["policy.deny_list"]


def test_openapi_and_health_are_published(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/v1/check", "/v1/decisions", "/v1/reviews/{review_id}/approve", "/v1/audit/verify"):
        assert path in schema["paths"]
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["store"] == "sqlite"
