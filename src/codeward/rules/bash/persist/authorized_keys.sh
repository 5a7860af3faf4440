#!/bin/bash
# ruleid: bash.persist.authorized_keys
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample attacker" >> ~/.ssh/authorized_keys
# ruleid: bash.persist.authorized_keys
cat key.pub | sudo tee -a /root/.ssh/authorized_keys
# ruleid: bash.persist.authorized_keys
cp id.pub /home/ubuntu/.ssh/authorized_keys

# ok: bash.persist.authorized_keys
cat ~/.ssh/authorized_keys
# ok: bash.persist.authorized_keys
ssh-keygen -t ed25519 -f ./deploy_key -N ""
# ok: bash.persist.authorized_keys
echo "add your key to ~/.ssh/authorized_keys"
