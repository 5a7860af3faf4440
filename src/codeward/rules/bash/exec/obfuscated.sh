#!/bin/bash
# ruleid: bash.exec.obfuscated
echo ZWNobyBoZWxsbw== | base64 -d | sh
# ruleid: bash.exec.obfuscated
base64 -d <<< "ZWNobyBoZWxsbw==" | bash
# ruleid: bash.exec.obfuscated
bash -c "$(echo ZWNobyBoZWxsbw== | base64 --decode)"
# ruleid: bash.exec.obfuscated
echo 6563686f2068656c6c6f | xxd -r -p | sh
# ruleid: bash.exec.obfuscated
printf '\x65\x63\x68\x6f\x20\x68\x69' | sh
# ruleid: bash.exec.obfuscated
echo "olleh ohce" | rev | bash
# ruleid: bash.exec.obfuscated
$'\x72\x6d' -f notes.txt
# ruleid: bash.exec.obfuscated
r\m -f notes.txt
# ruleid: bash.exec.obfuscated
echo aW1wb3J0IG9zOyBwcmludChvcy5nZXRjd2QoKSk= | base64 -d | python3

# ok: bash.exec.obfuscated
echo ZWNobyBoZWxsbw== | base64 -d
# ok: bash.exec.obfuscated
echo -n "import os" | base64 -w 0 > encoded.txt
# ok: bash.exec.obfuscated
\rm -f notes.txt
# ok: bash.exec.obfuscated
'rm' -f notes.txt
# ok: bash.exec.obfuscated
echo hello | sh
