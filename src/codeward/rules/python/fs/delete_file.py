"""Fixture for python.fs.delete_file: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import shutil
from pathlib import Path

# ruleid: python.fs.delete_file
os.remove("report.txt")
# ruleid: python.fs.delete_file
Path("old.log").unlink()
for entry in os.listdir("cache"):
    # ruleid: python.fs.delete_file
    os.unlink(os.path.join("cache", entry))
# ok: python.fs.delete_file
os.remove("/etc/passwd")
# ok: python.fs.delete_file
shutil.rmtree("dist")
