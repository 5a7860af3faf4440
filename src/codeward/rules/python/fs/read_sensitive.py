"""Fixture for python.fs.read_sensitive: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
from pathlib import Path

# ruleid: python.fs.read_sensitive
users = open("/etc/passwd").read()
# ruleid: python.fs.read_sensitive
groups = Path("/etc/group").read_text()
# ok: python.fs.read_sensitive
release = open("/etc/os-release").read()
# ruleid: python.fs.read_sensitive
names = os.listdir("/root/.aws")
