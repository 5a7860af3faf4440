"""Fixture for python.crypto.weak_random: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import random
import time


def make_key():
    # ruleid: python.crypto.weak_random
    random.seed(time.time())
    return random.getrandbits(128)


def reset_token():
    # ruleid: python.crypto.weak_random
    return "".join(random.choice("abcdef0123456789") for _ in range(32))


def simulate():
    random.seed(42)
    # ok: python.crypto.weak_random
    return [random.random() for _ in range(10)]
