"""Fixture for python.crypto.weak_cipher: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

from Crypto.Cipher import AES, DES

key = b"0123456789abcdef"
# ruleid: python.crypto.weak_cipher
legacy = DES.new(key[:8], DES.MODE_ECB)
# ruleid: python.crypto.weak_cipher
blocks = AES.new(key, AES.MODE_ECB)
# ok: python.crypto.weak_cipher
sealed = AES.new(key, AES.MODE_GCM)
