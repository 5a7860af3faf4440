"""Fixture for python.fs.delete_sensitive: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
from pathlib import Path

# ruleid: python.fs.delete_sensitive
os.remove("/etc/passwd")
# ruleid: python.fs.delete_sensitive
Path("/etc/apt/sources.list").unlink()
# ruleid: python.fs.delete_sensitive
os.unlink(os.path.expanduser("~/.ssh/id_ed25519"))
# ok: python.fs.delete_sensitive
os.remove("/tmp/session.lock")
