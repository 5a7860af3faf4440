"""Fixture for python.cred.env_dump: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import json
import os
import subprocess

# ruleid: python.cred.env_dump
print(os.environ)
with open("env.json", "w") as out:
    # ruleid: python.cred.env_dump
    json.dump(dict(os.environ), out)
for name, value in os.environ.items():
    # ruleid: python.cred.env_dump
    print(name, value)
# ok: python.cred.env_dump
print(os.environ.get("HOME"))
# ok: python.cred.env_dump
subprocess.run(["make"], env=os.environ.copy())
