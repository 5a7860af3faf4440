"""What the proxy adds to a request: prints numbers, asserts nothing.

A local upstream (an HTTP server on 127.0.0.1 answering with a fixed completion) is called directly
and through `codeward proxy` (uvicorn, in-process engine recording every decision to a SQLite store
in a temporary directory, as `codeward proxy` does), alternately, with one keep-alive client.
The difference of medians is the added latency, for a response without code, with one code block,
and streamed.

    python benchmarks/proxy_latency.py [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import uvicorn

from codeward.adapters.proxy import AuditLog, ProxyConfig, create_app, guard_judge_factory
from codeward.store.local import store_for_check

NO_CODE = "Sure. The function returns the sum of its two arguments, and raises on non-numbers."
ONE_BLOCK = "Here it is:\n```python\ndef add(a, b):\n    return a + b\n```\nCall it with two numbers."


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # otherwise delayed ACKs add ~40 ms to every keep-alive reply
    wbufsize = 65536
    text = NO_CODE

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if body.get("stream"):
            chunks = [self.text[i : i + 8] for i in range(0, len(self.text), 8)]
            payload = (
                b"".join(
                    b"data: "
                    + json.dumps(
                        {
                            "id": "c",
                            "object": "chat.completion.chunk",
                            "created": 1,
                            "model": "m",
                            "choices": [{"index": 0, "delta": {"content": c}, "finish_reason": None}],
                        }
                    ).encode()
                    + b"\n\n"
                    for c in chunks
                )
                + b"data: [DONE]\n\n"
            )
            content_type = "text/event-stream"
        else:
            payload = json.dumps(
                {
                    "id": "c",
                    "object": "chat.completion",
                    "created": 1,
                    "model": "m",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": self.text},
                            "finish_reason": "stop",
                        }
                    ],
                }
            ).encode()
            content_type = "application/json"
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def measure(client: httpx.Client, url: str, body: dict[str, Any], count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.post(url, json=body)
        response.read()
        times.append((time.perf_counter() - started) * 1000)
    return times


def bare_passthrough(upstream_url: str) -> int:
    """The same hop with nothing inspected: what any ASGI proxy on httpx costs here."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    state: dict[str, httpx.AsyncClient] = {}

    async def forward(request: Request) -> Response:
        if "client" not in state:
            state["client"] = httpx.AsyncClient()
        answer = await state["client"].post(
            upstream_url + "/v1/chat/completions",
            content=await request.body(),
            headers={"content-type": "application/json"},
        )
        return Response(answer.content, media_type="application/json")

    app = Starlette(routes=[Route("/v1/chat/completions", forward, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return port


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    upstream_url = f"http://127.0.0.1:{upstream.server_address[1]}"
    store = store_for_check(f"{tempfile.mkdtemp(prefix='codeward-proxy-')}/codeward.db")
    app = create_app(ProxyConfig(upstream_url + "/v1", guard_judge_factory([], store=store), AuditLog(None)))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)

    floor_port = bare_passthrough(upstream_url)
    print(f"Added latency of codeward proxy ({args.requests} requests each, keep-alive, 127.0.0.1):")
    with httpx.Client(timeout=30) as client:
        for label, text, stream in (
            ("no code", NO_CODE, False),
            ("one code block", ONE_BLOCK, False),
            ("no code, streamed", NO_CODE, True),
        ):
            Upstream.text = text
            body = {
                "model": "m",
                "stream": stream,
                "messages": [{"role": "user", "content": "add two numbers"}],
            }
            measure(client, f"http://127.0.0.1:{port}/v1/chat/completions", body, 20)  # warm-up
            direct: list[float] = []
            proxied: list[float] = []
            for _ in range(args.requests // 10):
                direct += measure(client, upstream_url + "/v1/chat/completions", body, 10)
                proxied += measure(client, f"http://127.0.0.1:{port}/v1/chat/completions", body, 10)
            added = statistics.median(proxied) - statistics.median(direct)
            print(
                f"  {label:<20} direct p50 {statistics.median(direct):6.2f} ms   via proxy p50 "
                f"{statistics.median(proxied):6.2f} ms   added p50 {added:6.2f} ms"
            )
            if label == "no code":
                floor = measure(
                    client, f"http://127.0.0.1:{floor_port}/v1/chat/completions", body, args.requests
                )
                print(
                    f"  {'(floor)':<20} a bare Starlette + httpx pass-through, nothing inspected, adds p50 "
                    f"{statistics.median(floor) - statistics.median(direct):6.2f} ms"
                )
    server.should_exit = True
    upstream.shutdown()


if __name__ == "__main__":
    main()
