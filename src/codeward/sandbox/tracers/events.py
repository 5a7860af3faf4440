"""One shape for what a tracer saw, whichever tracer saw it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Observation:
    """One observed operation, in the sandbox's terms.

    `name` is one of: read, write, delete, rmdir, rename, chmod, chown, mkdir, link, truncate,
    exec, fork, connect, send, bind, socket, resolve, http, compile, deserialize, native,
    introspect, exception, limit, refused-call. Paths are absolute, as the snippet saw them.
    """

    source: str
    """audit or strace."""
    pid: int
    name: str
    args: tuple[str, ...]
    result: str = ""
    """`ok`, an errno name (`EROFS`), or empty when the tracer cannot see the outcome."""
    verified: bool = True
