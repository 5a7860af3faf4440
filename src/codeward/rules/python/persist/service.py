"""Fixture for python.persist.service: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os

# ruleid: python.persist.service
with open("/etc/systemd/system/updater.service", "w") as unit:
    unit.write("[Service]\nExecStart=/opt/updater\n")
# ruleid: python.persist.service
open(os.path.expanduser("~/.config/autostart/updater.desktop"), "w").write("[Desktop Entry]\n")
# ok: python.persist.service
units = open("/etc/systemd/system/sshd.service").read()
