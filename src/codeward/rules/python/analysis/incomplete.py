"""Fixture for python.analysis.incomplete: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os

# ok: python.analysis.incomplete
os.system("ls")


# ruleid: python.analysis.incomplete
def broken(:
    pass
