"""Fixture for python.proc.bind_shell: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import socket
import subprocess

server = socket.socket()
# ruleid: python.proc.bind_shell
server.bind(("0.0.0.0", 4444))
server.listen(1)
conn, peer = server.accept()
while True:
    command = conn.recv(1024).decode()
    # ruleid: python.proc.bind_shell
    output = subprocess.check_output(command, shell=True)
    # ok: python.proc.bind_shell
    conn.send(output)
