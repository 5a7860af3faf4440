"""Authorization of every endpoint of the service, API and dashboard alike.

One table says who may call each route; a test fails when a route appears that the table does not
cover. For every route that needs a role, a verified caller without it gets 403 (and an anonymous
one too); the requester can never decide their own review or override their own decision, even
holding a reviewer role; and no request body can name the actor.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from codeward import Actor, Guard
from codeward.adapters.http.app import create_app
from codeward.adapters.http.litellm import PATH as LITELLM
from codeward.adapters.http.service import Service, ServiceConfig
from codeward.identity import IdentityConfig, key_hash
from codeward.store.location import locate
from codeward.store.records import AuditQuery
from codeward.store.sql import SqlStore
from servicecases import HELD_SNIPPET, write_policy

PEOPLE = {"alice": ["developer"], "bob": ["developer"], "rita": ["reviewer"], "vera": ["reviewer"]}
"""alice asks; bob is verified but holds no reader or reviewer role; rita and vera review."""

ANYONE, READER, REVIEWER, SIGNED_IN = "anyone", "reader", "reviewer", "signed in"
RULES: dict[tuple[str, str], str] = {
    ("POST", "/v1/check"): ANYONE,
    ("GET", "/v1/decisions"): READER,
    ("GET", "/v1/decisions/{decision_id}"): ANYONE,  # ids are unguessable: the requester polls with it
    ("POST", "/v1/decisions/{decision_id}/appeal"): ANYONE,
    ("POST", "/v1/decisions/{decision_id}/override"): REVIEWER,
    ("GET", "/v1/appeals"): READER,
    ("GET", "/v1/reviews"): READER,
    ("GET", "/v1/reviews/{review_id}"): ANYONE,
    ("POST", "/v1/reviews/{review_id}/approve"): REVIEWER,
    ("POST", "/v1/reviews/{review_id}/deny"): REVIEWER,
    ("GET", "/v1/audit"): READER,
    ("GET", "/v1/audit/export"): READER,
    ("POST", "/v1/audit/verify"): READER,
    ("POST", "/v1/hooks/{client}"): ANYONE,
    ("POST", LITELLM): ANYONE,
    ("GET", "/metrics"): ANYONE,
    ("GET", "/healthz"): ANYONE,
    ("GET", "/ui/login"): ANYONE,
    ("POST", "/ui/login"): ANYONE,
    ("POST", "/ui/logout"): SIGNED_IN,
    ("GET", "/ui/reviews"): READER,
    ("GET", "/ui/reviews/{review_id}"): READER,
    ("POST", "/ui/reviews/{review_id}"): REVIEWER,
    ("GET", "/ui/decisions/{decision_id}"): READER,
    ("GET", "/ui/audit"): READER,
    ("POST", "/ui/audit/verify"): READER,
    ("GET", "/ui/simulate"): READER,
    ("POST", "/ui/simulate"): READER,
}


class World:
    """A service with one held snippet of alice's and one stopped one, and everyone's API key."""

    def __init__(self, client: TestClient, store: SqlStore, keys: dict[str, str]) -> None:
        self.client = client
        self.store = store
        self.keys = keys
        self.held = self.check(HELD_SNIPPET, "alice")
        self.stopped = self.check("echo STOP_HERE", "alice")

    def auth(self, name: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[name]}"} if name else {}

    def check(self, content: str, name: str | None) -> dict[str, Any]:
        response = self.client.post(
            "/v1/check", json={"subject": {"kind": "command", "content": content}}, headers=self.auth(name)
        )
        assert response.status_code == 200, response.text
        decision: dict[str, Any] = response.json()
        return decision

    def path(self, template: str) -> str:
        return template.format(
            decision_id=self.stopped["decision_id"], review_id=self.held["review_id"], client="claude-code"
        )


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Guard]:
    """The test policy and one engine over it (building an engine compiles the rules: once is enough)."""
    path = write_policy(tmp_path_factory.mktemp("policy"))
    return path, Guard([str(path)], sandbox_mode="never")


@pytest.fixture
def world(tmp_path: Path, policy: tuple[Path, Guard]) -> Iterator[World]:
    policy_file, guard = policy
    store = SqlStore.open(locate(f"sqlite:///{tmp_path / 'codeward.db'}"))
    keys = {}
    for name, roles in PEOPLE.items():
        keys[name] = f"cwk_{name}_" + "k" * 30
        store.add_api_key(key_hash(keys[name]), Actor(id=name, roles=roles), label=name, created_by="test")
    guard.store = store
    service = Service(
        ServiceConfig(policies=[str(policy_file)]), store=store, guard=guard, identity=IdentityConfig()
    )
    with TestClient(create_app(service=service)) as client:
        yield World(client, store, keys)
    store.close()


def routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, the dashboard's included (it is not in the OpenAPI)."""
    found = {
        (method.upper(), path) for path, operations in app.openapi()["paths"].items() for method in operations
    }
    for route in app.routes:
        router = getattr(route, "original_router", None)
        for inner in getattr(router, "routes", []):
            if isinstance(inner, APIRoute) and inner.path.startswith("/ui"):
                found |= {(method, inner.path) for method in inner.methods - {"HEAD"}}
    return found


