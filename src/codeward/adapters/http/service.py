"""What one service process holds: its configuration, the engine, the store, identity and the webhook.

`codeward serve` passes the configuration to each worker process through the environment
(`CODEWARD_SERVICE`, JSON), so that every worker builds the same service.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field

from codeward.engine import Guard
from codeward.identity import ApiKeyRegistry, ApiKeyVerifier, Authenticator, IdentityConfig
from codeward.model import Actor
from codeward.store.location import locate
from codeward.store.records import ReviewItem
from codeward.store.sql import SqlStore

ENVIRONMENT_KEY = "CODEWARD_SERVICE"
log = logging.getLogger("codeward.http")


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

    def to_environment(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_environment(cls) -> ServiceConfig:
        raw = os.environ.get(ENVIRONMENT_KEY)
        return cls.model_validate_json(raw) if raw else cls()


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

        self.authenticator = Authenticator(identity, api_keys=ApiKeyVerifier(lookup))
        self._webhook_transport = webhook_transport
        self._pending_calls: set[asyncio.Task[None]] = set()

    @property
    def policy(self) -> Any:
        return self.guard.policy

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
