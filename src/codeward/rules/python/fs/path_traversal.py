"""Fixture for python.fs.path_traversal: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
from pathlib import Path

base = "/var/www/uploads"
# ruleid: python.fs.path_traversal
data = open(os.path.join(base, "../../../etc/hostname")).read()
# ruleid: python.fs.path_traversal
secret = (Path("/srv/app") / "../secrets.txt").read_text()
# ok: python.fs.path_traversal
style = open(os.path.join(base, "static/app.css")).read()
