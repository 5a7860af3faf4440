#!/bin/bash
# ruleid: bash.net.scan
nmap -sS -p- 10.0.0.0/24
# ruleid: bash.net.scan
sudo masscan 0.0.0.0/0 -p80 --rate 100000
# ruleid: bash.net.scan
nc -zv 10.0.0.5 20-1024

# ok: bash.net.scan
ping -c 3 10.0.0.5
# ok: bash.net.scan
echo "nmap -sS 10.0.0.0/24"
# ok: bash.net.scan
man nmap
