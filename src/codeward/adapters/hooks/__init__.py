"""Agent hooks: Claude Code, Codex, Cursor, Gemini CLI and GitHub Copilot.

Each client module reads its client's payload into one check request and writes the answer in its
client's dialect; `protocol` holds what they share (the answer rules, the fail-closed handling) and
`judges` where a check is made (in this process, in a warm local worker, or in a codeward service).
Nothing in this package imports pydantic or the engine at import time: a hook process must start fast.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # the hook's fast path must not pay for importing `typing`
if TYPE_CHECKING:
    from codeward.adapters.hooks.protocol import Dialect

CLIENTS = {
    "claude-code": "codeward.adapters.hooks.claude_code",
    "codex": "codeward.adapters.hooks.codex",
    "cursor": "codeward.adapters.hooks.cursor",
    "gemini": "codeward.adapters.hooks.gemini",
    "copilot": "codeward.adapters.hooks.copilot",
}


def dialect(client: str) -> Dialect:
    """The dialect of `client` (one of CLIENTS); only that client's module is imported."""
    module = importlib.import_module(CLIENTS[client])
    found: Dialect = module.DIALECT
    return found
