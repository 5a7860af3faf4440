#!/bin/bash
# ruleid: bash.fs.delete
rm ~/notes.txt
# ruleid: bash.fs.delete
sudo rm -f /opt/app/config.old
# ruleid: bash.fs.delete
unlink /home/dev/todo.md

# ok: bash.fs.delete
rm -f build.log
# ok: bash.fs.delete
rm /tmp/scratch.txt
# ok: bash.fs.delete
rm -rf ./dist
# ok: bash.fs.delete
echo "rm ~/notes.txt"
# ruleid: bash.fs.delete
sudo rm /etc/nginx/sites-enabled/default
