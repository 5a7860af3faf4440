"""Fixture for python.exec.deserialize: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import json
import marshal
import os
import pickle

import yaml


def load(blob):
    # ruleid: python.exec.deserialize
    return pickle.loads(blob)


# ruleid: python.exec.deserialize
config = yaml.load(open("config.yml"))
# ruleid: python.exec.deserialize
code = marshal.loads(open("cache.bin", "rb").read())


class Gadget:
    def __reduce__(self):
        # ruleid: python.exec.deserialize
        return (os.system, ("id",))


# ok: python.exec.deserialize
safe = yaml.safe_load(open("config.yml"))
# ok: python.exec.deserialize
also_safe = yaml.load(open("config.yml"), Loader=yaml.SafeLoader)
# ok: python.exec.deserialize
data = json.loads("{}")
