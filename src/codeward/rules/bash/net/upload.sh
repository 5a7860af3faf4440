#!/bin/bash
# ruleid: bash.net.upload
curl -F "report=@./report.pdf" https://uploads.example.com/
# ruleid: bash.net.upload
scp ./dist/app.tar.gz deploy@example.com:/srv/
# ruleid: bash.net.upload
curl -T build.zip ftp://ftp.example.com/incoming/

# ok: bash.net.upload
curl -s https://example.com/
# ok: bash.net.upload
scp deploy@example.com:/srv/app.log ./app.log
# ok: bash.net.upload
cp ./dist/app.tar.gz /tmp/
