"""The proxy tests' world: a real local upstream (an HTTP server on 127.0.0.1 returning scripted
completions), the proxy served by uvicorn in front of it, and builders of scripted replies."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn

POLICY = (
    "codeward: 1\nid: proxy-test\n"
    "deny:\n  - {id: no-marker, pattern: 'FORBIDDEN_MARKER', reason: the test policy forbids the marker}\n"
)


class ScriptedUpstream:
    """Answers each POST with the next scripted reply; records what it received."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, str, Any]] = []
        self.received: list[dict[str, Any]] = []
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def reply_json(self, body: dict[str, Any], status: int = 200) -> None:
        self.replies.append((status, "json", body))

    def reply_stream(self, chunks: list[dict[str, Any]], *, delay: float = 0.0) -> None:
        self.replies.append((200, "sse", (chunks, delay)))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                upstream.received.append({"path": self.path, "headers": dict(self.headers), "body": None})
                self._json(
                    200,
                    {
                        "object": "list",
                        "data": [{"id": "scripted-1", "object": "model", "created": 0, "owned_by": "test"}],
                    },
                )

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                upstream.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, kind, payload = upstream.replies.pop(0)
                if kind == "json":
                    self._json(status, payload)
                    return
                chunks, delay = payload
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                for chunk in chunks:
                    self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                    self.wfile.flush()
                    if delay:
                        time.sleep(delay)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def close(self) -> None:
        self.server.shutdown()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RunningProxy:
    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def completion(content: str | None, *, tool_calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "scripted",
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "scripted",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def text_chunks(text: str, size: int) -> list[dict[str, Any]]:
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    return (
        [chunk({"role": "assistant", "content": ""})]
        + [chunk({"content": p}) for p in pieces]
        + [chunk({}, "stop")]
    )


def tool_call(index: int, call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {
        "index": index,
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }
