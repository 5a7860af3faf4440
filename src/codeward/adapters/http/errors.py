"""Every error the service gives is JSON with a 4xx status that says what to fix; never a traceback.

Body limit (documented in the README): a request body over `max_body_bytes` (default 2 MiB) is 413
before it is parsed. Invalid JSON is 400; unknown fields and wrong types are 422 with the field path.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from codeward.errors import (
    AuthorizationError,
    CodewardError,
    IdentityError,
    InputError,
    NotFound,
    PolicyError,
    StoreError,
)
from codeward.store.records import StateConflict

log = logging.getLogger("codeward.http")

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

_STATUS: tuple[tuple[type[CodewardError], int], ...] = (
    (NotFound, 404),
    (AuthorizationError, 403),
    (IdentityError, 401),
    (StateConflict, 409),
    (InputError, 422),
    (PolicyError, 422),
    (StoreError, 503),
)
_ACTOR_IN_BODY = "the actor comes from the bearer token or API key, never from the request body"


class FieldProblem(BaseModel):
    field: str
    problem: str


class ErrorBody(BaseModel):
    """Every error answer: what went wrong, for a person; with the fields at fault when a body or a
    parameter did not fit."""

    error: str
    problems: list[FieldProblem] | None = None


RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "The body is not valid JSON."),
        (401, "The credentials failed, or the service requires them."),
        (403, "The caller's verified roles do not allow this, or four-eyes forbids it."),
        (404, "No such decision, review or client."),
        (409, "The review or appeal was already decided."),
        (413, "The body is over the size limit."),
        (422, "A field is unknown, missing or of the wrong type (see `problems`)."),
        (503, "The store is unavailable; try again."),
    )
}
"""The error answers, documented in the OpenAPI schema of every route."""


def problem(status: int, message: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a JSON error."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = []
        for item in error.errors():
            if item.get("type") == "json_invalid":
                return problem(
                    400, f"the body is not valid JSON: {item.get('ctx', {}).get('error', '')}".strip()
                )
            where = ".".join(str(part) for part in item.get("loc", ()))
            message = str(item.get("msg", "invalid"))
            if item.get("type") == "extra_forbidden":
                field = str(item.get("loc", ("",))[-1])
                message = _ACTOR_IN_BODY if field == "actor" else f"unknown field {field!r}"
            problems.append({"field": where, "problem": message})
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
        return problem(422, f"the request does not fit the API: {summary}", problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        response = problem(error.status_code, str(error.detail))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(CodewardError)
    async def codeward_error(_request: Request, error: CodewardError) -> JSONResponse:
        for kind, status in _STATUS:
            if isinstance(error, kind):
                return problem(status, str(error))
        return problem(400, str(error))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return problem(500, f"internal error ({type(error).__name__}); it is logged on the server")


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, whether or not they declare their length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        response = problem(413, f"the request body is over the {self.limit:,}-byte limit")
        await response(scope, receive, send)
