#!/bin/bash
# ruleid: bash.sys.resource_exhaustion
while true; do mkdir x; cd x; done
# ruleid: bash.sys.resource_exhaustion
while :; do mkdir -p "d$RANDOM"; done
# ruleid: bash.sys.resource_exhaustion
for ((;;)); do mkdir deeper && cd deeper; done
# ruleid: bash.sys.resource_exhaustion
for i in 1 2 3 4; do yes > /dev/null & done
# ruleid: bash.sys.resource_exhaustion
yes > /tmp/fill
# ruleid: bash.sys.resource_exhaustion
yes "$(head -c 4096 /dev/urandom | base64)" >> ~/big.log
# ruleid: bash.sys.resource_exhaustion
yes | cat > /var/tmp/fill
# ruleid: bash.sys.resource_exhaustion
nohup yes > /dev/null 2>&1 &
# ruleid: bash.sys.resource_exhaustion
cat /dev/zero > ./zeros.bin
# ruleid: bash.sys.resource_exhaustion
dd if=/dev/urandom of=/tmp/noise bs=1M
# ruleid: bash.sys.resource_exhaustion
bash -c 'yes > /dev/shm/x'

# ok: bash.sys.resource_exhaustion
for d in a b c; do mkdir "$d"; cd "$d"; done
# ok: bash.sys.resource_exhaustion
yes | apt-get install build-essential
# ok: bash.sys.resource_exhaustion
yes | head -n 5
# ok: bash.sys.resource_exhaustion
yes | head -n 1000 > answers.txt
# ok: bash.sys.resource_exhaustion
yes y | ./configure --prefix=/usr/local
# ok: bash.sys.resource_exhaustion
yes
# ok: bash.sys.resource_exhaustion
timeout 10 yes > /dev/null &
# ok: bash.sys.resource_exhaustion
while true; do mkdir -p /tmp/snapshots/$(date +%s); sleep 3600; done
# ok: bash.sys.resource_exhaustion
while true; do mkdir -p cache; done
# ok: bash.sys.resource_exhaustion
while true; do mkdir "run$i"; cd "run$i"; [ -f done ] && break; done
# ok: bash.sys.resource_exhaustion
while read -r name; do mkdir "$name"; done < names.txt
# ok: bash.sys.resource_exhaustion
dd if=/dev/zero of=./swapfile bs=1M count=1024
# ok: bash.sys.resource_exhaustion
head -c 1M /dev/urandom > ./random.bin
