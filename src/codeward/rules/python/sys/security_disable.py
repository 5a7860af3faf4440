"""Fixture for python.sys.security_disable: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

with open("/etc/selinux/config", "w") as config:
    # ruleid: python.sys.security_disable
    config.write("SELINUX=disabled\n")
    # ok: python.sys.security_disable
    config.write("SELINUXTYPE=targeted\n")
