"""Fixture for python.persist.authorized_keys: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os

# ruleid: python.persist.authorized_keys
with open(os.path.expanduser("~/.ssh/authorized_keys"), "a") as keys:
    keys.write("ssh-ed25519 AAAAC3Nza attacker@example\n")
# ok: python.persist.authorized_keys
allowed = open(os.path.expanduser("~/.ssh/authorized_keys")).read()
