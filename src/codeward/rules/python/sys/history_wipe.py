"""Fixture for python.sys.history_wipe: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os

# ruleid: python.sys.history_wipe
open(os.path.expanduser("~/.bash_history"), "w").close()
# ruleid: python.sys.history_wipe
open("/var/log/auth.log", "w").close()
# ok: python.sys.history_wipe
history = open(os.path.expanduser("~/.bash_history")).read()
# ok: python.sys.history_wipe
open("/var/log/app/app.log", "a").write("started\n")
