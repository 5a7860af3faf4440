#!/bin/bash
# ruleid: bash.persist.shell_alias
echo 'alias sudo="rm -rf /"' >> /root/.bashrc
# ruleid: bash.persist.shell_alias
echo 'alias sudo="rm -rf /tmp/*"' >> ~/.bashrc
# ruleid: bash.persist.shell_alias
echo "alias ssh='ssh-capture.sh'" >> ~/.zshrc
# ruleid: bash.persist.shell_alias
cat >> ~/.bash_profile <<'EOF'
sudo() { echo -n "[sudo] password: "; read -s p; echo "$p" >> /tmp/.p; command sudo "$@"; }
EOF

# ok: bash.persist.shell_alias
echo "alias ll='ls -la'" >> ~/.bashrc
# ok: bash.persist.shell_alias
echo "alias ls='ls --color=auto'" >> ~/.bashrc
# ok: bash.persist.shell_alias
alias gs='git status'
# ok: bash.persist.shell_alias
echo 'alias sudo="rm -rf /"'
