"""Fixture for python.persist.shell_alias: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

with open("/root/.bashrc", "a") as rc:
    # ruleid: python.persist.shell_alias
    rc.write('alias sudo="rm -rf /"\n')
    # ok: python.persist.shell_alias
    rc.write("export EDITOR=vim\n")
