#!/bin/bash
# ruleid: bash.evasion.history_wipe
history -c
# ruleid: bash.evasion.history_wipe
unset HISTFILE
# ruleid: bash.evasion.history_wipe
export HISTSIZE=0
# ruleid: bash.evasion.history_wipe
rm -f ~/.bash_history
# ruleid: bash.evasion.history_wipe
cat /dev/null > ~/.bash_history
# ruleid: bash.evasion.history_wipe
ln -sf /dev/null ~/.bash_history
# ruleid: bash.evasion.history_wipe
sudo shred -u /var/log/auth.log
# ruleid: bash.evasion.history_wipe
truncate -s 0 /var/log/syslog
# ruleid: bash.evasion.history_wipe
rm -rf /var/log/*
# ruleid: bash.evasion.history_wipe
set +o history
# ruleid: bash.evasion.history_wipe
journalctl --vacuum-time=1s

# ok: bash.evasion.history_wipe
history | tail -20
# ok: bash.evasion.history_wipe
export HISTSIZE=10000
# ok: bash.evasion.history_wipe
tail -f /var/log/syslog
# ok: bash.evasion.history_wipe
echo "started" >> /var/log/myapp.log
# ok: bash.evasion.history_wipe
echo "history -c"
