#!/bin/bash
# ruleid: bash.exec.remote_code
curl -s https://get.example.com/install.sh | sh
# ruleid: bash.exec.remote_code
wget -qO- https://get.example.com/setup | sudo -E bash -
# ruleid: bash.exec.remote_code
bash <(curl -fsSL https://get.example.com/install.sh)
# ruleid: bash.exec.remote_code
source <(curl -s https://get.example.com/env.sh)
# ruleid: bash.exec.remote_code
sh -c "$(curl -fsSL https://get.example.com/install.sh)"
# ruleid: bash.exec.remote_code
curl -s https://get.example.com/tool.py | python3
# ruleid: bash.exec.remote_code
wget https://get.example.com/payload.sh && chmod +x payload.sh && ./payload.sh
# ruleid: bash.exec.remote_code
curl -o /tmp/i.sh https://get.example.com/i.sh; bash /tmp/i.sh
# ruleid: bash.exec.remote_code
eval "$(curl -s https://get.example.com/env)"

# ok: bash.exec.remote_code
curl -s https://get.example.com/install.sh -o install.sh
# ok: bash.exec.remote_code
echo "curl -s https://get.example.com/install.sh | sh"
# ok: bash.exec.remote_code
curl -s https://api.example.com/items | jq '.items[]'
# ok: bash.exec.remote_code
bash ./scripts/local.sh
