"""An OpenAI-compatible proxy that judges what the model sends back before the client sees it.

Fenced code blocks in assistant text are generate-mode subjects; tool calls whose arguments run a
command, run code or write a file are execute-mode subjects. Content that is stopped (confirm,
review, block) is replaced in place by a short explanation with its decision id; everything else
passes untouched; notices are appended. Streams are held back only while a code block or a tool
call is open, and nothing stopped is ever sent, streaming or not. Every decision is recorded to the
store (so a review is created and its id referenced in the replacement text), and every judged item
is also logged with a hash of what was actually sent.

Who asks: `X-Codeward-Token` (codeward's own credential, never forwarded), else a bearer token issued
by codeward's identity provider, both verified; any other bearer is the upstream's key, and its
holder an unverified actor.

    codeward proxy --upstream https://api.openai.com [--listen 127.0.0.1:8732]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from codeward.context.language import normalise
from codeward.engine import Guard
from codeward.errors import IdentityError
from codeward.home import home
from codeward.identity import Authenticator, IdentityConfig
from codeward.model import Action, Actor, Context, Decision, Mode, Project, Session, Subject, SubjectKind
from codeward.policy.loader import Policy
from codeward.protocols import Store

HOP_BY_HOP = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "accept-encoding",
        "upgrade",
        "te",
    }
)
COMMAND_KEYS = ("command", "cmd", "shell_command", "script")
CODE_KEYS = ("code", "source", "python")
CONTENT_KEYS = ("content", "contents", "file_text", "text")
PATH_KEYS = ("path", "file_path", "filename", "file")
_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})\s*([\w+#.-]*)")
DEFAULT_DECISION_SECONDS = 10.0
"""Per judged item; `CODEWARD_PROXY_DEADLINE` overrides it. Streams wait on it, so keep it well
below the client's read timeout."""
_BACKSTOP_SECONDS = 1.0


# ---------------------------------------------------------------------------------------------- judging
class Judge(Protocol):
    async def check(self, subject: Subject, context: Context) -> Decision: ...

    @property
    def fail(self) -> str:
        """The policy's `fail`: what an item becomes when it cannot be judged."""
        ...


class GuardJudge:
    """The engine in the proxy's process, called off the event loop, with a deadline per item: past
    it the engine decides on the findings gathered so far, and if even that does not come back in
    time the item counts as not judged (the policy's `fail`)."""

    def __init__(self, guard: Guard, *, deadline_seconds: float = DEFAULT_DECISION_SECONDS) -> None:
        self.guard = guard
        self.deadline_seconds = deadline_seconds

    async def check(self, subject: Subject, context: Context) -> Decision:
        import asyncio

        from starlette.concurrency import run_in_threadpool

        deadline = time.monotonic() + self.deadline_seconds
        judged = run_in_threadpool(self.guard.check, subject, context, deadline=deadline)
        return await asyncio.wait_for(judged, self.deadline_seconds + _BACKSTOP_SECONDS)

    @property
    def fail(self) -> str:
        return self.guard.policy.fail


class ServiceJudge:
    """A running codeward service (`POST /v1/check`)."""

    def __init__(
        self,
        url: str,
        client: httpx.AsyncClient,
        *,
        token: str | None = None,
        deadline_seconds: float = DEFAULT_DECISION_SECONDS,
    ) -> None:
        self.url = url.rstrip("/") + "/v1/check"
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.deadline_seconds = deadline_seconds

    async def check(self, subject: Subject, context: Context) -> Decision:
        body = {"subject": subject.model_dump(mode="json"), "context": context.model_dump(mode="json")}
        response = await self.client.post(
            self.url, json=body, headers=self.headers, timeout=self.deadline_seconds
        )
        response.raise_for_status()
        return Decision.model_validate(response.json())

    @property
    def fail(self) -> str:
        return "confirm"


