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

`request_headers` (the client's headers as LiteLLM forwards them) are read as the proxy reads its own:
`X-Codeward-Intent`, `X-Codeward-Project` (a directory on this machine, where the service reads project
paths), `X-Codeward-Session`, and `X-Codeward-Token`, codeward's own credential (a token or a `cwk_`
API key), which is verified with `verify=` and then names the actor and its roles. A credential that
fails, or that nothing here can verify, blocks the call. Any other header that claims a person
(`X-Codeward-User`, `X-Forwarded-User`, `X-Forwarded-Email`, `X-Auth-Request-User`, …) is at most an
unverified name, and no header grants a role or a group.
"""

import os
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from codeward.adapters.proxy import AuditLog, FenceScanner, Inspection
from codeward.errors import IdentityError
from codeward.model import Action, Actor, Context, Decision, Mode, Project, Session, Subject, SubjectKind

Check = Callable[[Subject, Context], Decision]
Gateway = Callable[..., Awaitable[Actor | None]]
"""A FastAPI dependency: who the calling gateway is (None when the caller is not identified)."""
Observer = Callable[[Decision], Awaitable[None]]
Verifier = Callable[[str], Awaitable[Actor]]
"""Who a codeward credential (a token or a `cwk_` API key) names; raises IdentityError when it fails."""
PATH = "/beta/litellm_basic_guardrail_api"
CLAIMED_PERSON_HEADERS = (
    "x-codeward-user",
    "x-forwarded-user",
    "x-forwarded-email",
    "x-auth-request-user",
    "x-auth-request-email",
)
"""Headers that name a person without proving it: an unverified actor id at most, never a role."""


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
    request_headers: dict[str, Any] | None = None
    """The client's request headers as LiteLLM forwards them (sanitized by LiteLLM)."""
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


def headers_of(body: GuardrailRequest) -> dict[str, str]:
    """The forwarded headers by lower-case name; values that are not text are dropped."""
    return {
        str(name).lower(): value.strip()
        for name, value in (body.request_headers or {}).items()
        if isinstance(value, str) and value.strip()
    }


def context_of(
    body: GuardrailRequest,
    *,
    gateway: Actor | None = None,
    verified: Actor | None = None,
    project_paths: bool = True,
) -> Context:
    """The key's user, team and organisation as the actor (unverified: LiteLLM vouches, codeward cannot),
    unless `verified`, the person a verified X-Codeward-Token names. With `gateway`, the actor's method
    says which authenticated gateway reported the person. The X-Codeward headers give the intent, the
    session and (with `project_paths`) the project."""
    data = body.request_data
    headers = headers_of(body)
    user = (
        data.get("user_api_key_user_id")
        or data.get("user_api_key_user_email")
        or data.get("user_api_key_alias")
        or next((headers[name] for name in CLAIMED_PERSON_HEADERS if name in headers), None)
    )
    groups = [f"team:{data['user_api_key_team_id']}"] if data.get("user_api_key_team_id") else []
    if data.get("user_api_key_org_id"):
        groups.append(f"org:{data['user_api_key_org_id']}")
    params = body.additional_provider_specific_params or {}
    intent = headers.get("x-codeward-intent") or params.get("intent")
    method = "litellm"
    if gateway is not None:
        method = f"litellm via {gateway.id}" if gateway.verified else "litellm via an unauthenticated caller"
    actor = Actor(id=str(user) if user else "anonymous", groups=groups, verified=False, method=method)
    if verified is not None:
        actor = verified.model_copy(update={"method": f"{verified.method} ({method})"})
    project_path = headers.get("x-codeward-project") if project_paths else None
    return Context(
        actor=actor,
        session=Session(id=headers.get("x-codeward-session") or body.litellm_trace_id),
        project=Project(path=project_path) if project_path and os.path.isdir(project_path) else None,
        declared_intent=intent if isinstance(intent, str) else None,
        tool=f"litellm:{body.model or '?'}",
    )


def verifier_for(authenticator: Any) -> Verifier:
    """A Verifier over a `codeward.identity.Authenticator` (its checks run off the event loop)."""

    async def verify(credential: str) -> Actor:
        if credential.startswith("cwk_"):
            actor: Actor = await run_in_threadpool(authenticator.authenticate, None, credential)
        else:
            actor = await run_in_threadpool(authenticator.authenticate, f"Bearer {credential}", None)
        return actor

    return verify


def router_for(
    check: Check,
    *,
    fail: str = "confirm",
    audit: AuditLog | None = None,
    gateway: Gateway | None = None,
    observe: Observer | None = None,
    verify: Verifier | None = None,
    project_paths: bool = True,
) -> APIRouter:
    """A router answering LiteLLM with decisions from `check` (a Guard's `check`, or anything alike);
    `gateway` identifies the caller, `observe` sees every decision made (e.g. to announce reviews),
    `verify` checks an X-Codeward-Token (without it, one blocks the call), and `project_paths` says
    whether an X-Codeward-Project path is read from this machine's disk."""
    router = APIRouter(tags=["litellm"])
    judge = _Judge(check, fail, observe)

    async def unidentified() -> Actor | None:
        return None

    Caller = Annotated[Actor | None, Depends(gateway or unidentified)]

    @router.post(PATH, response_model=GuardrailResponse, response_model_exclude_none=True)
    async def litellm_guardrail(body: GuardrailRequest, caller: Caller) -> GuardrailResponse:
        credential = headers_of(body).get("x-codeward-token")
        verified = None
        if credential:
            try:
                if verify is None:
                    raise IdentityError("nothing here verifies codeward credentials")
                verified = await verify(credential)
            except IdentityError as error:
                reason = f"codeward blocked: the X-Codeward-Token sent through the gateway is not accepted ({error})."
                return GuardrailResponse(action="BLOCKED", blocked_reason=reason)
        context = context_of(body, gateway=caller, verified=verified, project_paths=project_paths)
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
