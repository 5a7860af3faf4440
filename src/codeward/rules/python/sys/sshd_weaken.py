"""Fixture for python.sys.sshd_weaken: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

with open("/etc/ssh/sshd_config", "a") as config:
    # ruleid: python.sys.sshd_weaken
    config.write("PermitRootLogin yes\n")
    # ok: python.sys.sshd_weaken
    config.write("Port 2222\n")
