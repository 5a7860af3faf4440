"""Fixture for python.proc.kill: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import signal
import subprocess

import psutil

for proc in psutil.process_iter(["name"]):
    if proc.info["name"] == "sshd":
        # ruleid: python.proc.kill
        proc.kill()
# ruleid: python.proc.kill
os.kill(-1, signal.SIGKILL)
child = subprocess.Popen(["sleep", "60"])
# ok: python.proc.kill
child.terminate()
# ok: python.proc.kill
os.kill(child.pid, signal.SIGTERM)
