#!/bin/bash
# Any reader counts: a denied "read" tool is bypassed with cat, base64, xxd, cp, tar, …

# ruleid: bash.cred.read_credentials
cat ~/.ssh/id_rsa
# ruleid: bash.cred.read_credentials
less /home/dev/.aws/credentials
# ruleid: bash.cred.read_credentials
base64 -w0 ~/.ssh/id_ed25519
# ruleid: bash.cred.read_credentials
xxd "$HOME/.config/gcloud/application_default_credentials.json"
# ruleid: bash.cred.read_credentials
strings ~/.mozilla/firefox/abc.default/logins.json
# ruleid: bash.cred.read_credentials
cp ~/.kube/config /tmp/k
# ruleid: bash.cred.read_credentials
tar czf keys.tgz ~/.ssh
# ruleid: bash.cred.read_credentials
grep -r token ~/.npmrc
# ruleid: bash.cred.read_credentials
sudo head /etc/shadow
# ruleid: bash.cred.read_credentials
cat .env
# ruleid: bash.cred.read_credentials
while read -r line; do echo "$line"; done < ~/.git-credentials
# ruleid: bash.cred.read_credentials
find ~ -name id_rsa -exec cat {} \;
# ruleid: bash.cred.read_credentials
gh auth token
# ruleid: bash.cred.read_credentials
gcloud auth print-access-token
# ruleid: bash.cred.read_credentials
aws configure get aws_secret_access_key
# ruleid: bash.cred.read_credentials
kubectl config view --raw
# ruleid: bash.cred.read_credentials
cd ~/.ssh && cat id_ecdsa

# ok: bash.cred.read_credentials
cat ~/.ssh/id_rsa.pub
# ok: bash.cred.read_credentials
cat ~/.ssh/known_hosts
# ok: bash.cred.read_credentials
echo ~/.ssh/id_rsa
# ok: bash.cred.read_credentials
ssh -i ~/.ssh/id_rsa deploy@example.com uptime
# ok: bash.cred.read_credentials
ls -la ~/.aws
# ok: bash.cred.read_credentials
chmod 600 ~/.ssh/id_rsa
# ruleid: bash.cred.read_credentials
security find-generic-password -wa 'Chrome Safe Storage'
# ruleid: bash.cred.read_credentials
security find-internet-password -s github.com -g
# ruleid: bash.cred.read_credentials
sudo security dump-keychain -d login.keychain
# ok: bash.cred.read_credentials
security find-generic-password -s 'Wi-Fi' -a me
# ok: bash.cred.read_credentials
gh auth status
# ok: bash.cred.read_credentials
kubectl config view
# ok: bash.cred.read_credentials
cat ~/.ssh/config
