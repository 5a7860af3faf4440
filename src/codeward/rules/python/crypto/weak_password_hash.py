"""Fixture for python.crypto.weak_password_hash: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import hashlib


def store(user, password):
    # ruleid: python.crypto.weak_password_hash
    return hashlib.md5(password.encode()).hexdigest()


def store_salted(user, password):
    hasher = hashlib.sha256()
    # ruleid: python.crypto.weak_password_hash
    hasher.update(("static-salt" + password).encode())
    return hasher.hexdigest()


def derive(password, salt):
    # ruleid: python.crypto.weak_password_hash
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 1000)


def checksum(data):
    # ok: python.crypto.weak_password_hash
    return hashlib.sha256(data).hexdigest()
