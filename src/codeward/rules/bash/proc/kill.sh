#!/bin/bash
# ruleid: bash.proc.kill
kill -9 -1
# ruleid: bash.proc.kill
sudo pkill sshd
# ruleid: bash.proc.kill
pkill -f systemd-journald
# ruleid: bash.proc.kill
killall -9 dockerd
# ruleid: bash.proc.kill
kill $(pgrep auditd)
# ruleid: bash.proc.kill
kill "$SERVER_PID"
# ruleid: bash.proc.kill
pkill -f "npm run dev"

# ok: bash.proc.kill
ps aux | grep sshd
# ok: bash.proc.kill
echo "kill -9 -1"
# ok: bash.proc.kill
kill -l
# ok: bash.proc.kill
kill %1

kill_processes() {
    for pid in $(ps -eo pid,comm | awk '/cron/ {print $1}'); do
        # ruleid: bash.proc.kill
        kill "$pid"
    done
}
kill_processes
