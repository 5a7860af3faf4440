#!/bin/bash
# Recursive deletes, every spelling; the target decides the severity (see the test for actions).

# ruleid: bash.fs.recursive_delete
rm -rf /
# ruleid: bash.fs.recursive_delete
sudo /bin/rm -r -f /
# ruleid: bash.fs.recursive_delete
env rm --recursive --force ~
# ruleid: bash.fs.recursive_delete
rm -fr "$HOME"/*
# ruleid: bash.fs.recursive_delete
timeout 5 nice -n 10 nohup rm -R -v /etc
# ruleid: bash.fs.recursive_delete
rm --recursive -- /usr
# ruleid: bash.fs.recursive_delete
\rm -rf --no-preserve-root /
# ruleid: bash.fs.recursive_delete
'rm' -rf /*
# ruleid: bash.fs.recursive_delete
/usr/bin/env rm -rf /var
# ruleid: bash.fs.recursive_delete
rm -rf "$BUILD/"
# ruleid: bash.fs.recursive_delete
rm -rf "${BUILD:?}/"
# ruleid: bash.fs.recursive_delete
rm -rf ./build
# ruleid: bash.fs.recursive_delete
rm -rf /tmp/cache
# ruleid: bash.fs.recursive_delete
find / -delete
# ruleid: bash.fs.recursive_delete
find . -name '*.pyc' -exec rm -f {} \;
# ruleid: bash.fs.recursive_delete
bash -c "rm -rf ~"
# ruleid: bash.fs.recursive_delete
sh -c 'eval "rm -rf /"'
# ruleid: bash.fs.recursive_delete
echo $(rm -rf /)
# ruleid: bash.fs.recursive_delete
echo / | xargs rm -rf
# ruleid: bash.fs.recursive_delete
parallel rm -rf ::: /srv/data
# ruleid: bash.fs.recursive_delete
X=rm; $X -rf /
# ruleid: bash.fs.recursive_delete
T=/; rm -rf $T
# ruleid: bash.fs.recursive_delete
$'\x72\x6d' -rf /
# ruleid: bash.fs.recursive_delete
"r""m" -rf /home/*
# ruleid: bash.fs.recursive_delete
cleanup() { rm -rf "$1"; }; cleanup /opt/app

# ok: bash.fs.recursive_delete
echo "rm -rf /"
# ok: bash.fs.recursive_delete
grep -n 'rm -rf /' notes.md
# ok: bash.fs.recursive_delete
rm -f ./build.log
# ok: bash.fs.recursive_delete
printf '%s\n' "never run rm -rf / on a server"
# ok: bash.fs.recursive_delete
cat <<'EOF'
rm -rf /
EOF
# ruleid: bash.fs.recursive_delete
(cd / && rm -rf *)
