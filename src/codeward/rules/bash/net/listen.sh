#!/bin/bash
# ruleid: bash.net.listen
nc -l -p 8080
# ruleid: bash.net.listen
python3 -m http.server 8000
# ruleid: bash.net.listen
socat TCP-LISTEN:9000,fork STDOUT

# ok: bash.net.listen
nc example.com 80
# ok: bash.net.listen
python3 -m venv .venv
# ok: bash.net.listen
echo "nc -l -p 8080"
