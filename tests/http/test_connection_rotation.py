"""A kept-alive connection is closed after REQUESTS_PER_CONNECTION answers, so that its client
connects again and the load can move to a less busy worker; connections are counted apart."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from starlette.types import Receive, Scope, Send

from codeward.adapters.http.connections import REQUESTS_PER_CONNECTION, ConnectionRotation
from codeward.testing import serving


async def ok(scope: Scope, _receive: Receive, send: Send) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def answers(connection: http.client.HTTPConnection, count: int) -> list[str | None]:
    """The Connection header of each of `count` answers on one connection."""
    seen = []
    for _ in range(count):
        connection.request("GET", "/")
        response = connection.getresponse()
        assert response.read() == b"ok"
        seen.append(response.getheader("connection"))
    return seen


def test_a_connection_is_closed_after_its_last_allowed_request_and_others_are_counted_apart() -> None:
    with serving(ConnectionRotation(ok)) as url:
        address = urlsplit(url)
        first = http.client.HTTPConnection(address.hostname or "", address.port)
        second = http.client.HTTPConnection(address.hostname or "", address.port)
        try:
            assert answers(first, REQUESTS_PER_CONNECTION - 1) == [None] * (REQUESTS_PER_CONNECTION - 1)
            assert answers(second, 3) == [None] * 3, "another connection has counts of its own"
            port = first.sock.getsockname()[1]
            assert answers(first, 1) == ["close"]
            assert first.sock is None, "the client closed the connection the server closes"
            assert answers(first, 1) == [None], "the connection opened again starts a new count"
            assert first.sock.getsockname()[1] != port
        finally:
            first.close()
            second.close()
