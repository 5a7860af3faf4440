"""LiteLLM's Generic Guardrail API, served by codeward: `POST /beta/litellm_basic_guardrail_api`.

A LiteLLM gateway configured with `guardrail: generic_guardrail_api` and `api_base: <codeward>` sends
the texts it extracted (`input_type` request: the prompts; response: the model's output), the tool
calls, and the key's user, team and organisation. codeward answers:

- `BLOCKED` with `blocked_reason` for a stopped prompt or a stopped tool call (LiteLLM raises);
- `GUARDRAIL_INTERVENED` with `texts` when code blocks in the output were replaced in place;
- `NONE` otherwise. Notices are appended to the text (which makes it an intervention).

Include it in a FastAPI app with `app.include_router(router_for(guard.check))`. The codeward service
mounts it with `gateway=` (how the calling gateway authenticates): the person LiteLLM names is then
recorded as an unverified actor with no roles, vouched for by the gateway's own identity, so nothing
in the body can raise anyone's clearance.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from codeward.adapters.proxy import AuditLog, FenceScanner, Inspection
from codeward.model import Action, Actor, Context, Decision, Mode, Session, Subject, SubjectKind

Check = Callable[[Subject, Context], Decision]
Gateway = Callable[..., Awaitable[Actor | None]]
"""A FastAPI dependency: who the calling gateway is (None when the caller is not identified)."""
Observer = Callable[[Decision], Awaitable[None]]
PATH = "/beta/litellm_basic_guardrail_api"


class GuardrailRequest(BaseModel):
    """The request LiteLLM sends (fields it may add later are accepted and ignored)."""

    model_config = ConfigDict(extra="allow")

    input_type: Literal["request", "response"] = "request"
    texts: list[str] | None = None
    images: list[str] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_calls: list[dict[str, Any]] | None = None
    structured_messages: list[dict[str, Any]] | None = None
    request_data: dict[str, Any] = Field(default_factory=dict)
    litellm_call_id: str | None = None
    litellm_trace_id: str | None = None
    model: str | None = None
    additional_provider_specific_params: dict[str, Any] | None = None


class GuardrailResponse(BaseModel):
    action: Literal["BLOCKED", "NONE", "GUARDRAIL_INTERVENED"]
    blocked_reason: str | None = None
    texts: list[str] | None = None


class _Judge:
    def __init__(self, check: Check, fail: str, observe: Observer | None = None) -> None:
        self._check = check
        self._observe = observe
        self.fail = fail

    async def check(self, subject: Subject, context: Context) -> Decision:
        decision = await run_in_threadpool(self._check, subject, context)
        if self._observe is not None:
            await self._observe(decision)
        return decision


def context_of(body: GuardrailRequest, *, gateway: Actor | None = None) -> Context:
    """The key's user, team and organisation as the actor (unverified: LiteLLM vouches, codeward cannot).
    With `gateway`, the actor's method says which authenticated gateway reported the person."""
    data = body.request_data
    user = (
        data.get("user_api_key_user_id")
        or data.get("user_api_key_user_email")
        or data.get("user_api_key_alias")
    )
    groups = [f"team:{data['user_api_key_team_id']}"] if data.get("user_api_key_team_id") else []
    if data.get("user_api_key_org_id"):
        groups.append(f"org:{data['user_api_key_org_id']}")
    params = body.additional_provider_specific_params or {}
    intent = params.get("intent")
    method = "litellm"
    if gateway is not None:
        method = f"litellm via {gateway.id}" if gateway.verified else "litellm via an unauthenticated caller"
    return Context(
        actor=Actor(id=str(user) if user else "anonymous", groups=groups, verified=False, method=method),
        session=Session(id=body.litellm_trace_id),
        declared_intent=intent if isinstance(intent, str) else None,
        tool=f"litellm:{body.model or '?'}",
    )


def router_for(
    check: Check,
    *,
    fail: str = "confirm",
    audit: AuditLog | None = None,
    gateway: Gateway | None = None,
    observe: Observer | None = None,
) -> APIRouter:
    """A router answering LiteLLM with decisions from `check` (a Guard's `check`, or anything alike);
    `gateway` identifies the caller, `observe` sees every decision made (e.g. to announce reviews)."""
    router = APIRouter(tags=["litellm"])
    judge = _Judge(check, fail, observe)

    async def unidentified() -> Actor | None:
        return None

    Caller = Annotated[Actor | None, Depends(gateway or unidentified)]

    @router.post(PATH, response_model=GuardrailResponse, response_model_exclude_none=True)
    async def litellm_guardrail(body: GuardrailRequest, caller: Caller) -> GuardrailResponse:
        context = context_of(body, gateway=caller)
        if body.input_type == "request":
            return await _prompts(judge, body, context)
        return await _output(judge, body, context, audit or AuditLog(None))

    return router


async def _prompts(judge: _Judge, body: GuardrailRequest, context: Context) -> GuardrailResponse:
    for text in body.texts or []:
        subject = Subject(kind=SubjectKind.PROMPT, content=text, mode=Mode.GENERATE)
        decision = await judge.check(subject, context.model_copy(update={"prompt": text}))
        if decision.action.stops:
            return GuardrailResponse(action="BLOCKED", blocked_reason=_reason(decision))
    return GuardrailResponse(action="NONE")


async def _output(
    judge: _Judge, body: GuardrailRequest, context: Context, audit: AuditLog
) -> GuardrailResponse:
    inspection = Inspection(judge, context, audit, body.litellm_call_id or "litellm")
    for call in body.tool_calls or []:
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict):
            keep, explanation = await inspection.tool_call(
                str(function.get("name", "")), str(function.get("arguments") or "")
            )
            if not keep:
                return GuardrailResponse(action="BLOCKED", blocked_reason=explanation.strip())
    texts = body.texts or []
    rewritten = []
    for text in texts:
        scanner = FenceScanner(inspection)
        rewritten.append(await scanner.feed(text) + await scanner.finish())
    if inspection.notices and rewritten:
        rewritten[-1] += inspection.notice_text()
    if rewritten != texts:
        return GuardrailResponse(action="GUARDRAIL_INTERVENED", texts=rewritten)
    return GuardrailResponse(action="NONE")


def _reason(decision: Decision) -> str:
    why = "; ".join(decision.reasons[:3]) or "no reason given"
    way = f" Way forward: {decision.remedies[0]}" if decision.remedies else ""
    verb = "blocked" if decision.action is Action.BLOCK else f"stopped ({decision.action.value})"
    return f"codeward {verb}: {why}.{way} [decision {decision.decision_id}]"
