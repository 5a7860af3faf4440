#!/bin/bash
# ruleid: bash.exec.dynamic
eval "$USER_COMMAND"
# ruleid: bash.exec.dynamic
bash -c "$1"
# ruleid: bash.exec.dynamic
sh -c "$(cat ./task.txt)"

# ok: bash.exec.dynamic
eval "ls -la"
# ok: bash.exec.dynamic
echo "eval \$USER_COMMAND"

safe_calculator() {
    input_string=$1
    # ok: bash.exec.dynamic
    eval "$input_string"
}
safe_calculator "ls -a /app/"
# ruleid: bash.exec.dynamic
eval "$(pyenv init -)"
# ruleid: bash.exec.dynamic
eval "$(ssh-agent -s)"