# ---------------------------------------------------------------------------------------------- audit
class AuditLog:
    """One JSON line per judged item: its decision, whether it was replaced, and a hash of what was sent."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    def record(self, **entry: Any) -> None:
        if self.path is None:
            return
        entry = {"at": round(time.time(), 3), **entry}
        try:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError:
            import logging

            logging.getLogger("codeward").exception("cannot write the proxy audit log")


def default_audit_path() -> str:
    return str(home() / "logs" / "proxy-audit.jsonl")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# ---------------------------------------------------------------------------------------------- inspection
@dataclass(slots=True)
class Inspection:
    """Everything judged for one response: the notices to append and the audit trail."""

    judge: Judge
    context: Context | Callable[[], Context]
    """The context, or how to build it: most responses carry no code and never need it."""
    audit: AuditLog
    request_id: str
    notices: list[str] = field(default_factory=list)
    changed: bool = False
    """Whether anything was replaced or appended: an unchanged response is sent as received."""

    def context_now(self) -> Context:
        if not isinstance(self.context, Context):
            self.context = self.context()
        return self.context

    async def decide(self, subject: Subject) -> Decision | None:
        try:
            return await self.judge.check(subject, self.context_now())
        except Exception as error:  # a failure is never a silent pass
            import logging

            logging.getLogger("codeward").exception("the proxy could not judge an item")
            self.notices.append(
                f"codeward could not judge an item ({type(error).__name__}); policy fail: {self.judge.fail}"
            )
            return None

    async def code_block(self, fence: str, language: str, body: str, raw: str) -> str:
        """The text to send in place of a complete fenced block."""
        subject = Subject(
            kind=SubjectKind.CODE, content=body, language=normalise(language) or None, mode=Mode.GENERATE
        )
        decision = await self.decide(subject)
        sent = self._outcome(decision, raw, f"a {language or 'code'} block")
        self.changed = self.changed or sent != raw
        self.audit.record(
            request_id=self.request_id,
            item="code_block",
            language=language,
            decision_id=decision.decision_id if decision else None,
            action=decision.action.value if decision else "failed",
            replaced=sent != raw,
            sent_sha256=_sha(sent),
        )
        return sent

    async def tool_call(self, name: str, arguments: str) -> tuple[bool, str]:
        """(keep the call, explanation if it was withheld)."""
        subject = tool_subject(name, arguments)
        if subject is None:
            return True, ""
        decision = await self.decide(subject)
        explanation = self._outcome(decision, "", f"the tool call {name}")
        keep = explanation == ""
        self.changed = self.changed or not keep
        self.audit.record(
            request_id=self.request_id,
            item="tool_call",
            tool=name,
            decision_id=decision.decision_id if decision else None,
            action=decision.action.value if decision else "failed",
            replaced=not keep,
            sent_sha256=_sha(arguments if keep else explanation),
        )
        return keep, explanation

    def _outcome(self, decision: Decision | None, original: str, what: str) -> str:
        if decision is None:
            if self.judge.fail == "open":
                return original
            return f"\n[codeward withheld {what}: it could not be judged and the policy fails {self.judge.fail}]\n"
        if decision.action is Action.NOTICE:
            self.notices.append(
                f"{what}: {decision.reasons[0] if decision.reasons else 'notice'} (decision {decision.decision_id})"
            )
        if not decision.action.stops:
            return original
        why = decision.reasons[0] if decision.reasons else "no reason given"
        held = f"; review {decision.review_id} is pending" if decision.review_id else ""
        way = f" {decision.remedies[0]}" if decision.remedies else ""
        return f"\n[codeward {decision.action.value}: {what} was withheld — {why} (decision {decision.decision_id}{held}).{way}]\n"

    def notice_text(self) -> str:
        if not self.notices:
            return ""
        self.changed = True
        text = "\n\n" + "\n".join(f"[codeward notice: {n}]" for n in self.notices)
        self.notices.clear()
        return text


def tool_subject(name: str, arguments: str) -> Subject | None:
    """The subject a tool call's arguments describe, or None when they run and write nothing."""
    try:
        parsed = json.loads(arguments) if arguments.strip() else {}
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        # arguments that are not a JSON object cannot be read: judge them as they are
        return Subject(kind=SubjectKind.COMMAND, content=arguments, language="bash", mode=Mode.EXECUTE)
    lowered = name.lower()
    language = "python" if "python" in lowered else "powershell" if "powershell" in lowered else None
    for key in COMMAND_KEYS:
        value = parsed.get(key)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            import shlex

            value = shlex.join(value)
        if isinstance(value, str):
            return Subject(
                kind=SubjectKind.COMMAND, content=value, language=language or "bash", mode=Mode.EXECUTE
            )
    for key in CODE_KEYS:
        value = parsed.get(key)
        if isinstance(value, str):
            given = parsed.get("language")
            language = normalise(given) if isinstance(given, str) else language or "python"
            return Subject(kind=SubjectKind.CODE, content=value, language=language, mode=Mode.EXECUTE)
    path = next((parsed[k] for k in PATH_KEYS if isinstance(parsed.get(k), str)), None)
    content = next((parsed[k] for k in CONTENT_KEYS if isinstance(parsed.get(k), str)), None)
    if path is not None and content is not None:
        return Subject(kind=SubjectKind.FILE_WRITE, content=content, path=path, mode=Mode.EXECUTE)
    return None


