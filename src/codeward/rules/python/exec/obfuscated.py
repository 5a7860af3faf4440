"""Fixture for python.exec.obfuscated: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import base64
import os

# ruleid: python.exec.obfuscated
exec(base64.b64decode("aW1wb3J0IG9zOyBvcy5zeXN0ZW0oImlkIik="))
# ruleid: python.exec.obfuscated
getattr(os, "sys" + "tem")("id")
# ruleid: python.exec.obfuscated
os.system("".join(map(chr, [119, 104, 111, 97, 109, 105])))
# ruleid: python.exec.obfuscated
__import__("o" + "s").popen("id")
# ok: python.exec.obfuscated
logo = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
# ok: python.exec.obfuscated
name = getattr(os, "sep")
