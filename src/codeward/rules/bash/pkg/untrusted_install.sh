#!/bin/bash
# ruleid: bash.pkg.untrusted_install
pip install git+https://github.com/someone/tool.git
# ruleid: bash.pkg.untrusted_install
pip3 install https://files.example.net/pkg-1.0.tar.gz
# ruleid: bash.pkg.untrusted_install
pip install --extra-index-url http://pypi.example.net/simple internal-lib
# ruleid: bash.pkg.untrusted_install
python3 -m pip install --trusted-host pypi.example.net somepkg
# ruleid: bash.pkg.untrusted_install
npm i https://example.net/pkg.tgz
# ruleid: bash.pkg.untrusted_install
npm install someone/repo

# ok: bash.pkg.untrusted_install
pip install requests==2.32.3
# ok: bash.pkg.untrusted_install
pip install -r requirements.txt
# ok: bash.pkg.untrusted_install
npm install @types/node
# ok: bash.pkg.untrusted_install
npm ci
