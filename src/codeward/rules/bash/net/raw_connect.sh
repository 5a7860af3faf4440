#!/bin/bash
# ruleid: bash.net.raw_connect
echo "$data" | nc -u -w1 127.0.0.1 5388
# ruleid: bash.net.raw_connect
echo -n "ping" > /dev/udp/127.0.0.1/5388
# ruleid: bash.net.raw_connect
exec 3<>/dev/tcp/example.com/80
# ruleid: bash.net.raw_connect
telnet mail.example.com 25
# ruleid: bash.net.raw_connect
openssl s_client -connect example.com:443

# ok: bash.net.raw_connect
echo "nc example.com 80"
# ok: bash.net.raw_connect
curl https://example.com/
# ok: bash.net.raw_connect
ping -c 1 example.com
