"""What the HTTP tests share: the people in them, a service over a given store and engine, credentials,
and a webhook that records instead of posting. (A module of its own: `conftest` is not importable by
name when several test folders have one.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from codeward import Guard
from codeward.adapters.http.service import Service, ServiceConfig
from codeward.identity import IdentityConfig
from codeward.store.sql import SqlStore

PEOPLE = {
    "alice": ["developer"],
    "bob": ["developer"],
    "rita": ["reviewer"],
    "sam": ["sre"],
    "sec": ["security-engineer"],
}


def make_service(store: SqlStore, guard: Guard, policy_file: Path, **config: object) -> Service:
    guard.store = store
    return Service(
        ServiceConfig(policies=[str(policy_file)], **config),  # type: ignore[arg-type]
        store=store,
        guard=guard,
        identity=IdentityConfig(),
    )


def recording_webhook(service: Service) -> list[dict[str, Any]]:
    """The JSON notes the service's webhook is sent, collected instead of posted anywhere."""
    received: list[dict[str, Any]] = []

    def webhook(request: httpx.Request) -> httpx.Response:
        received.append(json.loads(request.content))
        return httpx.Response(204)

    service._webhook_transport = httpx.MockTransport(webhook)
    return received


def as_(keys: dict[str, str], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys[name]}"}
