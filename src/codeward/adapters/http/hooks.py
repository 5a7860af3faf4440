"""Agent hooks answered by the service: `POST /v1/hooks/{client}` takes the client's own payload and
returns the client's own answer, rendered by the same code as `codeward hook CLIENT`.

Two callers: `codeward hook CLIENT --server URL` (its relay forwards the payload here, so that a hook
process needs no engine), and Claude Code's `http` hook type, which can post here directly with no
process at all. The body is the answer the client reads on stdout (`{}` for no opinion); the exit
status the hook process must use is in `X-Codeward-Exit-Code`, a failure's reason in
`X-Codeward-Problem`. Include it with `app.include_router(router_for(guard))`.

Mounted in the service (`service=`), the actor is who the credentials say (never the payload), a
held snippet's review item is announced to the webhook, and `wait_review=SECONDS` (or the service's
`hook_review_wait`) keeps the hook waiting for the reviewer, within the hook's deadline: approved
becomes allow, denied becomes block, and no answer in time stays the pending review.
"""

import time
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from codeward.adapters.hooks import CLIENTS, dialect
from codeward.adapters.hooks.judges import InProcessJudge
from codeward.adapters.hooks.protocol import CheckRequest, HookAnswer, HookContext, Judge, Judged, respond
from codeward.model import Actor
from codeward.store.records import ReviewItem, ReviewStatus

if TYPE_CHECKING:
    from codeward.adapters.http.service import Service

PATH = "/v1/hooks/{client}"
MAX_DEADLINE = 600.0
MAX_WAITING_HOOKS = 1000
"""Hooks waiting on a reviewer at once per process (each holds a connection, not a thread); past
that a hook answers with the pending review at once."""
_ANSWER_MARGIN_SECONDS = 0.5


def router_for(guard: Any, *, default_deadline: float = 10.0, service: "Service | None" = None) -> APIRouter:
    """Hook answers from `guard` (a `codeward.Guard`, whose policy also gives the failure rules)."""
    router = APIRouter(tags=["hooks"])
    engine = InProcessJudge(guard_factory=lambda: guard)
    waiting = [0]

    async def anonymous() -> Actor | None:
        return None

    Caller = Annotated[Actor | None, Depends(service.caller if service is not None else anonymous)]

    @router.post(PATH, responses={200: {"description": "The client's answer, as its hook would print it."}})
    async def hook(
        client: str,
        request: Request,
        actor: Caller,
        intent: str | None = Query(default=None, max_length=100),
        env: Literal["dev", "staging", "production"] | None = None,
        confirm: Literal["ask", "deny"] | None = None,
        review: Literal["ask", "deny"] | None = None,
        deadline: float = Query(default=default_deadline, gt=0, le=MAX_DEADLINE),
        wait_review: float | None = Query(
            default=None,
            ge=0,
            le=MAX_DEADLINE,
            description="Seconds to wait for a reviewer (within deadline).",
        ),
    ) -> Response:
        if client not in CLIENTS:
            raise HTTPException(404, f"unknown client {client!r}; one of: {', '.join(sorted(CLIENTS))}")
        raw = await request.body()
        due = time.monotonic() + deadline

        async def answer_with(judge: Judge) -> HookAnswer:
            return await (service.judging if service is not None else run_in_threadpool)(
                respond,
                dialect(client),
                raw,
                judge,
                deadline=due,
                defaults=HookContext(declared_intent=intent, environment=env),
                tighten=(confirm, review),
            )

        judge = ServiceJudge(engine, actor=actor, service=service)
        answer = await answer_with(judge)
        if service is not None and judge.opened is not None and judge.judged is not None:
            service.announce(judge.opened, action="review")
            if wait_review is None:
                wait_review = service.config.hook_review_wait
            until = min(time.monotonic() + wait_review, due - _ANSWER_MARGIN_SECONDS)
            if until > time.monotonic() and waiting[0] < MAX_WAITING_HOOKS:
                waiting[0] += 1
                try:
                    item = await service.reviewed(judge.opened.id, until=until)
                finally:
                    waiting[0] -= 1
                if item.status is not ReviewStatus.PENDING:
                    decided = Judged(reviewed(judge.judged.decision, item), judge.judged.settings)
                    answer = await answer_with(Decided(decided))
        headers = {"X-Codeward-Exit-Code": str(answer.exit_code)}
        if not answer.stdout.strip():
            headers["X-Codeward-Silent"] = "1"  # the hook prints nothing; `{}` is for HTTP callers
        if answer.stderr.strip():
            headers["X-Codeward-Problem"] = _header_text(answer.stderr)
        return Response(answer.stdout.strip() or "{}", media_type="application/json", headers=headers)

    return router


class ServiceJudge:
    """The engine's judge with the service around it: the actor is the credentials', and a held call
    leaves its review item and decision behind for the wait on the reviewer."""

    def __init__(self, engine: Judge, *, actor: Actor | None, service: "Service | None") -> None:
        self._engine = engine
        self._actor = actor
        self._service = service
        self.judged: Judged | None = None
        self.opened: ReviewItem | None = None
        """The review item this call opened."""

    def decide(self, request: CheckRequest, *, deadline: float) -> Judged:
        if self._service is not None:
            context = dict(request["context"])
            context["actor"] = (self._actor or Actor()).model_dump(mode="json")
            if not self._service.config.read_project_paths:
                context.pop("project", None)  # the client's working directory is not on this machine
            request = {"subject": request["subject"], "context": context}  # type: ignore[typeddict-item]
        self.judged = judged = self._engine.decide(request, deadline=deadline)
        review_id = judged.decision.get("review_id")
        if self._service is not None and judged.decision.get("action") == "review" and review_id:
            self.opened = self._service.store.review(str(review_id))
        return judged


class Decided:
    """A judge that already knows the answer: the decision as the reviewer left it."""

    def __init__(self, judged: Judged) -> None:
        self._judged = judged

    def decide(self, request: CheckRequest, *, deadline: float) -> Judged:
        return self._judged


def reviewed(decision: dict[str, Any], item: ReviewItem) -> dict[str, Any]:
    """The decision as the reviewer left it: approved is allow, denied is block, pending unchanged."""
    if item.status is ReviewStatus.PENDING:
        return decision
    approved = item.status is ReviewStatus.APPROVED
    verdict = "approved" if approved else "denied"
    note = f"review {item.id} {verdict} by {item.decided_by}" + (f": {item.comment}" if item.comment else "")
    return {
        **decision,
        "action": "allow" if approved else "block",
        "reasons": [note, *(decision.get("reasons") or [])],
        "remedies": []
        if approved
        else [f"appeal decision {decision.get('decision_id')} with a justification"],
    }


def _header_text(text: str) -> str:
    line = " ".join(text.split())
    return line.encode("ascii", "replace").decode()[:1000]
