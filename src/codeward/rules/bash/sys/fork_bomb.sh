#!/bin/bash
# ruleid: bash.sys.fork_bomb
:(){ :|:& };:
# ruleid: bash.sys.fork_bomb
bomb() { bomb | bomb & }; bomb
# ruleid: bash.sys.fork_bomb
while true; do sleep 1 & done
# ruleid: bash.sys.fork_bomb
for ((;;)); do ./worker & done
# ruleid: bash.sys.fork_bomb
bash -c 'f(){ f|f& };f'

# ok: bash.sys.fork_bomb
echo ":(){ :|:& };:"
# ok: bash.sys.fork_bomb
while true; do date; sleep 5; done
# ok: bash.sys.fork_bomb
for i in 1 2 3; do ./worker "$i" & done; wait
# ok: bash.sys.fork_bomb
countdown() { if [ "$1" -gt 0 ]; then countdown $(($1 - 1)); fi; }
