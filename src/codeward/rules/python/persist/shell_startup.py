"""Fixture for python.persist.shell_startup: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
from pathlib import Path

# ruleid: python.persist.shell_startup
with open(os.path.expanduser("~/.bashrc"), "a") as rc:
    rc.write("export PATH=$PATH:/opt/tool/bin\n")
# ruleid: python.persist.shell_startup
(Path.home() / ".profile").write_text("echo hello\n")
# ok: python.persist.shell_startup
current = open(os.path.expanduser("~/.bashrc")).read()
