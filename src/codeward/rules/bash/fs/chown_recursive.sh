#!/bin/bash
# ruleid: bash.fs.chown_recursive
chown -R nobody:nogroup /
# ruleid: bash.fs.chown_recursive
sudo chown --recursive www-data /var/www/html
# ruleid: bash.fs.chown_recursive
chgrp -R staff ~

# ok: bash.fs.chown_recursive
chown -R "$USER" ./node_modules
# ok: bash.fs.chown_recursive
chown root:root /usr/local/bin/tool
# ok: bash.fs.chown_recursive
chown -R app /tmp/app-cache
