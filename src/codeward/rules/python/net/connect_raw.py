"""Fixture for python.net.connect_raw: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import socket

client = socket.socket()
# ruleid: python.net.connect_raw
client.connect(("example.com", 80))
# ruleid: python.net.connect_raw
db = socket.create_connection(("db.internal", 5432))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# ruleid: python.net.connect_raw
udp.sendto(b"ping", ("198.51.100.7", 9999))
server = socket.socket()
# ok: python.net.connect_raw
server.bind(("127.0.0.1", 8080))