class FenceScanner:
    """Splits streamed text into what can be sent now and fenced code blocks, which are held whole.

    Plain text is released as soon as it cannot be the start of a fence; a block is held from its
    opening fence to its closing fence (or the end of the text) and then judged.
    """

    def __init__(self, inspection: Inspection) -> None:
        self.inspection = inspection
        self.pending = ""
        self.block: list[str] | None = None
        self.fence = ""
        self.language = ""

    async def feed(self, text: str) -> str:
        self.pending += text
        out: list[str] = []
        while True:
            newline = self.pending.find("\n")
            if newline < 0:
                break
            line, self.pending = self.pending[: newline + 1], self.pending[newline + 1 :]
            out.append(await self._line(line))
        if self.block is None and self.pending and not _could_open_fence(self.pending):
            out.append(self.pending)
            self.pending = ""
        return "".join(out)

    async def finish(self) -> str:
        out = ""
        if self.pending:
            rest, self.pending = self.pending, ""
            out += await self._line(rest)
        if self.block is not None:
            out += await self._close()
        return out

    async def _line(self, line: str) -> str:
        if self.block is None:
            match = _FENCE.match(line)
            if match and line.strip():
                self.block = [line]
                self.fence = match.group(2)
                self.language = match.group(3)
                return ""
            return line
        self.block.append(line)
        stripped = line.strip()
        if stripped.startswith(self.fence[0] * len(self.fence)) and set(stripped) <= {self.fence[0]}:
            return await self._close()
        return ""

    async def _close(self) -> str:
        block = self.block or []
        self.block = None
        raw = "".join(block)
        closed = len(block) > 1 and set(block[-1].strip()) <= {self.fence[0]} and block[-1].strip() != ""
        body = "".join(block[1:-1] if closed else block[1:])
        return await self.inspection.code_block(self.fence, self.language, body, raw)


def _could_open_fence(text: str) -> bool:
    stripped = text.lstrip(" ")
    return len(text) - len(stripped) <= 3 and (
        stripped[:3] in ("`" * len(stripped[:3]), "~" * len(stripped[:3]))
    )


# ---------------------------------------------------------------------------------------------- responses
async def inspect_message(message: dict[str, Any], inspection: Inspection) -> bool:
    """Rewrite one assistant message in place; True when tool calls were withheld and none remain."""
    content = message.get("content")
    text = content if isinstance(content, str) else None
    if text is not None:
        scanner = FenceScanner(inspection)
        text = await scanner.feed(text) + await scanner.finish()
    calls = message.get("tool_calls")
    emptied = False
    if isinstance(calls, list) and calls:
        kept = []
        for call in calls:
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict):
                kept.append(call)
                continue
            keep, explanation = await inspection.tool_call(
                str(function.get("name", "")), str(function.get("arguments", ""))
            )
            if keep:
                kept.append(call)
            else:
                text = (text or "") + explanation
        message["tool_calls"] = kept or None
        if not kept:
            message.pop("tool_calls", None)
            emptied = True
    notices = inspection.notice_text()
    if notices:
        text = (text or "") + notices
    if text is not None or content is not None:
        message["content"] = text
    return emptied


