#!/bin/bash
# ruleid: bash.net.download
curl -O https://example.com/archive.tar.gz
# ruleid: bash.net.download
wget https://example.com/data.csv
# ruleid: bash.net.download
curl -s "https://1mocat.github.io/abusive.html"
# ruleid: bash.net.download
wget -q -P ./downloads https://example.com/file.bin

# ok: bash.net.download
echo "wget https://example.com/data.csv"
# ok: bash.net.download
curl --help
# ok: bash.net.download
git clone https://github.com/example/repo.git
