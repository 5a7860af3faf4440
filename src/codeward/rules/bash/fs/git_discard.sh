#!/bin/bash
# ruleid: bash.fs.git_discard
git clean -fdx
# ruleid: bash.fs.git_discard
git reset --hard HEAD~1
# ruleid: bash.fs.git_discard
git -C ../repo clean -f

# ok: bash.fs.git_discard
git clean -n
# ok: bash.fs.git_discard
git reset --soft HEAD~1
# ok: bash.fs.git_discard
git status
