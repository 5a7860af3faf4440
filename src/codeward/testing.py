"""Helpers for tests and benchmarks that need real services: a scratch PostgreSQL database, a free
loopback port, an app served in a thread, and stopping a service's process group. Used by
codeward's own test suite and load scripts; usable by anyone testing a deployment the same way."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def scratch_postgres_database(admin_url: str, *, prefix: str = "codeward_test") -> Iterator[str]:
    """A uniquely named database created on the server of `admin_url` (whose role may create
    databases), its URL yielded, and dropped after the block, connections and all."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stop_process_group(process: subprocess.Popen[Any], *, grace: float = 20.0) -> None:
    """Stop a process started with `start_new_session=True` and everything it started: SIGTERM to
    its group, SIGKILL to the group if it has not exited within `grace` seconds; always reaped."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(app: object) -> Iterator[str]:
    """An ASGI `app` served by uvicorn on a free loopback port in a background thread, for real HTTP
    clients and processes; its base URL yielded, and the server stopped after the block."""
    import threading

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
