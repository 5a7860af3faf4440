#!/bin/bash
# ruleid: bash.proc.inject
echo /tmp/libhook.so > /etc/ld.so.preload
# ruleid: bash.proc.inject
export LD_PRELOAD=/tmp/libhook.so
# ruleid: bash.proc.inject
LD_PRELOAD=./libfake.so ./server

# ok: bash.proc.inject
export LD_LIBRARY_PATH=/opt/lib
# ok: bash.proc.inject
echo "LD_PRELOAD=/tmp/x.so"
# ok: bash.proc.inject
cat /etc/ld.so.conf
