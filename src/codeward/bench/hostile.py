"""Hostile inputs shared by the reliability tests and `benchmarks/hostile_input.py`: encoded-payload
bombs. They are text to be read by the analyzers; nothing here decodes or runs them."""

from __future__ import annotations

import base64
import zlib

DESTRUCTIVE_COMMAND = "rm -rf / --no-preserve-root"


def shell_bomb(depth: int) -> str:
    """`echo <base64> | base64 -d | sh`, each layer hiding the next, the destructive command at the bottom."""
    command = DESTRUCTIVE_COMMAND
    for _ in range(depth):
        command = f"echo {base64.b64encode(command.encode()).decode()} | base64 -d | sh"
    return command


def python_bomb(depth: int) -> str:
    """Python that `exec`s base64 of zlib of base64 of the next layer, `depth` times."""
    code = f"import os\nos.system('{DESTRUCTIVE_COMMAND}')\n"
    for _ in range(depth):
        blob = base64.b64encode(zlib.compress(base64.b64encode(code.encode()))).decode()
        code = f"import base64, zlib\nexec(base64.b64decode(zlib.decompress(base64.b64decode('{blob}'))))\n"
    return code


def python_fan_out(branches: int, leaves: int = 10, leaf_lines: int = 10_000) -> str:
    """`branches` zlib payloads, each holding `leaves` more, each of those `leaf_lines` lines of Python:
    a small input whose payloads, unwrapped without a per-decision budget, multiply."""

    def wrapped(code: str) -> str:
        blob = base64.b64encode(zlib.compress(code.encode(), 9)).decode()
        return f"exec(zlib.decompress(base64.b64decode('{blob}')))\n"

    header = "import zlib, base64\n"
    leaf = header + "x = 1\n" * leaf_lines
    middle = header + "".join(wrapped(f"{leaf}#{i}\n") for i in range(leaves))
    return header + "".join(wrapped(f"{middle}#{j}\n") for j in range(branches))
