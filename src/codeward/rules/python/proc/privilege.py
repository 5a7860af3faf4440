"""Fixture for python.proc.privilege: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

# ruleid: python.proc.privilege
with open("/etc/sudoers", "a") as sudoers:
    sudoers.write("intruder ALL=(ALL) NOPASSWD: ALL\n")
# ruleid: python.proc.privilege
open("/etc/passwd", "a").write("toor:x:0:0::/root:/bin/bash\n")
# ok: python.proc.privilege
accounts = open("/etc/passwd").read()
