#!/bin/bash
# ruleid: bash.fs.read_sensitive
cat /etc/passwd
# ruleid: bash.fs.read_sensitive
awk -F: '{print $1}' /etc/passwd
# ruleid: bash.fs.read_sensitive
head -n 5 /proc/1/environ
# ruleid: bash.fs.read_sensitive
content=$(cat "/usr/../etc/passwd")

# ok: bash.fs.read_sensitive
echo /etc/passwd
# ok: bash.fs.read_sensitive
cat /etc/os-release
# ok: bash.fs.read_sensitive
grep -q root README.md
# ok: bash.fs.read_sensitive
ls -l /etc/passwd
