#!/bin/bash
# ruleid: bash.evasion.sshd_weaken
sed -i 's/#PermitRootLogin.*/PermitRootLogin yes/' /etc/ssh/sshd_config
# ruleid: bash.evasion.sshd_weaken
echo "PasswordAuthentication yes" >> /etc/ssh/sshd_config
# ruleid: bash.evasion.sshd_weaken
echo 'PermitEmptyPasswords yes' | sudo tee /etc/ssh/sshd_config.d/99-open.conf

# ok: bash.evasion.sshd_weaken
sed -i 's/#PasswordAuthentication yes/PasswordAuthentication no/' /etc/ssh/sshd_config
# ok: bash.evasion.sshd_weaken
grep PermitRootLogin /etc/ssh/sshd_config
# ok: bash.evasion.sshd_weaken
echo "PermitRootLogin yes"
