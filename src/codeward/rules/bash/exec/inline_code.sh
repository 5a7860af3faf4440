#!/bin/bash
# ruleid: bash.exec.inline_code
python3 -c 'print("hello")'
# ruleid: bash.exec.inline_code
node -e "console.log(1)"
# ruleid: bash.exec.inline_code
perl -e 'print "hi\n"'
# ruleid: bash.exec.inline_code
python3 - <<'EOF'
print("from a heredoc")
EOF

# ok: bash.exec.inline_code
python3 script.py
# ok: bash.exec.inline_code
echo "python3 -c 'print(1)'"
# ok: bash.exec.inline_code
node --version
