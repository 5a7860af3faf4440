"""Agent hooks answered by the service: `POST /v1/hooks/{client}` takes the client's own payload and
returns the client's own answer, rendered by the same code as `codeward hook CLIENT`.

Two callers: `codeward hook CLIENT --server URL` (its relay forwards the payload here, so that a hook
process needs no engine), and Claude Code's `http` hook type, which can post here directly with no
process at all. The body is the answer the client reads on stdout (`{}` for no opinion); the exit
status the hook process must use is in `X-Codeward-Exit-Code`, a failure's reason in
`X-Codeward-Problem`. Include it with `app.include_router(router_for(guard))`.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from codeward.adapters.hooks import CLIENTS, dialect
from codeward.adapters.hooks.judges import InProcessJudge
from codeward.adapters.hooks.protocol import HookContext, respond

PATH = "/v1/hooks/{client}"
MAX_DEADLINE = 60.0


def router_for(guard: Any, *, default_deadline: float = 10.0) -> APIRouter:
    """Hook answers from `guard` (a `codeward.Guard`, whose policy also gives the failure rules)."""
    router = APIRouter(tags=["hooks"])
    judge = InProcessJudge(guard_factory=lambda: guard)

    @router.post(PATH, responses={200: {"description": "The client's answer, as its hook would print it."}})
    async def hook(
        client: str,
        request: Request,
        intent: str | None = None,
        env: Literal["dev", "staging", "production"] | None = None,
        confirm: Literal["ask", "deny"] | None = None,
        review: Literal["ask", "deny"] | None = None,
        deadline: float = Query(default=default_deadline, gt=0, le=MAX_DEADLINE),
    ) -> Response:
        if client not in CLIENTS:
            raise HTTPException(404, f"unknown client {client!r}; one of: {', '.join(sorted(CLIENTS))}")
        raw = await request.body()
        from starlette.concurrency import run_in_threadpool

        answer = await run_in_threadpool(
            respond,
            dialect(client),
            raw,
            judge,
            deadline=time.monotonic() + deadline,
            defaults=HookContext(declared_intent=intent, environment=env),
            tighten=(confirm, review),
        )
        headers = {"X-Codeward-Exit-Code": str(answer.exit_code)}
        if not answer.stdout.strip():
            headers["X-Codeward-Silent"] = "1"  # the hook prints nothing; `{}` is for HTTP callers
        if answer.stderr.strip():
            headers["X-Codeward-Problem"] = _header_text(answer.stderr)
        return Response(answer.stdout.strip() or "{}", media_type="application/json", headers=headers)

    return router


def _header_text(text: str) -> str:
    line = " ".join(text.split())
    return line.encode("ascii", "replace").decode()[:1000]
