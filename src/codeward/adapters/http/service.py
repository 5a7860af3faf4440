"""What one service process holds: its configuration, the engine, the store, identity and the webhook.

`codeward serve` passes the configuration to each worker process through the environment
(`CODEWARD_SERVICE`, JSON), so that every worker builds the same service.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import httpx
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from codeward.engine import Guard
from codeward.errors import IdentityError
from codeward.identity import ApiKeyRegistry, ApiKeyVerifier, Authenticator, IdentityConfig, key_hash
from codeward.model import Actor, Context, Decision, Subject
from codeward.store.location import locate
from codeward.store.records import ReviewItem, ReviewStatus
from codeward.store.sql import SqlStore

ENVIRONMENT_KEY = "CODEWARD_SERVICE"
REVIEW_POLL_SECONDS = 0.5
JUDGING_THREADS = 1
"""Decisions judged at once per process in threads: snippets over INLINE_BYTES and hook calls
(smaller snippets are judged on the event loop itself). They share one interpreter lock, so more
threads only take turns at it, and each turn costs: a worker with 4 requests in flight and 3
judging threads switched context 47 times per 100-line decision and spent 4.3 ms of CPU on it,
against 9 switches and 3.5 ms with one thread. Held at 300 decisions/s (2 workers): p99 41 ms
with anyio's default of 40 threads, 26 ms with 3, 12-15 ms with 1; at 350/s: 218 ms with 3, 22-44
ms with 1. The others wait their turn on the event loop, in arrival order, so one long decision
holds up those behind it."""
INLINE_BYTES = 8 * 1024
"""Snippets up to this size in UTF-8 are judged and recorded on the event loop, without a thread. A
100-line snippet (4 KB) takes about 3 ms; long scripts and deeply nested Python of 8 KiB take
10-20 ms; the slowest input found, random bytes read as JavaScript (a benchmarks/hostile_input.py
shape; 4,239 characters, 8,137 bytes), takes 77-80 ms. Meanwhile that worker answers nothing
else, health checks included, while the other workers go on, as with one judging thread, where
the others waited their turn too. At 16 KiB the ordinary long shapes took 40-60 ms. Handing
small snippets to a thread cost more than it saved, because the thread and the loop took turns at
the interpreter lock. Held for 20 s with 2 workers on SQLite, 100-line snippets
(benchmarks/service_load_fixed_rate.py, 2026-11-27):
  - 250/s: p50 6.7, p99 27.6 ms through the judging thread; p50 5.4, p99 14.0 ms on the loop;
  - 350/s: p99 564 ms (4.4 ms of CPU per decision) against 28 ms (3.7 ms)."""
KEY_CACHE_SECONDS = 10.0
"""How long a process trusts its last look-up of an API key (so a revocation takes up to this long)."""
log = logging.getLogger("codeward.http")
T = TypeVar("T")


def _small(content: str) -> bool:
    """At most INLINE_BYTES in UTF-8 (a character is up to 4 bytes; counted only when it matters)."""
    if len(content) > INLINE_BYTES:
        return False
    return content.isascii() or len(content.encode("utf-8", "surrogatepass")) <= INLINE_BYTES


class ServiceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    db: str | None = None
    """A store URL or SQLite path; None: `CODEWARD_DB`, else `$CODEWARD_HOME/codeward.db`."""
    policies: list[str] = Field(default_factory=list)
    require_auth: bool = False
    """Refuse requests without a verified identity (401) instead of judging them as anonymous."""
    webhook_url: str | None = None
    """Called (POST, JSON) for every new review item."""
    public_url: str | None = None
    """How reviewers reach the dashboard, for links in webhook calls."""
    max_body_bytes: int = Field(default=2 * 1024 * 1024, gt=0)
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    """How long a dashboard login lasts."""
    read_project_paths: bool = True
    """Whether a request's `project.path` is read from this machine's disk. `codeward serve` turns it
    off when it listens beyond loopback: a remote caller's path names nothing of theirs here, and
    would let them make the service read its own directories."""
    hook_review_wait: float = Field(default=0.0, ge=0, le=600)
    """How long `POST /v1/hooks/{client}` waits for a reviewer on a held call (within the hook's deadline)."""

    def to_environment(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_environment(cls) -> ServiceConfig:
        raw = os.environ.get(ENVIRONMENT_KEY)
        return cls.model_validate_json(raw) if raw else cls()


class KeyCache:
    """API-key lookups remembered for `ttl` seconds (at most `size` keys), so that a request does not
    cost a store round trip for its key: a revoked key keeps working for at most `ttl` seconds in a
    process that used it just before."""

    def __init__(
        self,
        lookup: Callable[[str], Actor | None],
        *,
        ttl: float = KEY_CACHE_SECONDS,
        size: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._known: dict[str, tuple[float, Actor | None]] = {}
        self._lock = threading.Lock()

    def fresh(self, digest: str, *, margin: float = 1.0) -> bool:
        """Whether a look-up of `digest` would be answered from memory for at least `margin` seconds."""
        with self._lock:
            cached = self._known.get(digest)
        return cached is not None and cached[0] > self._clock() + margin

    def actor(self, digest: str) -> Actor | None:
        now = self._clock()
        with self._lock:
            cached = self._known.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        found = self._lookup(digest)
        with self._lock:
            if len(self._known) >= self._size:
                self._known = {k: v for k, v in self._known.items() if v[0] > now}
                if len(self._known) >= self._size:
                    self._known.clear()
            self._known[digest] = (now + self._ttl, found)
        return found


class Service:
    """The engine with the store behind it, a second engine that records nothing (the simulator),
    the authenticator (tokens, and API keys looked up in the store), and the webhook."""

    def __init__(
        self,
        config: ServiceConfig,
        *,
        store: SqlStore | None = None,
        guard: Guard | None = None,
        identity: IdentityConfig | None = None,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.store = store or SqlStore.open(locate(config.db))
        self.guard = guard or Guard(config.policies, sandbox_mode="never", store=self.store)
        if self.guard.store is None:
            self.guard.store = self.store
        self.simulator = Guard(
            policy=self.guard.policy,
            rulebook=self.guard.rulebook,
            analyzers=self.guard.analyzers,
            sandbox_mode="never",
        )
        policy_identity = self.guard.policy.identity
        identity = (identity or IdentityConfig.from_environment()).with_role_mapping(
            policy_identity.role_claims, policy_identity.role_map
        )
        registry = ApiKeyRegistry(identity.api_keys) if identity.api_keys else None

        def lookup(digest: str) -> Actor | None:
            found = self.store.api_key_actor(digest)
            if found is None and registry is not None:
                found = registry.lookup(digest)
            return found

        self.api_keys = KeyCache(lookup, clock=clock)
        self.authenticator = Authenticator(identity, api_keys=ApiKeyVerifier(self.api_keys.actor))
        self._webhook_transport = webhook_transport
        self._pending_calls: set[asyncio.Task[None]] = set()
        self._judging: anyio.CapacityLimiter | None = None
        """Made on first use, inside the event loop that serves this process."""

    async def judging(self, check: Callable[..., T], *args: Any, **keywords: Any) -> T:
        """Run a decision (`Guard.check` or a hook's `respond`) in a thread, JUDGING_THREADS at a
        time in this process; the rest wait their turn on the event loop, in arrival order."""
        if self._judging is None:
            self._judging = anyio.CapacityLimiter(JUDGING_THREADS)
        return await anyio.to_thread.run_sync(
            functools.partial(check, *args, **keywords), limiter=self._judging
        )

    async def check(self, subject: Subject, context: Context) -> Decision:
        """`Guard.check` for POST /v1/check: on the event loop itself when the snippet is at most
        INLINE_BYTES, else in a judging thread (so that a long decision leaves the loop serving)."""
        if _small(subject.content):
            return self.guard.check(subject, context)
        return await self.judging(self.guard.check, subject, context)

    @property
    def policy(self) -> Any:
        return self.guard.policy

    async def caller(self, request: Request) -> Actor:
        """Who is asking, from the bearer token or API key (an API key may also come as the bearer):
        the only source of the actor on every route. Anonymous and unverified without credentials,
        unless the service requires authentication (401)."""
        authorization = request.headers.get("authorization")
        api_key = request.headers.get("x-api-key")
        bearer = authorization.split(" ", 1)[-1].strip() if authorization else ""
        if bearer.startswith("cwk_") and not api_key:
            api_key, authorization = bearer, None
        if authorization is None and api_key is not None and self.api_keys.fresh(key_hash(api_key.strip())):
            actor = self.authenticator.authenticate(None, api_key)  # from memory: no thread, no store
        else:
            actor = await run_in_threadpool(self.authenticator.authenticate, authorization, api_key)
        if self.config.require_auth and not actor.verified:
            raise IdentityError("this service requires authentication: send a bearer token or an API key")
        return actor

    def announce(self, item: ReviewItem, *, action: str) -> None:
        """Call the webhook about a new review item, without holding up the caller."""
        if not self.config.webhook_url:
            return
        base = (self.config.public_url or "").rstrip("/")
        payload = {
            "event": "review.opened",
            "review_id": item.id,
            "decision_id": item.decision_id,
            "reason": item.reason.value,
            "action": action,
            "capabilities": item.capabilities,
            "requester": item.requester,
            "url": f"{base}/ui/reviews/{item.id}" if base else f"/ui/reviews/{item.id}",
        }
        task = asyncio.get_running_loop().create_task(self._post(payload))
        self._pending_calls.add(task)
        task.add_done_callback(self._pending_calls.discard)

    async def reviewed(self, review_id: str, *, until: float) -> ReviewItem:
        """The review item once a reviewer has decided it, or as it stands at `until` (a
        time.monotonic() value). Polls the store, which every replica shares, without holding a thread."""
        while True:
            item = await run_in_threadpool(self.store.review, review_id)
            if item.status is not ReviewStatus.PENDING or time.monotonic() >= until:
                return item
            await asyncio.sleep(min(REVIEW_POLL_SECONDS, max(0.0, until - time.monotonic())))

    async def announce_held(self, decision: Decision) -> None:
        """Announce the review item a decision opened, if it opened one."""
        if decision.review_id is not None and self.config.webhook_url:
            item = await run_in_threadpool(self.store.review, decision.review_id)
            self.announce(item, action=decision.action.value)

    async def _post(self, payload: dict[str, Any]) -> None:
        url = self.config.webhook_url
        assert url is not None
        try:
            async with httpx.AsyncClient(transport=self._webhook_transport, timeout=5.0) as client:
                response = await client.post(
                    url, content=json.dumps(payload), headers={"Content-Type": "application/json"}
                )
            if response.status_code >= 400:
                log.warning("the review webhook answered HTTP %s", response.status_code)
        except httpx.HTTPError as error:
            log.warning("the review webhook failed: %s", error)

    async def drain(self) -> None:
        """Wait for webhook calls still in flight (at shutdown, and in tests)."""
        if self._pending_calls:
            await asyncio.gather(*self._pending_calls, return_exceptions=True)

    def close(self) -> None:
        self.store.close()
