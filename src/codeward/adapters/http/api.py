"""The JSON API under /v1: check, decisions, reviews, appeals, overrides and the audit log."""

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from codeward.adapters.http import authority
from codeward.adapters.http.service import Service
from codeward.errors import InputError
from codeward.model import Action, Actor, Context, Decision, Environment, Project, Session, Subject
from codeward.store.ledger import review_capabilities
from codeward.store.records import (
    Appeal,
    AppealStatus,
    AuditQuery,
    ChainReport,
    DecisionQuery,
    DecisionSummary,
    Override,
    ReviewItem,
    ReviewStatus,
    StoredDecision,
)

MAX_WAIT_SECONDS = 60.0
MAX_OVERRIDE_SECONDS = 30 * 86_400


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionRef(_Body):
    id: str = Field(max_length=200)


class CheckContext(_Body):
    """The context a caller may state. The actor is not here: it is who the credentials say."""

    session: SessionRef | None = None
    project: Project | None = None
    declared_intent: str | None = Field(default=None, max_length=100)
    prompt: str | None = None
    tool: str | None = Field(default=None, max_length=200)
    environment: Environment | None = None


class CheckRequest(_Body):
    subject: Subject
    context: CheckContext = Field(default_factory=CheckContext)


class Comment(_Body):
    comment: str = Field(min_length=1, max_length=4000)


class AppealRequest(_Body):
    why: str = Field(min_length=1, max_length=4000)
    expect: list[Action] = Field(default_factory=lambda: [Action.ALLOW, Action.NOTICE], min_length=1)
    """The actions that would have been right: the expectation of the exported policy test."""


class OverrideRequest(_Body):
    why: str = Field(min_length=1, max_length=4000)
    until: float | datetime
    """When the override ends: Unix seconds or ISO 8601; at most 30 days ahead."""
    action: Action = Action.ALLOW


class DecisionRecord(StoredDecision):
    effective_action: Action
    """The action now in force: the decision's, unless a live override or an approved review changed it."""


class AuditPage(BaseModel):
    records: list[dict[str, Any]]


