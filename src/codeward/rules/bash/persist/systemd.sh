#!/bin/bash
# ruleid: bash.persist.systemd
sudo cp backdoor.service /etc/systemd/system/
# ruleid: bash.persist.systemd
sudo systemctl enable --now backdoor.service
# ruleid: bash.persist.systemd
echo "/tmp/agent &" >> /etc/rc.local
# ruleid: bash.persist.systemd
cat > ~/.config/systemd/user/agent.service <<'EOF'
[Service]
ExecStart=/tmp/agent
EOF

# ok: bash.persist.systemd
systemctl status nginx
# ok: bash.persist.systemd
sudo systemctl restart nginx
# ok: bash.persist.systemd
cat /etc/systemd/system/app.service