async def inspect_completion(body: dict[str, Any], inspection: Inspection) -> dict[str, Any]:
    for choice in body.get("choices") or []:
        message = choice.get("message") if isinstance(choice, dict) else None
        emptied = isinstance(message, dict) and await inspect_message(message, inspection)
        if emptied and choice.get("finish_reason") == "tool_calls":
            choice["finish_reason"] = "stop"
    return body


async def inspect_responses_output(body: dict[str, Any], inspection: Inspection) -> dict[str, Any]:
    output = body.get("output")
    if not isinstance(output, list):
        return body
    kept: list[Any] = []
    withheld: list[str] = []
    for item in output:
        if not isinstance(item, dict):
            kept.append(item)
            continue
        if item.get("type") == "message":
            for part in item.get("content") or []:
                if (
                    isinstance(part, dict)
                    and part.get("type") == "output_text"
                    and isinstance(part.get("text"), str)
                ):
                    scanner = FenceScanner(inspection)
                    part["text"] = await scanner.feed(part["text"]) + await scanner.finish()
            kept.append(item)
        elif item.get("type") == "function_call":
            keep, explanation = await inspection.tool_call(
                str(item.get("name", "")), str(item.get("arguments", ""))
            )
            if keep:
                kept.append(item)
            else:
                withheld.append(explanation.strip())
        else:
            kept.append(item)
    extra = "\n".join(withheld) + inspection.notice_text()
    if extra.strip():
        kept.append(
            {
                "type": "message",
                "id": f"msg_codeward_{inspection.request_id}",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": extra.strip(), "annotations": []}],
            }
        )
    body["output"] = kept
    return body


@dataclass(slots=True)
class _ToolCallBuffer:
    index: int
    id: str | None = None
    type: str = "function"
    name: str = ""
    arguments: str = ""


@dataclass(slots=True)
class _ChoiceStream:
    scanner: FenceScanner
    open_call: _ToolCallBuffer | None = None
    sent_calls: int = 0
    withheld_calls: int = 0


