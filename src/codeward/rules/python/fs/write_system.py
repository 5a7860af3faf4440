"""Fixture for python.fs.write_system: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import shutil

# ruleid: python.fs.write_system
with open("/usr/local/bin/tool", "w") as script:
    script.write("#!/bin/sh\n")
# ruleid: python.fs.write_system
shutil.copy("app.conf", "/etc/app.conf")
# ok: python.fs.write_system
with open("out.txt", "w") as out:
    out.write("done")
# ok: python.fs.write_system
hosts = open("/etc/hosts").read()
