"""Fixture for python.sys.disk_overwrite: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

# ruleid: python.sys.disk_overwrite
with open("/dev/sda", "wb") as disk:
    disk.write(b"\x00" * 512)
# ok: python.sys.disk_overwrite
with open("/dev/null", "w") as sink:
    sink.write("discarded")
