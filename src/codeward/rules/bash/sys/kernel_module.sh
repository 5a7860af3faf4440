#!/bin/bash
# ruleid: bash.sys.kernel_module
sudo insmod ./rootkit.ko
# ruleid: bash.sys.kernel_module
modprobe nf_conntrack
# ruleid: bash.sys.kernel_module
sysctl -w net.ipv4.ip_forward=1
# ruleid: bash.sys.kernel_module
echo 1 > /proc/sys/net/ipv4/ip_forward

# ok: bash.sys.kernel_module
lsmod
# ok: bash.sys.kernel_module
sysctl net.ipv4.ip_forward
# ok: bash.sys.kernel_module
cat /proc/sys/net/ipv4/ip_forward
