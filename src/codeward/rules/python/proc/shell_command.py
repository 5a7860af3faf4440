"""Fixture for python.proc.shell_command: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import subprocess
from os import system as run_it
from subprocess import *

# ruleid: python.proc.shell_command
os.system("rm -rf /tmp/build")
# ruleid: python.proc.shell_command
run_it("ls -la")
# ruleid: python.proc.shell_command
subprocess.run("make clean && make", shell=True)
# ruleid: python.proc.shell_command
call("echo hi", shell=True)
# ruleid: python.proc.shell_command
uname = os.popen("uname -a").read()
# ruleid: python.proc.shell_command
subprocess.call(["/bin/bash", "-i"])
# ok: python.proc.shell_command
subprocess.run(["make", "clean"])
# ok: python.proc.shell_command
print("os.system('rm -rf /')")
