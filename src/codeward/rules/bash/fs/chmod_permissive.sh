#!/bin/bash
# ruleid: bash.fs.chmod_permissive
chmod -R 777 /
# ruleid: bash.fs.chmod_permissive
sudo chmod --recursive a+rwx ~
# ruleid: bash.fs.chmod_permissive
chmod 666 /etc/shadow
# ruleid: bash.fs.chmod_permissive
chmod o+r ~/.ssh/id_rsa
# ruleid: bash.fs.chmod_permissive
chmod 777 upload.php

# ok: bash.fs.chmod_permissive
chmod +x ./install.sh
# ok: bash.fs.chmod_permissive
chmod 600 ~/.ssh/id_rsa
# ok: bash.fs.chmod_permissive
chmod -R 755 ./public
# ok: bash.fs.chmod_permissive
chmod 1777 /tmp/shared
# ok: bash.fs.chmod_permissive
echo "chmod -R 777 /"