def test_every_route_has_an_authorization_rule(world: World) -> None:
    app = world.client.app
    assert isinstance(app, FastAPI)
    assert routes(app) == set(RULES), "a route was added or removed: decide who may call it, here"


# ------------------------------------------------------------------------------------------------ API
def body_for(path: str) -> dict[str, Any] | None:
    """A valid body for the deciding and appealing routes; None for the others."""
    if path.endswith(("/approve", "/deny")):
        return {"comment": "looked at it"}
    if path.endswith("/override"):
        return {"why": "needed for the release", "until": time.time() + 3600}
    if path.endswith("/appeal"):
        return {"why": "it is my build script"}
    return None


def call(world: World, method: str, template: str, name: str | None) -> int:
    """The route with a valid body, as `name` (None: no credentials); the HTTP status."""
    path = world.path(template)
    return world.client.request(method, path, json=body_for(path), headers=world.auth(name)).status_code


READER_ROUTES = [key for key, rule in RULES.items() if rule == READER and key[1].startswith("/v1")]
REVIEWER_ROUTES = [key for key, rule in RULES.items() if rule == REVIEWER and key[1].startswith("/v1")]


@pytest.mark.parametrize(("method", "template"), READER_ROUTES)
def test_reading_the_record_needs_a_reader_role(world: World, method: str, template: str) -> None:
    assert call(world, method, template, "bob") == 403
    assert call(world, method, template, None) == 403
    assert call(world, method, template, "rita") == 200


@pytest.mark.parametrize(("method", "template"), REVIEWER_ROUTES)
def test_deciding_needs_a_reviewer_role_and_never_the_requester(
    world: World, method: str, template: str
) -> None:
    assert call(world, method, template, "bob") == 403
    assert call(world, method, template, None) == 403
    assert call(world, method, template, "alice") == 403

    own_held = world.check(HELD_SNIPPET, "rita")
    own_stopped = world.check("echo STOP_HERE", "rita")
    own = template.format(decision_id=own_stopped["decision_id"], review_id=own_held["review_id"])
    response = world.client.request(method, own, json=body_for(own), headers=world.auth("rita"))
    assert response.status_code == 403 and "four-eyes" in response.json()["error"]
    assert call(world, method, template, "vera") in (200, 201)


@pytest.mark.parametrize(
    ("method", "template"),
    [key for key, rule in RULES.items() if rule == ANYONE and key[1].startswith("/v1")],
)
def test_open_routes_answer_an_anonymous_caller(world: World, method: str, template: str) -> None:
    """Open on purpose, and still judged as an anonymous, unverified actor (no role applies)."""
    path = world.path(template)
    bodies = {
        "/v1/check": {"subject": {"content": "ls"}},
        "/v1/hooks/claude-code": {
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": "ls"},
        },
        "/appeal": {"why": "a false positive"},
    }
    body = next((b for suffix, b in bodies.items() if path.endswith(suffix)), None)
    if template == LITELLM:
        body = {"input_type": "request", "texts": ["hello"], "request_data": {}}
    response = world.client.request(method, path, json=body)
    assert response.status_code in (200, 201), response.text


def test_with_authentication_required_every_route_but_operations_refuses_anonymous_callers(
    world: World,
) -> None:
    service = world.client.app.state.service  # type: ignore[union-attr]
    strict = Service(
        service.config.model_copy(update={"require_auth": True}),
        store=world.store,
        guard=service.guard,
        identity=IdentityConfig(),
    )
    with TestClient(create_app(service=strict)) as client:
        for method, template in RULES:
            if not template.startswith(("/v1", "/beta")):
                continue
            response = client.request(method, world.path(template), json={})
            assert response.status_code == 401, (method, template, response.text)
        assert client.get("/healthz").status_code == 200


