"""Fixture for python.cred.read_credentials: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import sqlite3
from pathlib import Path

# ruleid: python.cred.read_credentials
key = open(os.path.expanduser("~/.ssh/id_rsa")).read()
# ruleid: python.cred.read_credentials
aws = (Path.home() / ".aws" / "credentials").read_text()
# ruleid: python.cred.read_credentials
cookies = sqlite3.connect(os.path.expanduser("~/.config/google-chrome/Default/Cookies"))
# ok: python.cred.read_credentials
keys = os.listdir(os.path.expanduser("~/.ssh"))
for name in keys:
    # ruleid: python.cred.read_credentials
    secret = open(os.path.join(os.path.expanduser("~/.ssh"), name)).read()
# ok: python.cred.read_credentials
public = open(os.path.expanduser("~/.ssh/id_rsa.pub")).read()
# ok: python.cred.read_credentials
hosts = open(os.path.expanduser("~/.ssh/known_hosts")).read()
