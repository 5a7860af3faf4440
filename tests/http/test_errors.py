"""Bad input gets a 4xx with a JSON error that says what to fix, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b'{"subject": {"content": "ls", "colour": "red"}}', 422, "unknown field 'colour'"),
        (b'{"subject": {"content": 42}}', 422, "body.subject.content"),
        (b'{"subject": {"content": "ls", "kind": "spell"}}', 422, "body.subject.kind"),
        (b'{"subject": {"content": "ls"}, "context": {"environment": "moon"}}', 422, "environment"),
        (
            b'{"subject": {"content": "ls"}, "context": {"session": {"id": "s", "history": []}}}',
            422,
            "history",
        ),
        (b'{"context": {}}', 422, "body.subject"),
        (b"[]", 422, "body"),
        (b'{"subject": {"content": "ls"}, "verbose": true}', 422, "unknown field 'verbose'"),
    ],
)
def test_malformed_check_requests_are_refused_with_the_reason(
    client: TestClient, body: bytes, status: int, says: str
) -> None:
    response = client.post("/v1/check", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert says in response.json()["error"]


def test_an_oversized_body_is_413_before_it_is_parsed(client: TestClient) -> None:
    huge = b'{"subject": {"content": "' + b"a" * (3 * 1024 * 1024) + b'"}}'
    response = client.post("/v1/check", content=huge, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "limit" in response.json()["error"]


def test_an_oversized_body_without_a_length_is_413_too(client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"a" * (128 * 1024)

    response = client.post("/v1/check", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/decisions/0123", 404),
        ("GET", "/v1/reviews/r0123", 404),
        ("GET", "/v1/nothing-here", 404),
        ("GET", "/v1/check", 405),
        ("POST", "/v1/reviews/r0123/approve", 422),
        ("GET", "/v1/reviews?status=lost", 403),
        ("GET", "/v1/reviews/r0123?wait=-1", 422),
    ],
)
def test_wrong_paths_methods_and_parameters_are_json_errors(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json" and response.json()["error"]
