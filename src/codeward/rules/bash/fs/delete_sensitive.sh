#!/bin/bash
# ruleid: bash.fs.delete_sensitive
rm "/etc/passwd"
# ruleid: bash.fs.delete_sensitive
rm -f /etc/security/opasswd
# ruleid: bash.fs.delete_sensitive
sudo rm /etc/apt/sources.list
# ruleid: bash.fs.delete_sensitive
rm -rf ~/.ssh
# ruleid: bash.fs.delete_sensitive
shred -u ~/.aws/credentials
# ruleid: bash.fs.delete_sensitive
mv /etc/shadow /tmp/x

# ok: bash.fs.delete_sensitive
rm -f ./old-notes.txt
# ok: bash.fs.delete_sensitive
cat /etc/passwd
# ok: bash.fs.delete_sensitive
echo rm /etc/passwd
# ok: bash.fs.delete_sensitive
rm ~/.cache/thumbnails/a.png

file_path="/etc/group"
# ruleid: bash.fs.delete_sensitive
rm -f "$file_path"
# ok: bash.fs.delete_sensitive
sudo rm /etc/nginx/sites-enabled/default
# ruleid: bash.fs.delete_sensitive
rm /usr/bin/python3
