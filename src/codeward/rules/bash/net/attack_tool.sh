#!/bin/bash
# ruleid: bash.net.attack_tool
sqlmap -u 'http://10.20.0.31/item.php?id=1' --batch --risk 2 --level 3
# ruleid: bash.net.attack_tool
hydra -l admin -P rockyou.txt ssh://10.0.0.7
# ruleid: bash.net.attack_tool
impacket-secretsdump -just-dc-ntlm 'LAB/pentest:Winter2026!@10.20.0.10'
# ruleid: bash.net.attack_tool
sudo responder -I eth0 -wd

# ok: bash.net.attack_tool
sqlmap --help
# ok: bash.net.attack_tool
echo "hydra -l admin -P rockyou.txt ssh://10.0.0.7"
# ok: bash.net.attack_tool
apt-get install -y sqlmap hydra
