"""The doors the service opens for other tools: agent hooks (`POST /v1/hooks/{client}`) and LiteLLM's
Generic Guardrail API. Both are mounted in the service, take the actor from credentials only, record
every decision, announce held ones to the webhook, and a hook can wait for the reviewer."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from httpcases import as_, make_service, recording_webhook

from codeward import Actor, Guard
from codeward.adapters.http.app import create_app
from codeward.adapters.http.litellm import PATH as LITELLM
from codeward.store.records import AuditQuery, ReviewStatus
from codeward.store.sql import SqlStore
from servicecases import HELD_SNIPPET


def claude_code(command: str) -> dict[str, Any]:
    return {
        "session_id": "s-1",
        "transcript_path": None,
        "cwd": "/tmp/project",
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command},
        "tool_use_id": "t-1",
    }


def permission(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 200, response.text
    output = response.json()["hookSpecificOutput"]
    return output["permissionDecision"], output["permissionDecisionReason"]


def latest_decision_actor(store: SqlStore) -> Actor:
    records = store.audit(AuditQuery(kind="decision", newest_first=True, limit=1))
    return store.decision(str(records[0].ref)).actor


def test_the_hook_route_is_mounted_and_the_actor_is_the_credentials_not_the_payload(
    client: TestClient, keys: dict[str, str], store: SqlStore
) -> None:
    allowed, _ = permission(client.post("/v1/hooks/claude-code", json=claude_code("ls -la")))
    assert allowed == "allow"
    assert latest_decision_actor(store).id == "anonymous"

    cursor = {
        "hook_event_name": "beforeShellExecution",
        "command": "ls",
        "cwd": "/tmp/project",
        "conversation_id": "c-1",
        "user_email": "root@example.com",
    }
    response = client.post("/v1/hooks/cursor", json=cursor, headers=as_(keys, "bob"))
    assert response.status_code == 200 and response.json()["permission"] == "allow"
    actor = latest_decision_actor(store)
    assert actor.id == "bob" and actor.verified and actor.method == "api_key"


def test_a_held_hook_call_opens_a_review_and_without_a_wait_is_denied_with_its_id(
    client: TestClient, keys: dict[str, str], store: SqlStore
) -> None:
    answer, reason = permission(
        client.post("/v1/hooks/claude-code", json=claude_code(HELD_SNIPPET), headers=as_(keys, "alice"))
    )
    pending = store.reviews(status=ReviewStatus.PENDING)
    assert answer == "deny" and len(pending) == 1  # the built-in policy's hooks.review
    assert f"review {pending[0].id} is pending" in reason and pending[0].requester == "alice"


def approve_when_it_appears(store: SqlStore, *, approve: bool, comment: str) -> threading.Thread:
    """A reviewer who decides the first pending review as soon as it is there."""

    def reviewer() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pending = store.reviews(status=ReviewStatus.PENDING)
            if pending:
                store.decide_review(
                    pending[0].id,
                    approve=approve,
                    reviewer=Actor(id="rita", roles=["reviewer"], verified=True, method="api_key"),
                    comment=comment,
                )
                return
            time.sleep(0.05)

    thread = threading.Thread(target=reviewer)
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("client_name", "approve", "comment", "expected"),
    [
        ("claude-code", True, "read it: harmless", ("allow", "approved by rita: read it: harmless")),
        ("codex", False, "not on this host", ("deny", "denied by rita: not on this host")),
    ],
)
def test_a_hook_waits_for_the_reviewer_and_runs_or_stops_as_decided(
    client: TestClient,
    keys: dict[str, str],
    store: SqlStore,
    client_name: str,
    approve: bool,
    comment: str,
    expected: tuple[str, str],
) -> None:
    reviewer = approve_when_it_appears(store, approve=approve, comment=comment)
    response = client.post(
        f"/v1/hooks/{client_name}",
        params={"wait_review": 20, "deadline": 30},
        json=claude_code(HELD_SNIPPET),
        headers=as_(keys, "alice"),
    )
    reviewer.join()
    answer, reason = permission(response)
    assert answer == expected[0] and expected[1] in reason


def test_a_hook_whose_wait_runs_out_answers_with_the_pending_review_before_its_deadline(
    client: TestClient, keys: dict[str, str]
) -> None:
    started = time.monotonic()
    answer, reason = permission(
        client.post(
            "/v1/hooks/claude-code",
            params={"wait_review": 60, "deadline": 2},
            json=claude_code(HELD_SNIPPET),
            headers=as_(keys, "alice"),
        )
    )
    assert answer == "deny" and "is pending" in reason
    assert time.monotonic() - started < 30, "the wait must end at the hook's deadline, not at wait_review"


def litellm_body(input_type: str, texts: list[str]) -> dict[str, Any]:
    return {
        "input_type": input_type,
        "texts": texts,
        "request_data": {"user_api_key_user_id": "u-7", "user_api_key_team_id": "t-platform"},
        "litellm_call_id": "call-1",
        "litellm_trace_id": "trace-1",
        "additional_provider_specific_params": {},
    }


def test_litellm_is_answered_by_the_service_and_the_reported_user_gets_no_roles(
    client: TestClient, keys: dict[str, str], store: SqlStore
) -> None:
    gateway = as_(keys, "sam")
    clean = client.post(LITELLM, json=litellm_body("response", ["Run:\n```bash\nls\n```\n"]), headers=gateway)
    assert clean.status_code == 200 and clean.json() == {"action": "NONE"}

    text = "Here:\n```bash\necho STOP_HERE\n```\nDone."
    stopped = client.post(LITELLM, json=litellm_body("response", [text]), headers=gateway)
    assert stopped.status_code == 200 and stopped.json()["action"] == "GUARDRAIL_INTERVENED"
    assert "STOP_HERE" not in stopped.json()["texts"][0]
    actor = latest_decision_actor(store)
    assert actor.id == "u-7" and not actor.verified and actor.roles == []
    assert actor.method == "litellm via sam" and "team:t-platform" in actor.groups


def test_litellm_needs_credentials_when_the_service_requires_them(
    store: SqlStore, module_guard: Guard, policy_file: Path, keys: dict[str, str]
) -> None:
    service = make_service(store, module_guard, policy_file, require_auth=True)
    with TestClient(create_app(service=service)) as strict:
        body = litellm_body("request", ["hello"])
        assert strict.post(LITELLM, json=body).status_code == 401
        assert strict.post("/v1/hooks/claude-code", json=claude_code("ls")).status_code == 401
        assert strict.post(LITELLM, json=body, headers=as_(keys, "sam")).json() == {"action": "NONE"}


def test_held_snippets_from_hooks_and_litellm_call_the_webhook(
    store: SqlStore, module_guard: Guard, policy_file: Path, keys: dict[str, str]
) -> None:
    service = make_service(store, module_guard, policy_file, webhook_url="http://hooks.test/codeward")
    received = recording_webhook(service)
    with TestClient(create_app(service=service)) as webhooked:
        webhooked.post("/v1/hooks/claude-code", json=claude_code(HELD_SNIPPET), headers=as_(keys, "alice"))
        webhooked.post(LITELLM, json=litellm_body("request", [HELD_SNIPPET]), headers=as_(keys, "sam"))
    opened = {item.id for item in store.reviews(status=ReviewStatus.PENDING)}
    assert len(opened) == 2 and {call["review_id"] for call in received} == opened


def test_a_service_beyond_loopback_reads_no_project_path_from_its_own_disk(
    store: SqlStore, module_guard: Guard, policy_file: Path, keys: dict[str, str]
) -> None:
    service = make_service(store, module_guard, policy_file, read_project_paths=False)
    with TestClient(create_app(service=service)) as remote:
        body = {"subject": {"content": "ls"}, "context": {"project": {"path": "/etc"}}}
        refused = remote.post("/v1/check", json=body)
        assert refused.status_code == 422 and "send the project as a manifest" in refused.json()["error"]
        manifest = {"subject": {"content": "ls"}, "context": {"project": {"files": ["setup.py"]}}}
        assert remote.post("/v1/check", json=manifest).status_code == 200
        hook = remote.post("/v1/hooks/claude-code", json=claude_code("ls"), headers=as_(keys, "bob"))
        assert permission(hook)[0] == "allow"
    record = store.audit(AuditQuery(kind="decision", newest_first=True, limit=1))[0]
    assert "/tmp/project" not in record.body_text, "the hook's cwd was used as a path on the service"


def test_an_api_key_lookup_is_remembered_briefly_and_a_revocation_then_applies(
    store: SqlStore, module_guard: Guard, policy_file: Path, keys: dict[str, str]
) -> None:
    from codeward.adapters.http.service import KEY_CACHE_SECONDS, Service, ServiceConfig
    from codeward.identity import IdentityConfig, key_hash

    now = [1000.0]
    module_guard.store = store
    service = Service(
        ServiceConfig(policies=[str(policy_file)]),
        store=store,
        guard=module_guard,
        identity=IdentityConfig(),
        clock=lambda: now[0],
    )
    with TestClient(create_app(service=service)) as client:
        bob = as_(keys, "bob")
        assert client.post("/v1/check", json={"subject": {"content": "ls"}}, headers=bob).status_code == 200
        fingerprint = next(k.fingerprint for k in store.api_keys() if k.actor.id == "bob")
        assert store.revoke_api_key(fingerprint, revoked_by="test") == 1
        digest = key_hash(keys["bob"])
        assert service.api_keys.fresh(digest), "a key just looked up is answered from memory"
        now[0] += KEY_CACHE_SECONDS - 0.5
        assert not service.api_keys.fresh(digest), (
            "a key about to expire is looked up again, off the event loop"
        )
        now[0] += 0.6
        refused = client.post("/v1/check", json={"subject": {"content": "ls"}}, headers=bob)
        assert refused.status_code == 401