class ChatStream:
    """Rewrites a chat.completions event stream chunk by chunk."""

    def __init__(self, inspection: Inspection) -> None:
        self.inspection = inspection
        self.choices: dict[int, _ChoiceStream] = {}
        self.template: dict[str, Any] = {}

    async def events(self, lines: AsyncIterator[str]) -> AsyncIterator[bytes]:
        async for data in _sse_data(lines):
            if data == "[DONE]":
                for index in sorted(self.choices):
                    for chunk in await self._finish_choice(index, None):
                        yield _sse(chunk)
                self.choices.clear()
                yield b"data: [DONE]\n\n"
                continue
            try:
                chunk = json.loads(data)
            except json.JSONDecodeError:
                continue  # never forward what could not be inspected
            async for out in self._chunk(chunk):
                yield _sse(out)

    async def _chunk(self, chunk: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices:
            yield chunk
            return
        self.template = {k: v for k, v in chunk.items() if k not in ("choices", "usage")}
        for choice in choices:
            index = int(choice.get("index", 0))
            state = self.choices.setdefault(index, _ChoiceStream(FenceScanner(self.inspection)))
            delta = choice.get("delta") or {}
            out_delta: dict[str, Any] = {k: v for k, v in delta.items() if k not in ("content", "tool_calls")}
            text = ""
            if isinstance(delta.get("content"), str):
                text = await state.scanner.feed(delta["content"])
            released: list[dict[str, Any]] = []
            for call in delta.get("tool_calls") or []:
                calls, withheld = await self._tool_delta(state, call)
                released += calls
                text += withheld
            if text:
                out_delta["content"] = text
            finish = choice.get("finish_reason")
            if out_delta or released:
                if released:
                    out_delta["tool_calls"] = released
                yield self._wrap(index, out_delta, None, choice)
            if finish is not None:
                for extra in await self._finish_choice(index, finish):
                    yield extra
                self.choices.pop(index, None)
        if chunk.get("usage"):
            yield {**self.template, "choices": [], "usage": chunk["usage"]}

    async def _tool_delta(
        self, state: _ChoiceStream, call: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], str]:
        """Buffer a tool call's delta; a new index means the previous call is complete: judge it."""
        index = int(call.get("index", 0))
        released: list[dict[str, Any]] = []
        withheld = ""
        if state.open_call is not None and state.open_call.index != index:
            released, withheld = await self._release(state)
        if state.open_call is None:
            state.open_call = _ToolCallBuffer(index)
        buffer = state.open_call
        buffer.id = call.get("id") or buffer.id
        buffer.type = call.get("type") or buffer.type
        function = call.get("function") or {}
        buffer.name += function.get("name") or ""
        buffer.arguments += function.get("arguments") or ""
        return released, withheld

    async def _release(self, state: _ChoiceStream) -> tuple[list[dict[str, Any]], str]:
        buffer, state.open_call = state.open_call, None
        if buffer is None:
            return [], ""
        keep, explanation = await self.inspection.tool_call(buffer.name, buffer.arguments)
        if not keep:
            state.withheld_calls += 1
            return [], explanation
        call = {
            "index": state.sent_calls,
            "id": buffer.id,
            "type": buffer.type,
            "function": {"name": buffer.name, "arguments": buffer.arguments},
        }
        state.sent_calls += 1
        return [call], ""

    async def _finish_choice(self, index: int, finish: str | None) -> list[dict[str, Any]]:
        state = self.choices.get(index)
        if state is None:
            return []
        out: list[dict[str, Any]] = []
        text = await state.scanner.finish()
        released, withheld = await self._release(state)
        text += withheld + self.inspection.notice_text()
        delta: dict[str, Any] = {}
        if text:
            delta["content"] = text
        if released:
            delta["tool_calls"] = released
        if delta:
            out.append(self._wrap(index, delta, None, {}))
        if finish is not None:
            if finish == "tool_calls" and state.sent_calls == 0 and state.withheld_calls:
                finish = "stop"
            out.append(self._wrap(index, {}, finish, {}))
        return out

    def _wrap(
        self, index: int, delta: dict[str, Any], finish: str | None, original: dict[str, Any]
    ) -> dict[str, Any]:
        choice = {"index": index, "delta": delta, "finish_reason": finish}
        if original.get("logprobs") is not None:
            choice["logprobs"] = original["logprobs"]
        return {**self.template, "choices": [choice]}


