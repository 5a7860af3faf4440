#!/bin/bash
# ruleid: bash.proc.privilege
echo "dev ALL=(ALL) NOPASSWD:ALL" >> /etc/sudoers
# ruleid: bash.proc.privilege
echo 'dev ALL=(ALL) NOPASSWD:ALL' | sudo tee /etc/sudoers.d/dev
# ruleid: bash.proc.privilege
chmod u+s /bin/bash
# ruleid: bash.proc.privilege
chmod 4755 ./helper
# ruleid: bash.proc.privilege
sudo usermod -aG sudo intern
# ruleid: bash.proc.privilege
usermod -a -G docker ci
# ruleid: bash.proc.privilege
useradd -o -u 0 -g 0 backdoor
# ruleid: bash.proc.privilege
echo 'toor:x:0:0::/root:/bin/bash' >> /etc/passwd
# ruleid: bash.proc.privilege
setcap cap_setuid+ep /usr/bin/python3

# ok: bash.proc.privilege
chmod 755 ./helper
# ok: bash.proc.privilege
sudo -l
# ok: bash.proc.privilege
groups dev
# ok: bash.proc.privilege
echo "chmod u+s /bin/bash"
# ruleid: bash.proc.privilege
docker run -v /:/host -it alpine chroot /host
# ok: bash.proc.privilege
docker run --rm -v "$PWD":/app -w /app node:20 npm test
