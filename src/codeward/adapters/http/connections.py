"""Kept-alive connections are closed after a number of requests, so that load spreads again over
the worker processes (as nginx's `keepalive_requests` and Envoy's `max_requests_per_connection`).

The kernel hands each new connection to whichever worker process accepts it first, and that worker
keeps it for as long as the client does: a client pool of a few long-lived connections can leave
one worker with most of them and the other idle (a burst of new connections is accepted in one go
by whichever worker wakes first). A connection closed after its `limit`-th answer is opened again
by the client, and the worker that is free to accept it first takes it: the less busy one.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS_PER_CONNECTION = 25
"""A new connection costs the service ~0.5 ms of CPU more than a kept one (measured with the load
benchmark's `--connections per-request`), so one per 25 requests is ~0.02 ms a request. With 8
connections from one client to 2 workers, a limit of 100 still left the split at 10.5 s : 6.8 s of
CPU over a 12 s run, and 25 brought it to 9.5 : 8.6 (without rotation: 15.1 : 1.0)."""


class ConnectionRotation:
    def __init__(self, app: ASGIApp, *, limit: int = REQUESTS_PER_CONNECTION, tracked: int = 4096) -> None:
        self.app = app
        self.limit = limit
        self.tracked = tracked
        self._served: dict[Any, int] = {}
        """Requests answered per connection (its client address and port), most recent last; the
        oldest entries, mostly connections long closed, are forgotten beyond `tracked`."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        if client is None:
            await self.app(scope, receive, send)
            return
        key = tuple(client)
        served = self._served.pop(key, 0) + 1
        if served < self.limit:
            self._served[key] = served
            if len(self._served) > self.tracked:
                del self._served[next(iter(self._served))]
            await self.app(scope, receive, send)
            return

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing)