async def _sse_data(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    data: list[str] = []
    async for line in lines:
        if line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
        elif line == "" and data:
            yield "\n".join(data)
            data = []
    if data:
        yield "\n".join(data)


def _sse(chunk: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n"


# ---------------------------------------------------------------------------------------------- context
def request_context(headers: Any, body: dict[str, Any], actor: Actor | None = None) -> Context:
    """Who asks (`actor`, else the bearer as an unverified id), where and why: the X-Codeward
    headers and the conversation."""
    messages: list[Any] = body["messages"] if isinstance(body.get("messages"), list) else []
    if not messages and isinstance(body.get("input"), list):
        messages = body["input"]
    user_texts = [_message_text(m) for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    user_texts = [t for t in user_texts if t]
    if isinstance(body.get("input"), str):
        user_texts.append(body["input"])
    if actor is None:
        actor = request_actor(headers, None)
    project_path = headers.get("x-codeward-project")
    project = Project(path=project_path) if project_path and os.path.isdir(project_path) else None
    session = headers.get("x-codeward-session") or (
        f"conversation:{_sha(user_texts[0])[:16]}" if user_texts else None
    )
    return Context(
        actor=actor,
        session=Session(id=session),
        project=project,
        declared_intent=headers.get("x-codeward-intent") or None,
        prompt=user_texts[-1][:20_000] if user_texts else None,
        tool=f"openai-proxy:{body.get('model', '?')}",
    )


def request_actor(headers: Any, authenticator: Authenticator | None) -> Actor:
    """The actor behind a request. `X-Codeward-Token` (a token or a `cwk_` API key) is verified; so is
    a bearer token whose (unverified) `iss` is codeward's issuer. Any other bearer is the upstream's
    key: its holder is an unverified actor named by its hash. A credential for codeward that fails
    verification is an IdentityError, never an anonymous request."""
    own = str(headers.get("x-codeward-token", "")).strip()
    if own:
        if authenticator is None:
            raise IdentityError(
                "X-Codeward-Token was sent but this proxy verifies no credentials (configure "
                "CODEWARD_OIDC_ISSUER, CODEWARD_OIDC_AUDIENCE and CODEWARD_JWKS, or CODEWARD_API_KEYS)"
            )
        if own.startswith("cwk_"):
            return authenticator.authenticate(api_key=own)
        return authenticator.authenticate(authorization=f"Bearer {own}")
    authorization = str(headers.get("authorization", ""))
    bearer = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
    if not bearer:
        return Actor()
    if authenticator is not None and _issued_by(bearer, authenticator.config.issuer):
        return authenticator.authenticate(authorization=f"Bearer {bearer}")
    return Actor(id=f"bearer:{_sha(bearer)[:12]}", verified=False)


def _issued_by(token: str, issuer: str | None) -> bool:
    """Whether a JWT claims to come from `issuer` (read, not verified: it only says who verifies it)."""
    import base64

    parts = token.split(".")
    if issuer is None or len(parts) != 3:
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(claims, dict) and claims.get("iss") == issuer


def proxy_authenticator(policy: Policy) -> Authenticator | None:
    """The authenticator the environment configures (`CODEWARD_OIDC_*`, `CODEWARD_JWKS`,
    `CODEWARD_API_KEYS` or `$CODEWARD_HOME/identity.yaml`), roles mapped by `policy`; None without one."""
    config = IdentityConfig.from_environment()
    if not config.verifies_tokens and not config.api_keys:
        return None
    return Authenticator(config.with_role_mapping(policy.identity.role_claims, policy.identity.role_map))


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


# ---------------------------------------------------------------------------------------------- the app
@dataclass(slots=True)
class ProxyConfig:
    upstream: str
    judge_factory: Callable[[httpx.AsyncClient], Judge]
    audit: AuditLog
    timeout: float = 600.0
    authenticator: Authenticator | None = None
    """Verifies codeward credentials (see `request_actor`); None: every actor is unverified."""


def create_app(config: ProxyConfig) -> Starlette:
    upstream = config.upstream.rstrip("/")
    if upstream.endswith("/v1"):
        upstream = upstream[: -len("/v1")]
    state: dict[str, Any] = {}

    async def client() -> httpx.AsyncClient:
        if "client" not in state:
            state["client"] = httpx.AsyncClient(timeout=config.timeout)
            state["judge"] = config.judge_factory(state["client"])
        found: httpx.AsyncClient = state["client"]
        return found

    def forwarded(request: Request) -> dict[str, str]:
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in HOP_BY_HOP and not k.lower().startswith("x-codeward-")
        }
        headers["accept-encoding"] = "identity"
        return headers

    async def models(request: Request) -> Response:
        http = await client()
        answer = await http.get(
            f"{upstream}{request.url.path}", headers=forwarded(request), params=request.query_params
        )
        return Response(
            answer.content, status_code=answer.status_code, media_type=answer.headers.get("content-type")
        )

    def inspection(request: Request, body: dict[str, Any], actor: Actor) -> Inspection:
        request_id = hashlib.sha256(os.urandom(16)).hexdigest()[:16]
        return Inspection(
            state["judge"], lambda: request_context(request.headers, body, actor), config.audit, request_id
        )

    async def identify(request: Request) -> Actor:
        if config.authenticator is None:
            return request_actor(request.headers, None)
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(request_actor, request.headers, config.authenticator)

    async def completions(request: Request) -> Response:
        return await _inspected(request, chat=True)

    async def responses(request: Request) -> Response:
        return await _inspected(request, chat=False)

    async def _inspected(request: Request, *, chat: bool) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            return _error(400, "the request body is not JSON")
        if not isinstance(body, dict):
            return _error(400, "the request body is not a JSON object")
        try:
            actor = await identify(request)
        except IdentityError as error:
            return _error(401, str(error))
        http = await client()
        url = f"{upstream}{request.url.path}"
        if not body.get("stream"):
            answer = await http.post(url, content=raw, headers=forwarded(request))
            if answer.status_code != 200 or "json" not in answer.headers.get("content-type", ""):
                return Response(
                    answer.content,
                    status_code=answer.status_code,
                    media_type=answer.headers.get("content-type"),
                )
            if not _may_need_inspection(answer.content):
                return Response(
                    answer.content, status_code=200, media_type=answer.headers.get("content-type")
                )
            check = inspection(request, body, actor)
            payload = answer.json()
            payload = await (
                inspect_completion(payload, check) if chat else inspect_responses_output(payload, check)
            )
            if not check.changed:
                return Response(
                    answer.content, status_code=200, media_type=answer.headers.get("content-type")
                )
            return JSONResponse(payload, status_code=200)
        if not chat:
            return _error(
                400,
                "codeward does not inspect streamed /v1/responses yet: send stream=false, or use /v1/chat/completions",
            )
        upstream_request = http.build_request("POST", url, content=raw, headers=forwarded(request))
        answer = await http.send(upstream_request, stream=True)
        if answer.status_code != 200:
            content = await answer.aread()
            await answer.aclose()
            return Response(
                content, status_code=answer.status_code, media_type=answer.headers.get("content-type")
            )
        stream = ChatStream(inspection(request, body, actor))

        async def body_iterator() -> AsyncIterator[bytes]:
            try:
                async for event in stream.events(answer.aiter_lines()):
                    yield event
            finally:
                await answer.aclose()

        return StreamingResponse(
            body_iterator(), media_type="text/event-stream", headers={"cache-control": "no-cache"}
        )

    async def not_proxied(request: Request) -> Response:
        return _error(
            404,
            f"codeward's proxy serves /v1/chat/completions, /v1/responses and /v1/models, not {request.url.path}",
        )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if "client" in state:
            await state["client"].aclose()

    routes = [
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/models/{model:path}", models, methods=["GET"]),
        Route("/v1/chat/completions", completions, methods=["POST"]),
        Route("/v1/responses", responses, methods=["POST"]),
        Route("/{path:path}", not_proxied, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
    ]

    async def upstream_failed(_request: Request, error: Exception) -> Response:
        return _error(502, f"the upstream {upstream} failed: {type(error).__name__}: {error}")

    return Starlette(routes=routes, lifespan=lifespan, exception_handlers={httpx.HTTPError: upstream_failed})


def _may_need_inspection(content: bytes) -> bool:
    """False only when the body cannot hold a fence or a tool call (JSON leaves ` and ~ unescaped)."""
    return any(marker in content for marker in (b"```", b"~~~", b'"tool_calls"', b'"function_call"'))


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": f"codeward: {message}", "type": "codeward_proxy_error"}}, status_code=status
    )


def guard_judge_factory(
    policies: Iterable[str] | Guard, *, store: Store | None = None, deadline_seconds: float | None = None
) -> Callable[[httpx.AsyncClient], Judge]:
    """The engine in this process (built from `policies`, recording to `store`), or a given Guard."""
    guard = (
        policies if isinstance(policies, Guard) else Guard(list(policies), sandbox_mode="never", store=store)
    )
    seconds = deadline_seconds or decision_seconds()
    return lambda _client: GuardJudge(guard, deadline_seconds=seconds)


def service_judge_factory(
    url: str, token: str | None, *, deadline_seconds: float | None = None
) -> Callable[[httpx.AsyncClient], Judge]:
    seconds = deadline_seconds or decision_seconds()
    return lambda client: ServiceJudge(url, client, token=token, deadline_seconds=seconds)


def decision_seconds() -> float:
    """`CODEWARD_PROXY_DEADLINE` when it is a positive number of seconds, else the default."""
    try:
        seconds = float(os.environ.get("CODEWARD_PROXY_DEADLINE", DEFAULT_DECISION_SECONDS))
    except ValueError:
        return DEFAULT_DECISION_SECONDS
    return seconds if seconds > 0 else DEFAULT_DECISION_SECONDS


def serve(app: Starlette, listen: str) -> None:
    import uvicorn

    host, _, port = listen.rpartition(":")
    uvicorn.run(app, host=host or "127.0.0.1", port=int(port), log_level="warning")