def moment(value: str | None, name: str) -> float | None:
    """Unix seconds or ISO 8601 (`2026-05-01T12:00:00Z`) -> Unix seconds."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise InputError(f"{name}: {value!r} is neither Unix seconds nor an ISO 8601 time") from None


def effective_action(stored: StoredDecision, now: float) -> Action:
    override = stored.active_override(now)
    if override is not None:
        return override.action
    if any(r.status is ReviewStatus.APPROVED for r in stored.reviews):
        return Action.ALLOW
    return stored.decision.action


def router_for(service: Service) -> APIRouter:
    router = APIRouter(prefix="/v1")
    store = service.store

    Caller = Annotated[Actor, Depends(service.caller)]

    async def reader(actor: Caller) -> Actor:
        authority.require_reader(service.policy, actor)
        return actor

    Reader = Annotated[Actor, Depends(reader)]

    @router.post("/check", response_model=Decision, tags=["check"])
    async def check(body: CheckRequest, actor: Caller) -> Response:
        """Judge a snippet for the caller. The answer is the Decision, the same JSON as `codeward check`."""
        stated = body.context
        if stated.project is not None and stated.project.path and not service.config.read_project_paths:
            raise InputError(
                "context.project.path: this service does not read paths on its own disk; "
                "send the project as a manifest (files, dependencies, readme)"
            )
        context = Context(
            actor=actor,
            session=Session(id=stated.session.id if stated.session else None),
            project=stated.project,
            declared_intent=stated.declared_intent,
            prompt=stated.prompt,
            tool=stated.tool,
            environment=stated.environment,
        )
        decision = await service.check(body.subject, context)
        await service.announce_held(decision)
        return Response(decision.to_json(), media_type="application/json")

    @router.get("/decisions", response_model=list[DecisionSummary], tags=["decisions"])
    async def decisions(
        _actor: Reader,
        actor: str | None = None,
        action: Action | None = None,
        capability: str | None = Query(default=None, description="A capability, or a family as `net.*`."),
        intent: str | None = None,
        since: str | None = Query(default=None, description="Unix seconds or ISO 8601."),
        until: str | None = Query(default=None, description="Unix seconds or ISO 8601."),
        before: str | None = Query(default=None, description="A decision id: older ones only (paging)."),
        limit: int = Query(default=100, ge=1, le=1000),
    ) -> list[DecisionSummary]:
        query = DecisionQuery(
            actor=actor,
            action=action,
            capability=capability,
            intent=intent,
            since=moment(since, "since"),
            until=moment(until, "until"),
            before=before,
            limit=limit,
        )
        return await run_in_threadpool(store.decisions, query)

    @router.get("/decisions/{decision_id}", response_model=DecisionRecord, tags=["decisions"])
    async def decision(decision_id: str, _actor: Caller) -> DecisionRecord:
        """Anyone holding a decision's id may read it (ids are unguessable): the requester polls here."""
        stored = await run_in_threadpool(store.decision, decision_id)
        return DecisionRecord(**stored.model_dump(), effective_action=effective_action(stored, time.time()))

    @router.post("/decisions/{decision_id}/appeal", response_model=Appeal, status_code=201, tags=["reviews"])
    async def appeal(decision_id: str, body: AppealRequest, actor: Caller) -> Appeal:
        """Put a stopped decision in front of a reviewer; an upheld appeal becomes a policy test case."""
        filed = await run_in_threadpool(
            lambda: store.file_appeal(decision_id, appellant=actor, why=body.why, expect=body.expect)
        )
        service.announce(await run_in_threadpool(store.review, filed.review_id), action="appeal")
        return filed

    @router.post(
        "/decisions/{decision_id}/override", response_model=Override, status_code=201, tags=["reviews"]
    )
    async def override(decision_id: str, body: OverrideRequest, actor: Caller) -> Override:
        """Let a stopped decision through until a time: a reviewer of its capabilities, not its requester."""
        stored = await run_in_threadpool(store.decision, decision_id)
        authority.require_reviewer(
            service.policy,
            actor,
            capabilities=review_capabilities(stored.decision),
            requesters={stored.actor.id},
        )
        until = body.until.timestamp() if isinstance(body.until, datetime) else float(body.until)
        if until > time.time() + MAX_OVERRIDE_SECONDS:
            raise InputError("until: an override lasts at most 30 days")
        return await run_in_threadpool(
            lambda: store.grant_override(
                decision_id, action=body.action, why=body.why, granted_by=actor, until=until
            )
        )

    @router.get("/appeals", response_model=list[Appeal], tags=["reviews"])
    async def appeals(
        _actor: Reader, status: AppealStatus | None = None, limit: int = Query(default=1000, ge=1, le=10_000)
    ) -> list[Appeal]:
        """Upheld appeals are false positives on the record (`codeward review export-tests` reads them)."""
        return await run_in_threadpool(lambda: store.appeals(status=status, limit=limit))

    @router.get("/reviews", response_model=list[ReviewItem], tags=["reviews"])
    async def reviews(
        _actor: Reader, status: ReviewStatus | None = None, limit: int = Query(default=100, ge=1, le=1000)
    ) -> list[ReviewItem]:
        return await run_in_threadpool(lambda: store.reviews(status=status, limit=limit))

    @router.get("/reviews/{review_id}", response_model=ReviewItem, tags=["reviews"])
    async def review(
        review_id: str,
        _actor: Caller,
        wait: float = Query(
            default=0, ge=0, le=MAX_WAIT_SECONDS, description="Seconds to wait for a decision."
        ),
    ) -> ReviewItem:
        """The requester polls here; with `wait`, the answer comes as soon as a reviewer decides."""
        return await service.reviewed(review_id, until=time.monotonic() + wait)

    async def decide(review_id: str, body: Comment, actor: Actor, *, approve: bool) -> ReviewItem:
        item = await run_in_threadpool(store.review, review_id)
        stored = await run_in_threadpool(store.decision, item.decision_id)
        authority.require_reviewer(
            service.policy,
            actor,
            capabilities=item.capabilities,
            requesters={item.requester, stored.actor.id},
        )
        return await run_in_threadpool(
            lambda: store.decide_review(review_id, approve=approve, reviewer=actor, comment=body.comment)
        )

    @router.post("/reviews/{review_id}/approve", response_model=ReviewItem, tags=["reviews"])
    async def approve(review_id: str, body: Comment, actor: Caller) -> ReviewItem:
        return await decide(review_id, body, actor, approve=True)

    @router.post("/reviews/{review_id}/deny", response_model=ReviewItem, tags=["reviews"])
    async def deny(review_id: str, body: Comment, actor: Caller) -> ReviewItem:
        return await decide(review_id, body, actor, approve=False)

    def audit_query(
        kind: str | None = None,
        actor: str | None = None,
        ref: str | None = Query(default=None, description="A decision id (or a key fingerprint)."),
        since: str | None = Query(default=None, description="Unix seconds or ISO 8601."),
        until: str | None = Query(default=None, description="Unix seconds or ISO 8601."),
        after_seq: int | None = Query(default=None, ge=0),
        before_seq: int | None = Query(default=None, ge=1),
        limit: int = Query(default=100, ge=1, le=10_000),
        newest_first: bool = False,
    ) -> AuditQuery:
        return AuditQuery(
            kind=kind,
            actor=actor,
            ref=ref,
            since=moment(since, "since"),
            until=moment(until, "until"),
            after_seq=after_seq,
            before_seq=before_seq,
            limit=limit,
            newest_first=newest_first,
        )

    @router.get("/audit", response_model=AuditPage, tags=["audit"])
    async def audit(_actor: Reader, query: Annotated[AuditQuery, Depends(audit_query)]) -> AuditPage:
        records = await run_in_threadpool(store.audit, query)
        return AuditPage(records=[r.to_dict() for r in records])

    @router.get(
        "/audit/export",
        tags=["audit"],
        response_class=StreamingResponse,
        responses={200: {"content": {"application/x-ndjson": {}}, "description": "One record per line."}},
    )
    async def export(_actor: Reader) -> StreamingResponse:
        """The whole chain in order, one JSON record per line (`codeward audit export`)."""
        return StreamingResponse(_lines(store.audit_records()), media_type="application/x-ndjson")

    @router.post("/audit/verify", response_model=ChainReport, tags=["audit"])
    async def verify(_actor: Reader) -> ChainReport:
        return await run_in_threadpool(store.verify)

    return router


def _lines(records: Iterator[Any]) -> Iterator[bytes]:
    import json

    for record in records:
        yield (json.dumps(record.to_dict(), ensure_ascii=False) + "\n").encode()
