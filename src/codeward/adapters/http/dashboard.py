"""The dashboard: server-rendered pages for reviewers and auditors, on the same service as the API.

Login by token (a bearer token or an API key) opens a session whose id lives in an HttpOnly,
SameSite=Strict cookie and only as a hash in the store; every form carries the session's CSRF token.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from codeward.adapters.http import authority
from codeward.adapters.http.api import effective_action, moment
from codeward.adapters.http.service import Service
from codeward.errors import AuthorizationError, IdentityError, InputError, NotFound
from codeward.model import Actor, Context, Decision, Mode, Subject, SubjectKind
from codeward.model import Environment as Where
from codeward.store.records import AuditQuery, ReviewItem, ReviewStatus, StateConflict, StoredDecision

HERE = Path(__file__).parent
COOKIE = "codeward_session"
PAGE_SIZE = 50

Page = Callable[..., Awaitable[Response]]


def static_files() -> StaticFiles:
    return StaticFiles(directory=HERE / "static")


def _when(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]), auto_reload=False
)
templates.filters["when"] = _when


class Snippet:
    """A stored snippet as numbered lines, with the lines that findings point at marked."""

    def __init__(self, content: str, decision: Decision) -> None:
        flagged: dict[int, list[str]] = {}
        for finding in decision.findings:
            for line in finding.lines:
                flagged.setdefault(line, []).append(finding.rule_id)
        self.lines = [
            (number, text, flagged.get(number, []))
            for number, text in enumerate(content.splitlines() or [""], start=1)
        ]
        self.flagged = sorted(flagged)


def router_for(service: Service) -> APIRouter:
    router = APIRouter(prefix="/ui", include_in_schema=False)
    store = service.store

    def render(name: str, request: Request, code: int = 200, **values: Any) -> HTMLResponse:
        session = getattr(request.state, "dashboard", None)
        html = templates.get_template(name).render(
            request=request,
            actor=session[0] if session else None,
            csrf=session[1] if session else "",
            **values,
        )
        return HTMLResponse(html, status_code=code)

    async def signed_in(request: Request) -> tuple[Actor, str] | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        found = await run_in_threadpool(store.web_session, token)
        if found is not None:
            request.state.dashboard = found
        return found

    def page(handler: Page) -> Page:
        """Pages need a signed-in reader; the store's errors become an error page, not a traceback."""

        async def guarded(request: Request, *args: Any, **kwargs: Any) -> Response:
            session = await signed_in(request)
            if session is None:
                target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
                return RedirectResponse(f"/ui/login?next={target}", status_code=303)
            try:
                authority.require_reader(service.policy, session[0])
                return await handler(request, session[0], *args, **kwargs)
            except NotFound as error:
                return render("error.html", request, 404, title="Not found", message=str(error))
            except AuthorizationError as error:
                return render("error.html", request, 403, title="Not allowed", message=str(error))
            except (StateConflict, InputError) as error:
                return render("error.html", request, 409, title="Cannot do that", message=str(error))

        signature = inspect.signature(handler)
        guarded.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[p for name, p in signature.parameters.items() if name != "actor"]
        )
        guarded.__name__ = handler.__name__
        guarded.__doc__ = handler.__doc__
        return guarded

    def check_csrf(request: Request, csrf: str) -> None:
        session = getattr(request.state, "dashboard", None)
        if session is None or not csrf or csrf != session[1]:
            raise AuthorizationError("the form is stale or was not sent by this dashboard: reload the page")

    async def review_view(item: ReviewItem) -> dict[str, Any]:
        stored = await run_in_threadpool(store.decision, item.decision_id)
        return {"item": item, **_decision_view(stored)}

    # ------------------------------------------------------------------ login
    @router.get("/login")
    async def login_form(request: Request, next: str = "/ui/reviews") -> Response:
        return render("login.html", request, next=_local(next), problem=None)

    @router.post("/login")
    async def login(request: Request, token: str = Form(""), next: str = Form("/ui/reviews")) -> Response:
        token = token.strip()
        try:
            if not token:
                raise IdentityError("paste a bearer token or an API key")
            if token.startswith("cwk_"):
                actor = await run_in_threadpool(service.authenticator.authenticate, None, token)
            else:
                actor = await run_in_threadpool(service.authenticator.authenticate, f"Bearer {token}", None)
        except IdentityError as error:
            return render("login.html", request, 401, next=_local(next), problem=str(error))
        hours = service.config.session_hours
        session, _csrf = await run_in_threadpool(
            lambda: store.open_web_session(actor, ttl_seconds=hours * 3600)
        )
        response = RedirectResponse(_local(next), status_code=303)
        response.set_cookie(
            COOKIE,
            session,
            max_age=int(hours * 3600),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        if token:
            await run_in_threadpool(store.close_web_session, token)
        response = RedirectResponse("/ui/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    # ------------------------------------------------------------------ reviews
    @router.get("/reviews")
    @page
    async def queue(request: Request, actor: Actor, status: str = "pending") -> Response:
        wanted = ReviewStatus(status) if status in {s.value for s in ReviewStatus} else None
        items = await run_in_threadpool(lambda: store.reviews(status=wanted, limit=PAGE_SIZE))
        views = [await review_view(item) for item in items]
        return render(
            "reviews.html", request, views=views, status=status, done=request.query_params.get("done")
        )

    @router.get("/reviews/{review_id}")
    @page
    async def review(request: Request, actor: Actor, review_id: str) -> Response:
        item = await run_in_threadpool(store.review, review_id)
        return render(
            "review.html", request, view=await review_view(item), done=request.query_params.get("done")
        )

    @router.post("/reviews/{review_id}")
    @page
    async def decide(
        request: Request,
        actor: Actor,
        review_id: str,
        verdict: str = Form(...),
        comment: str = Form(""),
        csrf: str = Form(""),
    ) -> Response:
        check_csrf(request, csrf)
        if verdict not in ("approve", "deny"):
            raise InputError("the verdict is approve or deny")
        if not comment.strip():
            raise InputError("a comment is required: say why, for the record")
        item = await run_in_threadpool(store.review, review_id)
        stored = await run_in_threadpool(store.decision, item.decision_id)
        authority.require_reviewer(
            service.policy,
            actor,
            capabilities=item.capabilities,
            requesters={item.requester, stored.actor.id},
        )
        await run_in_threadpool(
            lambda: store.decide_review(
                review_id, approve=verdict == "approve", reviewer=actor, comment=comment.strip()
            )
        )
        done = "approved" if verdict == "approve" else "denied"
        return RedirectResponse(f"/ui/reviews/{review_id}?done={done}", status_code=303)

    # ------------------------------------------------------------------ decisions and the audit log
    @router.get("/decisions/{decision_id}")
    @page
    async def decision(request: Request, actor: Actor, decision_id: str) -> Response:
        stored = await run_in_threadpool(store.decision, decision_id)
        records = await run_in_threadpool(store.audit, AuditQuery(ref=decision_id, limit=200))
        return render("decision.html", request, records=records, **_decision_view(stored))

    @router.get("/audit")
    @page
    async def audit(
        request: Request,
        actor: Actor,
        kind: str = "",
        who: str = "",
        ref: str = "",
        since: str = "",
        until: str = "",
        before_seq: int | None = None,
    ) -> Response:
        query = AuditQuery(
            kind=kind or None,
            actor=who or None,
            ref=ref or None,
            since=moment(since, "since"),
            until=moment(until, "until"),
            before_seq=before_seq,
            limit=PAGE_SIZE,
            newest_first=True,
        )
        records = await run_in_threadpool(store.audit, query)
        filters = {"kind": kind, "who": who, "ref": ref, "since": since, "until": until}
        return render("audit.html", request, records=records, filters=filters, report=None)

    @router.post("/audit/verify")
    @page
    async def verify(request: Request, actor: Actor, csrf: str = Form("")) -> Response:
        check_csrf(request, csrf)
        report = await run_in_threadpool(store.verify)
        records = await run_in_threadpool(store.audit, AuditQuery(limit=PAGE_SIZE, newest_first=True))
        filters = {"kind": "", "who": "", "ref": "", "since": "", "until": ""}
        return render("audit.html", request, records=records, filters=filters, report=report)

    # ------------------------------------------------------------------ the policy simulator
    @router.get("/simulate")
    @page
    async def simulator(request: Request, actor: Actor) -> Response:
        return render("simulate.html", request, form=_SIMULATOR_DEFAULTS, result=None, problem=None)

    @router.post("/simulate")
    @page
    async def simulate(
        request: Request,
        actor: Actor,
        content: str = Form(""),
        language: str = Form(""),
        kind: str = Form("code"),
        mode: str = Form(""),
        intent: str = Form(""),
        roles: str = Form(""),
        environment: str = Form(""),
        prompt: str = Form(""),
        csrf: str = Form(""),
    ) -> Response:
        """Judge a pasted snippet in a stated context with the service's policy; nothing is recorded."""
        check_csrf(request, csrf)
        form = {
            "content": content,
            "language": language,
            "kind": kind,
            "mode": mode,
            "intent": intent,
            "roles": roles,
            "environment": environment,
            "prompt": prompt,
        }
        try:
            subject = Subject(
                kind=SubjectKind(kind),
                content=content,
                language=language or None,
                mode=Mode(mode) if mode else None,
            )
            stated = Actor(
                id="simulated", roles=roles.replace(",", " ").split(), verified=True, method="simulated"
            )
            context = Context(
                actor=stated,
                declared_intent=intent or None,
                environment=Where(environment) if environment else None,
                prompt=prompt or None,
                tool="dashboard-simulator",
            )
        except ValueError as error:
            return render("simulate.html", request, 422, form=form, result=None, problem=str(error))
        decision = await run_in_threadpool(service.simulator.check, subject, context)
        result = {"decision": decision, "snippet": Snippet(content, decision)}
        return render("simulate.html", request, form=form, result=result, problem=None)

    return router


_SIMULATOR_DEFAULTS = {
    "content": "",
    "language": "",
    "kind": "command",
    "mode": "",
    "intent": "",
    "roles": "",
    "environment": "",
    "prompt": "",
}


def _decision_view(stored: StoredDecision) -> dict[str, Any]:
    content = str(stored.subject.get("content", ""))
    return {
        "stored": stored,
        "decision": stored.decision,
        "snippet": Snippet(content, stored.decision),
        "effective": effective_action(stored, time.time()),
    }


def _local(target: str) -> str:
    """Only same-site paths: a login link cannot send the reviewer to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/ui/reviews"
