"""Fixture for python.code.command_injection: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import subprocess
import sys

# ruleid: python.code.command_injection
os.system("ping -c 1 " + input("host: "))
# ruleid: python.code.command_injection
subprocess.run(f"grep {sys.argv[1]} log.txt", shell=True)
# ok: python.code.command_injection
subprocess.run(["grep", sys.argv[1], "log.txt"])
