#!/bin/bash
# ruleid: bash.vcs.force_push
git push --force origin main
# ruleid: bash.vcs.force_push
git push -f origin master
# ruleid: bash.vcs.force_push
git push origin +release/2.0
# ruleid: bash.vcs.force_push
git push origin HEAD:main --force-with-lease
# ruleid: bash.vcs.force_push
git push --force

# ok: bash.vcs.force_push
git push -f origin feature/login
# ok: bash.vcs.force_push
git push origin main
# ok: bash.vcs.force_push
git push --force-with-lease
# ok: bash.vcs.force_push
echo "git push --force origin main"
