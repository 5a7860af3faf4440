"""Fixture for python.fs.delete_tree: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import shutil
from pathlib import Path

# ruleid: python.fs.delete_tree
shutil.rmtree("build")
# ruleid: python.fs.delete_tree
shutil.rmtree(os.path.expanduser("~"))
for root, dirs, files in os.walk("/home/alice"):
    for name in files:
        # ruleid: python.fs.delete_tree
        os.remove(os.path.join(root, name))
for path in Path("/srv/data").rglob("*"):
    # ruleid: python.fs.delete_tree
    path.unlink()
# ok: python.fs.delete_tree
os.remove("notes.txt")
# ok: python.fs.delete_tree
os.makedirs("build", exist_ok=True)
