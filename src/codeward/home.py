"""codeward's data directory: `$CODEWARD_HOME`, by default `~/.local/share/codeward`.

The store, the hook workers' sockets and logs, the proxy's audit log and `identity.yaml` all live
here, so every command and adapter sees the same files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DEFAULT_HOME = Path("~/.local/share/codeward")


def home(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    return Path(environ.get("CODEWARD_HOME") or DEFAULT_HOME).expanduser()
