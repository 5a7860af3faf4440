"""The codeward service: `create_app(config)` builds the FastAPI app (API, dashboard, metrics).

codeward serve [--host 127.0.0.1] [--port 8731] [--db URL] [--policy FILE]
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

import codeward
from codeward.adapters.http import api, dashboard, errors, hooks, litellm, metrics
from codeward.adapters.http.connections import ConnectionRotation
from codeward.adapters.http.service import Service, ServiceConfig

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8731


def create_app(config: ServiceConfig | None = None, *, service: Service | None = None) -> FastAPI:
    """An app over `service` (built from `config` when not given). The caller owns neither's shutdown
    unless the app built the service itself."""
    owned = service is None
    running = service if service is not None else Service(config or ServiceConfig())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The engine, its rules and the CEL runtime are ~30,000 long-lived objects: frozen out of the
        # collector's generations, they no longer make every full collection a 40-60 ms pause.
        gc.collect()
        gc.freeze()
        yield
        await running.drain()
        if owned:
            running.close()

    app = FastAPI(
        title="codeward",
        version=codeward.__version__,
        description="A context-aware, explainable safety layer for AI coding assistants and agents.",
        lifespan=lifespan,
    )
    app.state.service = running
    errors.install(app)
    app.include_router(api.router_for(running), responses=errors.RESPONSES)
    app.include_router(hooks.router_for(running.guard, service=running), responses=errors.RESPONSES)
    app.include_router(
        litellm.router_for(
            running.guard.check,
            fail=running.policy.fail,
            gateway=running.caller,
            observe=running.announce_held,
            verify=litellm.verifier_for(running.authenticator),
            project_paths=running.config.read_project_paths,
        ),
        responses=errors.RESPONSES,
    )
    app.include_router(dashboard.router_for(running))
    app.mount("/static", dashboard.static_files(), name="static")

    @app.get("/metrics", response_class=PlainTextResponse, tags=["operations"])
    async def prometheus() -> PlainTextResponse:
        snapshot = await run_in_threadpool(running.store.metrics)
        return PlainTextResponse(metrics.exposition(snapshot), media_type="text/plain; version=0.0.4")

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, object]:
        head = await run_in_threadpool(running.store.head)
        return {"status": "ok", "store": running.store.dialect, "audit_records": head[0]}

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/ui/reviews", status_code=303)

    app.add_middleware(errors.BodyLimit, limit=running.config.max_body_bytes)
    app.add_middleware(ConnectionRotation)
    return app


def app_from_environment() -> FastAPI:
    """The factory each `codeward serve` worker process calls (configuration in `CODEWARD_SERVICE`)."""
    return create_app(ServiceConfig.from_environment())
