"""How the proxy reads a response and a request, independent of HTTP: code fences, tool arguments,
notices, reviews, and the context it gives the engine."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from proxycases import completion

from codeward.adapters.proxy import (
    AuditLog,
    FenceScanner,
    Inspection,
    inspect_completion,
    request_context,
    tool_subject,
)
from codeward.model import Action, Context, Decision, Intent, PolicyRef, Subject, SubjectKind


class ScriptedJudge:
    """Decides by a marker in the content; records every subject and context."""

    fail = "closed"

    def __init__(self, action: Action = Action.ALLOW, review_id: str | None = None) -> None:
        self.action = action
        self.review_id = review_id
        self.seen: list[tuple[Subject, Context]] = []

    async def check(self, subject: Subject, context: Context) -> Decision:
        self.seen.append((subject, context))
        action = self.action if "MARK" in subject.content else Action.ALLOW
        return Decision(
            decision_id=f"d{len(self.seen)}",
            action=action,
            risk=50,
            reasons=[f"{action.value} reason"],
            findings=[],
            intent=Intent(),
            policy=PolicyRef(id="p", version="1"),
            remedies=["a remedy"],
            latency_ms=0.1,
            mode=subject.effective_mode,
            kind=subject.kind,
            language=subject.language or "text",
            content_sha256="0",
            review_id=self.review_id if action is Action.REVIEW else None,
        )


def inspect(text: str, judge: ScriptedJudge) -> str:
    body = completion(text)
    inspection = Inspection(judge, Context(), AuditLog(None), "r1")
    result = asyncio.run(inspect_completion(body, inspection))
    return str(result["choices"][0]["message"]["content"])


def test_a_notice_keeps_the_code_and_is_appended() -> None:
    text = "Intro\n```sh\necho MARK\n```\nOutro"
    out = inspect(text, ScriptedJudge(Action.NOTICE))
    assert out.startswith(text)
    assert out.endswith("[codeward notice: a sh block: notice reason (decision d1)]")


def test_a_review_is_withheld_and_referenced_by_its_review_id() -> None:
    out = inspect("```py\nMARK()\n```\n", ScriptedJudge(Action.REVIEW, review_id="rv-7"))
    assert "MARK()" not in out
    assert "review rv-7 is pending" in out and "a remedy" in out


def test_each_fenced_block_is_judged_in_generate_mode_in_its_language() -> None:
    judge = ScriptedJudge()
    inspect("a\n```python\nx = 1\n```\nb\n~~~bash\nls\n~~~\n", judge)
    assert [(s.kind, s.language, s.mode and s.mode.value, s.content) for s, _ in judge.seen] == [
        (SubjectKind.CODE, "python", "generate", "x = 1\n"),
        (SubjectKind.CODE, "bash", "generate", "ls\n"),
    ]


def test_an_unclosed_block_at_the_end_is_still_judged() -> None:
    out = inspect("text\n```bash\necho MARK", ScriptedJudge(Action.BLOCK))
    assert out.startswith("text\n") and "MARK" not in out


@pytest.mark.parametrize(
    "pieces", [["``", "`bash\necho MA", "RK\n``", "`\nafter"], list("```sh\nMARK\n```\nafter")]
)
def test_a_fence_split_across_stream_chunks_is_still_a_fence(pieces: list[str]) -> None:
    judge = ScriptedJudge(Action.BLOCK)
    inspection = Inspection(judge, Context(), AuditLog(None), "r1")
    scanner = FenceScanner(inspection)

    async def run() -> str:
        sent = [await scanner.feed(piece) for piece in pieces]
        assert not any("MA" in s for s in sent[:-1] if "codeward" not in s), (
            "nothing of the block leaks early"
        )
        return "".join(sent) + await scanner.finish()

    out = asyncio.run(run())
    assert "MARK" not in out and out.endswith("after")


def test_plain_text_is_released_as_soon_as_it_cannot_open_a_fence() -> None:
    scanner = FenceScanner(Inspection(ScriptedJudge(), Context(), AuditLog(None), "r1"))
    assert asyncio.run(scanner.feed("Hello wor")) == "Hello wor"


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("run_shell", {"command": "ls"}, (SubjectKind.COMMAND, "bash", "ls")),
        ("exec", {"cmd": ["rm", "-rf", "x y"]}, (SubjectKind.COMMAND, "bash", "rm -rf 'x y'")),
        ("python_exec", {"code": "import os"}, (SubjectKind.CODE, "python", "import os")),
        ("write_file", {"path": "a.sh", "content": "echo"}, (SubjectKind.FILE_WRITE, "bash", "echo")),
    ],
)
def test_tool_arguments_that_run_or_write_become_execute_mode_subjects(
    name: str, arguments: dict[str, Any], expected: tuple[SubjectKind, str, str]
) -> None:
    subject = tool_subject(name, json.dumps(arguments))
    assert subject is not None and subject.mode is not None and subject.mode.value == "execute"
    kind, language, content = expected
    assert subject.kind is kind and subject.content == content
    if kind is not SubjectKind.FILE_WRITE:
        assert subject.language == language


def test_tool_arguments_that_run_nothing_are_not_judged() -> None:
    assert tool_subject("get_weather", json.dumps({"city": "Paris"})) is None


def test_unreadable_tool_arguments_are_judged_as_they_are() -> None:
    subject = tool_subject("run", "rm -rf / #not json")
    assert subject is not None and subject.content == "rm -rf / #not json"


def test_the_context_comes_from_the_headers_the_bearer_and_the_conversation(tmp_path: Any) -> None:
    headers = {
        "authorization": "Bearer sk-secret",
        "x-codeward-intent": "security_research",
        "x-codeward-project": str(tmp_path),
    }
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "first"},
            {"role": "user", "content": "write a port scanner"},
        ],
    }
    context = request_context(headers, body)
    assert context.declared_intent == "security_research"
    assert context.project is not None and context.project.path == str(tmp_path)
    assert context.prompt == "write a port scanner"
    assert context.actor.id.startswith("bearer:") and "sk-secret" not in context.actor.id
    assert context.actor.verified is False
    assert (
        context.session.id == request_context(headers, {**body, "messages": body["messages"][:1]}).session.id
    )


def test_a_judge_that_fails_withholds_the_block_when_the_policy_fails_closed() -> None:
    class Broken(ScriptedJudge):
        async def check(self, subject: Subject, context: Context) -> Decision:
            raise RuntimeError("engine down")

    out = inspect("```sh\nls\n```\n", Broken())
    assert "ls" not in out.replace("fails", "") and "could not be judged" in out
