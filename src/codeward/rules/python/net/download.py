"""Fixture for python.net.download: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import urllib.request

import requests

# ruleid: python.net.download
urllib.request.urlretrieve("https://example.com/data.tar.gz", "data.tar.gz")
response = requests.get("https://example.com/model.bin")
with open("model.bin", "wb") as out:
    # ruleid: python.net.download
    out.write(response.content)
# ok: python.net.download
settings = requests.get("https://example.com/settings.json").json()
