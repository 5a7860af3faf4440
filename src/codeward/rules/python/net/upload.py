"""Fixture for python.net.upload: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import os

import requests

# ruleid: python.net.upload
requests.post("https://uploads.example.com/", files={"file": open("report.pdf", "rb")})
# ruleid: python.net.upload
requests.post("https://hooks.example.com/", data={"token": os.environ["API_TOKEN"]})
# ok: python.net.upload
requests.post("https://api.example.com/items", json={"name": "widget"})
