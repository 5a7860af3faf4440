"""Fixture for python.net.listen: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import socket
from http.server import HTTPServer, SimpleHTTPRequestHandler

server = socket.socket()
# ruleid: python.net.listen
server.bind(("0.0.0.0", 8080))
# ruleid: python.net.listen
httpd = HTTPServer(("", 8000), SimpleHTTPRequestHandler)
client = socket.socket()
# ok: python.net.listen
client.connect(("example.com", 80))
