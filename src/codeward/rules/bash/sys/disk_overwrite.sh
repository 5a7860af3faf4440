#!/bin/bash
# ruleid: bash.sys.disk_overwrite
dd if=/dev/zero of=/dev/sda bs=1M
# ruleid: bash.sys.disk_overwrite
sudo mkfs.ext4 /dev/sdb1
# ruleid: bash.sys.disk_overwrite
wipefs -a /dev/nvme0n1
# ruleid: bash.sys.disk_overwrite
cat /dev/urandom > /dev/sda
# ruleid: bash.sys.disk_overwrite
shred -n 3 /dev/sdc
# ruleid: bash.sys.disk_overwrite
sgdisk --zap-all /dev/sdd
# ruleid: bash.sys.disk_overwrite
parted -s /dev/sde mklabel gpt

# ok: bash.sys.disk_overwrite
dd if=/dev/zero of=./disk.img bs=1M count=100
# ok: bash.sys.disk_overwrite
dd if=/dev/sda of=/dev/null count=1
# ok: bash.sys.disk_overwrite
fdisk -l /dev/sda
# ok: bash.sys.disk_overwrite
echo "mkfs.ext4 /dev/sdb1"
# ok: bash.sys.disk_overwrite
lsblk /dev/sda
