"""Fixture for python.fs.chmod_permissive: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import stat

# ruleid: python.fs.chmod_permissive
os.chmod("/etc/passwd", 0o777)
# ruleid: python.fs.chmod_permissive
os.chmod("shared.db", stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)
# ruleid: python.fs.chmod_permissive
os.chmod("/usr/local/bin/helper", 0o4755)
# ok: python.fs.chmod_permissive
os.chmod("run.sh", 0o755)
