"""Fixture for python.net.request: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import json
import urllib.request

import httpx
import requests

# ruleid: python.net.request
page = requests.get("https://example.com/")
# ruleid: python.net.request
created = httpx.post("https://api.example.com/items", json={"name": "x"})
# ruleid: python.net.request
body = urllib.request.urlopen("https://example.org/feed").read()
# ok: python.net.request
parsed = json.loads("{}")
