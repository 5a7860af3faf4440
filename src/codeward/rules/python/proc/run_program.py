"""Fixture for python.proc.run_program: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import subprocess

# ruleid: python.proc.run_program
subprocess.run(["git", "status"], check=True)
# ruleid: python.proc.run_program
subprocess.check_output(["rm", "-rf", "dist"])
# ruleid: python.proc.run_program
os.execvp("python3", ["python3", "-m", "pytest"])
# ruleid: python.proc.run_program
os.spawnl(os.P_WAIT, "/usr/bin/make", "make", "all")
# ok: python.proc.run_program
subprocess.run("ls", shell=True)
# ok: python.proc.run_program
command = ["git", "status"]
