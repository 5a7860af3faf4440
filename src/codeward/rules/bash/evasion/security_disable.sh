#!/bin/bash
# ruleid: bash.evasion.security_disable
setenforce 0
# ruleid: bash.evasion.security_disable
sed -i 's/^SELINUX=enforcing/SELINUX=disabled/' /etc/selinux/config
# ruleid: bash.evasion.security_disable
sudo systemctl stop auditd
# ruleid: bash.evasion.security_disable
systemctl disable --now firewalld
# ruleid: bash.evasion.security_disable
ufw disable
# ruleid: bash.evasion.security_disable
iptables -F
# ruleid: bash.evasion.security_disable
auditctl -D
# ruleid: bash.evasion.security_disable
service apparmor stop
# ruleid: bash.evasion.security_disable
sysctl -w kernel.randomize_va_space=0

# ok: bash.evasion.security_disable
getenforce
# ok: bash.evasion.security_disable
systemctl stop nginx
# ok: bash.evasion.security_disable
ufw enable
# ok: bash.evasion.security_disable
echo "setenforce 0"
# ok: bash.evasion.security_disable
iptables -L
# ruleid: bash.evasion.security_disable
sudo killall -9 falcond
