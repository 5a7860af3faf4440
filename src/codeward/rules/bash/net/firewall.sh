#!/bin/bash
# ruleid: bash.net.firewall
sudo iptables -A INPUT -p tcp --dport 22 -j ACCEPT
# ruleid: bash.net.firewall
ufw allow 8080/tcp
# ruleid: bash.net.firewall
nft add rule inet filter input tcp dport 443 accept

# ok: bash.net.firewall
iptables -L -n
# ok: bash.net.firewall
ufw status verbose
# ok: bash.net.firewall
echo "iptables -A INPUT -j DROP"
