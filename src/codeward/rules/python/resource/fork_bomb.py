"""Fixture for python.resource.fork_bomb: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
from multiprocessing import Process

while True:
    # ruleid: python.resource.fork_bomb
    os.fork()


def spawn_forever():
    while 1:
        # ruleid: python.resource.fork_bomb
        Process(target=spawn_forever).start()


for _ in range(4):
    # ok: python.resource.fork_bomb
    os.fork()
