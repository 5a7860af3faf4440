#!/bin/bash
# ruleid: bash.sys.user_admin
sudo useradd -m deploy
# ruleid: bash.sys.user_admin
passwd
# ruleid: bash.sys.user_admin
echo 'deploy:changeme' | chpasswd
# ruleid: bash.sys.user_admin
userdel -r olduser

# ok: bash.sys.user_admin
id deploy
# ok: bash.sys.user_admin
getent passwd deploy
# ok: bash.sys.user_admin
echo "useradd -m deploy"
