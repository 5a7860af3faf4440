"""Fixture for python.net.scan: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import socket

import nmap

for port in range(1, 1025):
    probe = socket.socket()
    # ruleid: python.net.scan
    if probe.connect_ex(("10.0.0.5", port)) == 0:
        print(port)
# ruleid: python.net.scan
nmap.PortScanner().scan("10.0.0.0/24", "22-443")
client = socket.socket()
# ok: python.net.scan
client.connect(("example.com", 443))