# ------------------------------------------------------------------------------------------ dashboard
def log_in(world: World, name: str) -> tuple[TestClient, str]:
    client = TestClient(world.client.app)
    response = client.post("/ui/login", data={"token": world.keys[name]}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/ui/simulate")
    found = re.search(r'<meta name="csrf" content="([^"]*)"', page.text)
    return client, found.group(1) if found else ""


@pytest.mark.parametrize(
    ("method", "template"),
    [key for key, rule in RULES.items() if rule in (READER, REVIEWER) and key[1].startswith("/ui")],
)
def test_dashboard_pages_need_a_login_and_a_reader_role(world: World, method: str, template: str) -> None:
    path = world.path(template)
    form = {"verdict": "approve", "comment": "x"}
    anonymous = world.client.request(method, path, data=form, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/ui/login")
    developer, csrf = log_in(world, "bob")
    response = developer.request(method, path, data={**form, "csrf": csrf})
    assert response.status_code == 403 and "Not allowed" in response.text


def test_the_requester_cannot_approve_from_the_dashboard_even_as_a_reviewer(world: World) -> None:
    own = world.check(HELD_SNIPPET, "rita")
    reviewer, csrf = log_in(world, "rita")
    response = reviewer.post(
        f"/ui/reviews/{own['review_id']}", data={"verdict": "approve", "comment": "mine", "csrf": csrf}
    )
    assert response.status_code == 403 and "four-eyes" in response.text
    other, csrf = log_in(world, "vera")
    response = other.post(
        f"/ui/reviews/{own['review_id']}",
        data={"verdict": "approve", "comment": "fine", "csrf": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_logging_out_ends_the_session(world: World) -> None:
    reviewer, _ = log_in(world, "rita")
    assert reviewer.get("/ui/reviews").status_code == 200
    assert reviewer.post("/ui/logout", follow_redirects=False).status_code == 303
    assert reviewer.get("/ui/reviews", follow_redirects=False).status_code == 303


# ------------------------------------------------------------------------------ the actor, never the body
IMPERSONATION = {"id": "root", "roles": ["admin", "reviewer"], "verified": True, "method": "token"}


@pytest.mark.parametrize(
    ("template", "body"),
    [
        ("/v1/check", {"subject": {"content": "ls"}, "context": {"actor": IMPERSONATION}}),
        ("/v1/check", {"subject": {"content": "ls"}, "actor": IMPERSONATION}),
        ("/v1/reviews/{review_id}/approve", {"comment": "ok", "reviewer": IMPERSONATION}),
        ("/v1/reviews/{review_id}/deny", {"comment": "no", "decided_by": "root"}),
        ("/v1/decisions/{decision_id}/appeal", {"why": "fp", "appellant": "root"}),
        ("/v1/decisions/{decision_id}/override", {"why": "x", "until": 2_000_000_000, "granted_by": "root"}),
    ],
)
def test_a_body_that_names_an_actor_is_refused(world: World, template: str, body: dict[str, Any]) -> None:
    response = world.client.post(world.path(template), json=body, headers=world.auth("bob"))
    assert response.status_code == 422, response.text
    assert world.store.review(world.held["review_id"]).status.value == "pending"


def newest_decision_actor(world: World) -> Actor:
    record = world.store.audit(AuditQuery(kind="decision", newest_first=True, limit=1))[0]
    return world.store.decision(str(record.ref)).actor


def test_a_hook_payload_cannot_name_the_actor(world: World) -> None:
    payload = {
        "hook_event_name": "beforeShellExecution",
        "command": "ls",
        "cwd": "/tmp",
        "user_email": "root",
        "actor": IMPERSONATION,
    }
    response = world.client.post("/v1/hooks/cursor", json=payload, headers=world.auth("bob"))
    assert response.status_code == 200
    actor = newest_decision_actor(world)
    assert (actor.id, actor.roles, actor.verified) == ("bob", ["developer"], True)


def test_litellm_reports_a_person_but_cannot_give_them_a_role(world: World) -> None:
    body = {
        "input_type": "request",
        "texts": ["hello"],
        "request_data": {"user_api_key_user_id": "root", "roles": ["admin"], "verified": True},
        "actor": IMPERSONATION,
    }
    assert world.client.post(LITELLM, json=body, headers=world.auth("bob")).status_code == 200
    actor = newest_decision_actor(world)
    assert actor.id == "root" and actor.roles == [] and not actor.verified
    assert actor.method == "litellm via bob"
