"""The proxy seen from the official `openai` client: blocked code and tool calls never reach it, streamed
or not; everything else arrives untouched; what was sent is audited."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from proxycases import RunningProxy, ScriptedUpstream, chunk, completion, text_chunks, tool_call

BLOCKED_CODE = "```bash\necho FORBIDDEN_MARKER\n```\n"
HARMLESS_CODE = "```python\nprint('hello')\n```\n"
BEFORE, AFTER = "Here is the script:\n\n", "\nRun it from the project root.\n"


def client(proxy: RunningProxy, **headers: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=proxy.url + "/v1", api_key="sk-test-key", default_headers=headers, max_retries=0
    )


def audit(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def chat(proxy: RunningProxy, **extra: Any) -> Any:
    return client(proxy).chat.completions.create(
        model="scripted", messages=[{"role": "user", "content": "hi"}], **extra
    )


# ------------------------------------------------------------------------------ not streamed
def test_a_blocked_code_block_is_replaced_in_place_and_the_rest_is_untouched(
    proxy: RunningProxy, upstream: ScriptedUpstream, audit_path: Path
) -> None:
    upstream.reply_json(completion(BEFORE + BLOCKED_CODE + AFTER))
    content = chat(proxy).choices[0].message.content
    assert content.startswith(BEFORE) and content.endswith(AFTER)
    replaced = content[len(BEFORE) : -len(AFTER)]
    assert "FORBIDDEN_MARKER" not in content
    assert "[codeward block:" in replaced
    (record,) = audit(audit_path)
    assert record["item"] == "code_block" and record["action"] == "block" and record["replaced"] is True
    assert record["decision_id"] in replaced
    assert record["sent_sha256"] == hashlib.sha256(replaced.encode()).hexdigest(), (
        "the audit says what was sent"
    )


def test_a_harmless_answer_comes_back_byte_for_byte(
    proxy: RunningProxy, upstream: ScriptedUpstream, audit_path: Path
) -> None:
    text = BEFORE + HARMLESS_CODE + AFTER
    upstream.reply_json(completion(text))
    assert chat(proxy).choices[0].message.content == text
    (record,) = audit(audit_path)
    assert record["replaced"] is False and record["action"] == "allow"


def test_a_blocked_tool_call_is_withheld_and_a_harmless_one_kept(
    proxy: RunningProxy, upstream: ScriptedUpstream
) -> None:
    calls = [
        {
            "id": "c1",
            "type": "function",
            "function": {"name": "run_shell", "arguments": json.dumps({"command": "echo FORBIDDEN_MARKER"})},
        },
        {
            "id": "c2",
            "type": "function",
            "function": {"name": "run_shell", "arguments": json.dumps({"command": "ls"})},
        },
    ]
    upstream.reply_json(completion(None, tool_calls=calls))
    message = chat(proxy).choices[0].message
    assert [c.id for c in message.tool_calls] == ["c2"]
    assert "[codeward block: the tool call run_shell was withheld" in message.content


def test_when_every_tool_call_is_withheld_the_turn_stops(
    proxy: RunningProxy, upstream: ScriptedUpstream
) -> None:
    call = {
        "id": "c1",
        "type": "function",
        "function": {
            "name": "write_file",
            "arguments": json.dumps({"path": "x.sh", "content": "FORBIDDEN_MARKER"}),
        },
    }
    upstream.reply_json(completion(None, tool_calls=[call]))
    choice = chat(proxy).choices[0]
    assert choice.message.tool_calls is None
    assert choice.finish_reason == "stop"


# ------------------------------------------------------------------------------ streamed
@pytest.mark.parametrize("size", [1, 3, 7, 64])
def test_streamed_blocked_code_never_reaches_the_client(
    proxy: RunningProxy, upstream: ScriptedUpstream, size: int
) -> None:
    upstream.reply_stream(text_chunks(BEFORE + BLOCKED_CODE + AFTER, size))
    raw = b""
    body = {"model": "scripted", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with httpx.stream(
        "POST", proxy.url + "/v1/chat/completions", json=body, headers={"authorization": "Bearer sk"}
    ) as response:
        for part in response.iter_bytes():
            raw += part
    assert b"FORBIDDEN" not in raw and b"MARKER" not in raw.replace(b"marker", b"")
    text = "".join(
        json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
        for line in raw.decode().splitlines()
        if line.startswith("data: {") and json.loads(line[6:])["choices"]
    )
    assert text.startswith(BEFORE) and text.endswith(AFTER) and "[codeward block:" in text


def test_streamed_text_without_code_flows_through_unchanged_with_the_openai_client(
    proxy: RunningProxy, upstream: ScriptedUpstream
) -> None:
    text = "Plain words, no code at all.\nA second line."
    upstream.reply_stream(text_chunks(text, 5))
    stream = chat(proxy, stream=True)
    received = "".join(part.choices[0].delta.content or "" for part in stream if part.choices)
    assert received == text


def test_streamed_tool_calls_are_scanned_and_only_the_harmless_one_is_sent(
    proxy: RunningProxy, upstream: ScriptedUpstream
) -> None:
    blocked = json.dumps({"command": "echo FORBIDDEN_MARKER > /tmp/x"})
    harmless = json.dumps({"command": "ls -la"})
    chunks = [chunk({"role": "assistant", "content": None})]
    chunks += [chunk({"tool_calls": [tool_call(0, "c1", "run_shell", "")]})]
    chunks += [
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": blocked[i : i + 4]}}]})
        for i in range(0, len(blocked), 4)
    ]
    chunks += [chunk({"tool_calls": [tool_call(1, "c2", "run_shell", "")]})]
    chunks += [
        chunk({"tool_calls": [{"index": 1, "function": {"arguments": harmless[i : i + 4]}}]})
        for i in range(0, len(harmless), 4)
    ]
    chunks += [chunk({}, "tool_calls")]
    upstream.reply_stream(chunks)
    calls: dict[int, dict[str, str]] = {}
    content = ""
    finish = None
    for part in chat(proxy, stream=True):
        if not part.choices:
            continue
        choice = part.choices[0]
        content += choice.delta.content or ""
        finish = choice.finish_reason or finish
        for call in choice.delta.tool_calls or []:
            entry = calls.setdefault(call.index, {"id": "", "arguments": ""})
            entry["id"] = call.id or entry["id"]
            entry["arguments"] += call.function.arguments or ""
    assert list(calls.values()) == [{"id": "c2", "arguments": harmless}]
    assert "FORBIDDEN" not in json.dumps(calls) and "FORBIDDEN" not in content
    assert "the tool call run_shell was withheld" in content
    assert finish == "tool_calls"


# ------------------------------------------------------------------------------ the rest of the API
def test_models_and_auth_headers_pass_through_but_codeward_headers_do_not(
    proxy: RunningProxy, upstream: ScriptedUpstream
) -> None:
    models = client(proxy, **{"X-Codeward-Intent": "education"}).models.list()
    assert [m.id for m in models.data] == ["scripted-1"]
    headers = {k.lower(): v for k, v in upstream.received[-1]["headers"].items()}
    assert headers["authorization"] == "Bearer sk-test-key"
    assert not any(k.startswith("x-codeward") for k in headers)


def test_upstream_errors_come_back_as_they_were(proxy: RunningProxy, upstream: ScriptedUpstream) -> None:
    upstream.reply_json({"error": {"message": "bad key", "type": "invalid_request_error"}}, status=401)
    with pytest.raises(openai.AuthenticationError, match="bad key"):
        chat(proxy)


def test_paths_it_does_not_inspect_are_refused(proxy: RunningProxy) -> None:
    response = httpx.post(proxy.url + "/v1/completions", json={"prompt": "x"})
    assert response.status_code == 404 and "codeward" in response.text


def test_responses_api_output_is_inspected(proxy: RunningProxy, upstream: ScriptedUpstream) -> None:
    upstream.reply_json(
        {
            "id": "resp_1",
            "object": "response",
            "created_at": 1,
            "model": "scripted",
            "status": "completed",
            "output": [
                {
                    "type": "message",
                    "id": "m1",
                    "role": "assistant",
                    "status": "completed",
                    "content": [
                        {"type": "output_text", "text": BEFORE + BLOCKED_CODE + AFTER, "annotations": []}
                    ],
                },
                {
                    "type": "function_call",
                    "id": "f1",
                    "call_id": "call1",
                    "name": "shell",
                    "arguments": json.dumps({"command": "echo FORBIDDEN_MARKER"}),
                    "status": "completed",
                },
            ],
        }
    )
    response = client(proxy).responses.create(model="scripted", input="hi")
    dumped = json.dumps(response.model_dump())
    assert "FORBIDDEN_MARKER" not in dumped
    assert [item.type for item in response.output] == ["message", "message"]
    assert "the tool call shell was withheld" in response.output_text


def test_streamed_responses_api_is_refused_rather_than_passed_uninspected(proxy: RunningProxy) -> None:
    response = httpx.post(proxy.url + "/v1/responses", json={"model": "x", "input": "hi", "stream": True})
    assert response.status_code == 400 and "stream=false" in response.text


def test_an_unreachable_upstream_is_a_502_with_a_reason(judge_factory: Any, audit_path: Path) -> None:
    from codeward.adapters.proxy import AuditLog, ProxyConfig, create_app

    running = RunningProxy(
        create_app(ProxyConfig("http://127.0.0.1:9/v1", judge_factory, AuditLog(str(audit_path))))
    )
    try:
        response = httpx.post(running.url + "/v1/chat/completions", json={"model": "m", "messages": []})
        assert response.status_code == 502 and "upstream" in response.json()["error"]["message"]
    finally:
        running.close()
