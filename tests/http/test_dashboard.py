"""The dashboard as a reviewer meets it (server-rendered HTML; the browser test drives the same pages)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpcases import as_

from servicecases import HELD_SNIPPET


def log_in(client: TestClient, key: str) -> str:
    response = client.post("/ui/login", data={"token": key, "next": "/ui/reviews"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/reviews"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    page = client.get("/ui/reviews")
    found = re.search(r'<meta name="csrf" content="([^"]*)"', page.text)
    return found.group(1) if found else ""


def test_pages_need_a_login_and_a_bad_token_is_told_so(client: TestClient) -> None:
    response = client.get("/ui/audit?kind=decision", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/ui/login?next=")
    refused = client.post("/ui/login", data={"token": "cwk_" + "x" * 40})
    assert refused.status_code == 401 and "unknown or revoked" in refused.text
    offsite = client.post("/ui/login", data={"token": "", "next": "https://evil.example/"})
    assert offsite.status_code == 401


def test_the_queue_shows_the_snippet_with_its_flagged_line_and_the_evidence(
    client: TestClient, keys: dict[str, str]
) -> None:
    client.post(
        "/v1/check",
        json={"subject": {"kind": "command", "content": HELD_SNIPPET}},
        headers=as_(keys, "alice"),
    )
    log_in(client, keys["rita"])
    page = client.get("/ui/reviews").text
    flagged = re.findall(r'<li id="line-(\d+)" class="flagged"', page)
    assert flagged == ["3"]
    assert "policy.deny.hold-marker" in page and "the test policy holds this for review" in page
    assert "alice" in page and "verified (api_key)" in page and "Not run in the sandbox" in page


def test_a_reviewer_approves_with_a_comment_and_the_audit_explorer_shows_it(
    client: TestClient, keys: dict[str, str]
) -> None:
    held = client.post(
        "/v1/check",
        json={"subject": {"kind": "command", "content": HELD_SNIPPET}},
        headers=as_(keys, "alice"),
    ).json()
    csrf = log_in(client, keys["rita"])
    review_id = held["review_id"]
    forged = client.post(
        f"/ui/reviews/{review_id}", data={"verdict": "approve", "comment": "x", "csrf": "forged"}
    )
    assert forged.status_code == 403
    done = client.post(
        f"/ui/reviews/{review_id}", data={"verdict": "approve", "comment": "looked at line 3", "csrf": csrf}
    )
    assert done.status_code == 200 and "Review approved" in done.text and "looked at line 3" in done.text
    audit = client.get("/ui/audit", params={"kind": "review.approved"}).text
    assert "review.approved" in audit and "looked at line 3" in audit and "rita" in audit
    decision = client.get(f"/ui/decisions/{held['decision_id']}").text
    assert "review.approved" in decision and "now in force" in decision


def test_the_requester_cannot_approve_from_the_dashboard_either(
    client: TestClient, keys: dict[str, str]
) -> None:
    held = client.post(
        "/v1/check", json={"subject": {"kind": "command", "content": HELD_SNIPPET}}, headers=as_(keys, "rita")
    ).json()
    csrf = log_in(client, keys["rita"])
    refused = client.post(
        f"/ui/reviews/{held['review_id']}", data={"verdict": "approve", "comment": "me", "csrf": csrf}
    )
    assert refused.status_code == 403 and "four-eyes" in refused.text


def test_the_simulator_judges_without_recording(client: TestClient, keys: dict[str, str]) -> None:
    csrf = log_in(client, keys["rita"])
    before = client.post("/v1/audit/verify", headers=as_(keys, "rita")).json()["records"]
    page = client.post(
        "/ui/simulate",
        data={"content": "echo a\necho STOP_HERE", "kind": "command", "language": "bash", "csrf": csrf},
    ).text
    assert 'class="badge action-block"' in page and '<li id="line-2" class="flagged"' in page
    assert client.post("/v1/audit/verify", headers=as_(keys, "rita")).json()["records"] == before


def test_a_developer_without_a_reviewer_role_sees_not_allowed(
    client: TestClient, keys: dict[str, str]
) -> None:
    log_in(client, keys["alice"])
    page = client.get("/ui/reviews")
    assert page.status_code == 403 and "may not read the review queue" in page.text
