"""Fixture for python.persist.cron: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

from crontab import CronTab

# ruleid: python.persist.cron
with open("/etc/cron.d/updater", "w") as job:
    # ruleid: python.persist.cron
    job.write("*/5 * * * * root /opt/updater.sh\n")
cron = CronTab(user=True)
# ruleid: python.persist.cron
cron.new(command="/usr/bin/backup.sh")
# ok: python.persist.cron
table = open("/etc/crontab").read()
