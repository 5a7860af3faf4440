#!/bin/bash
# ruleid: bash.sys.shutdown
sudo shutdown -h now
# ruleid: bash.sys.shutdown
reboot
# ruleid: bash.sys.shutdown
systemctl poweroff
# ruleid: bash.sys.shutdown
init 0
# ruleid: bash.sys.shutdown
echo b > /proc/sysrq-trigger

# ok: bash.sys.shutdown
shutdown -c
# ok: bash.sys.shutdown
echo "reboot required"
# ok: bash.sys.shutdown
uptime
