#!/bin/bash
# ruleid: bash.persist.cron
(crontab -l; echo "*/5 * * * * /tmp/.x/run.sh") | crontab -
# ruleid: bash.persist.cron
echo "* * * * * root /tmp/beacon" >> /etc/crontab
# ruleid: bash.persist.cron
sudo cp job /etc/cron.d/job
# ruleid: bash.persist.cron
crontab ./mycron.txt
# ruleid: bash.persist.cron
echo '@reboot /opt/agent' | sudo tee -a /var/spool/cron/crontabs/root

# ok: bash.persist.cron
crontab -l
# ok: bash.persist.cron
echo "* * * * * /tmp/beacon"
# ok: bash.persist.cron
cat /etc/crontab
