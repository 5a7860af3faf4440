"""LiteLLM's Generic Guardrail API served by codeward: the documented request in, a verdict out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from codeward import Guard
from codeward.adapters.http.litellm import PATH, router_for

POLICY = "codeward: 1\nid: gw\ndeny:\n  - {id: no-marker, pattern: 'FORBIDDEN_MARKER', reason: the gateway forbids the marker}\n"
USER = {
    "user_api_key_hash": "h",
    "user_api_key_alias": "ci-key",
    "user_api_key_user_id": "u-7",
    "user_api_key_team_id": "t-platform",
    "user_api_key_org_id": "o-acme",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    policy = tmp_path_factory.mktemp("gw") / "gw.yaml"
    policy.write_text(POLICY)
    guard = Guard([str(policy)], sandbox_mode="never")
    app = FastAPI()
    app.include_router(router_for(guard.check))
    return TestClient(app)


def ask(client: TestClient, input_type: str, texts: list[str], **extra: object) -> dict[str, object]:
    body = {
        "input_type": input_type,
        "texts": texts,
        "request_data": USER,
        "litellm_call_id": "call-1",
        "litellm_trace_id": "trace-1",
        "additional_provider_specific_params": {},
        **extra,
    }
    response = client.post(PATH, json=body)
    assert response.status_code == 200, response.text
    verdict: dict[str, object] = response.json()
    return verdict


def test_a_harmless_response_is_none(client: TestClient) -> None:
    assert ask(client, "response", ["Use `ls`:\n```bash\nls -la\n```\n"]) == {"action": "NONE"}


def test_a_stopped_code_block_in_a_response_is_replaced_and_reported_as_an_intervention(
    client: TestClient,
) -> None:
    text = "Before.\n```bash\necho FORBIDDEN_MARKER\n```\nAfter."
    verdict = ask(client, "response", ["untouched", text])
    assert verdict["action"] == "GUARDRAIL_INTERVENED"
    untouched, replaced = verdict["texts"]  # type: ignore[misc]
    assert untouched == "untouched"
    assert replaced.startswith("Before.\n") and replaced.endswith("After.")
    assert "FORBIDDEN_MARKER" not in replaced and "[codeward block:" in replaced


def test_a_blocked_prompt_is_blocked_with_its_reason(client: TestClient) -> None:
    verdict = ask(client, "request", ["please print FORBIDDEN_MARKER"])
    assert verdict["action"] == "BLOCKED"
    assert "the gateway forbids the marker" in str(verdict["blocked_reason"])
    assert "decision" in str(verdict["blocked_reason"])


def test_a_stopped_tool_call_in_a_response_blocks_it(client: TestClient) -> None:
    calls = [
        {
            "id": "c1",
            "type": "function",
            "function": {"name": "run_shell", "arguments": json.dumps({"command": "echo FORBIDDEN_MARKER"})},
        }
    ]
    verdict = ask(client, "response", [], tool_calls=calls)
    assert verdict["action"] == "BLOCKED" and "run_shell" in str(verdict["blocked_reason"])


def test_newer_fields_litellm_adds_are_accepted(client: TestClient) -> None:
    verdict = ask(
        client,
        "request",
        ["hello"],
        request_headers={"user-agent": "x"},
        litellm_version="1.110.2",
        model="gpt-x",
        structured_messages=[{"role": "user", "content": "hello"}],
        images=None,
        tools=None,
    )
    assert verdict == {"action": "NONE"}


def test_the_keys_identity_becomes_the_actor() -> None:
    from codeward.adapters.http.litellm import GuardrailRequest, context_of

    context = context_of(
        GuardrailRequest(
            request_data=USER,
            litellm_trace_id="trace-1",
            additional_provider_specific_params={"intent": "education"},
        )
    )
    assert context.actor.id == "u-7" and context.actor.groups == ["team:t-platform", "org:o-acme"]
    assert context.actor.verified is False, "codeward cannot verify what the gateway says"
    assert context.session.id == "trace-1" and context.declared_intent == "education"


def test_the_router_documents_the_litellm_contract(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert PATH in schema["paths"]
    verdict = schema["components"]["schemas"]["GuardrailResponse"]["properties"]["action"]
    assert set(verdict["enum"]) == {"BLOCKED", "NONE", "GUARDRAIL_INTERVENED"}


def test_a_malformed_request_is_rejected_not_passed(client: TestClient, tmp_path: Path) -> None:
    response = client.post(PATH, json={"input_type": "sideways", "texts": ["x"]})
    assert response.status_code == 422


def test_the_forwarded_codeward_headers_give_intent_session_and_project(tmp_path: Path) -> None:
    from codeward.adapters.http.litellm import GuardrailRequest, context_of

    body = GuardrailRequest(
        request_data=USER,
        litellm_trace_id="trace-1",
        additional_provider_specific_params={"intent": "education"},
        request_headers={
            "X-Codeward-Intent": "security research",
            "x-codeward-session": "sess-9",
            "X-CODEWARD-PROJECT": str(tmp_path),
            "x-unrelated": ["not", "text"],
        },
    )
    context = context_of(body)
    assert context.declared_intent == "security research", "the request's header, over the config's param"
    assert context.session.id == "sess-9"
    assert context.project is not None and context.project.path == str(tmp_path)
    assert context_of(body, project_paths=False).project is None, "a service that reads no paths"
    missing = body.model_copy(update={"request_headers": {"x-codeward-project": str(tmp_path / "nope")}})
    assert context_of(missing).project is None


def test_a_header_that_claims_a_person_names_at_most_an_unverified_actor() -> None:
    from codeward.adapters.http.litellm import GuardrailRequest, context_of

    claims = {
        "X-Forwarded-User": "root-admin",
        "X-Codeward-Roles": "security-engineer",
        "X-Forwarded-Groups": "admins",
        "X-Codeward-Verified": "true",
    }
    context = context_of(GuardrailRequest(request_headers=claims))
    assert context.actor.id == "root-admin"
    assert context.actor.verified is False and context.actor.roles == [] and context.actor.groups == []
    keyed = context_of(GuardrailRequest(request_data=USER, request_headers=claims))
    assert keyed.actor.id == "u-7", "the gateway's own key user comes first"


def test_a_codeward_token_nothing_here_can_verify_blocks_the_call(client: TestClient) -> None:
    verdict = ask(client, "request", ["hello"], request_headers={"X-Codeward-Token": "eyJhbGciOi.x.y"})
    assert verdict["action"] == "BLOCKED" and "not accepted" in str(verdict["blocked_reason"])
