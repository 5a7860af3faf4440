"""The host side of the Python audit hook: read its event pipe, check each line's key, map events.

Lines look like `<key> <pid> <event> <hex field> …` (see `tracers/python/sitecustomize.py`).
The first interpreter holds the run's key; a line with `-` comes from a child interpreter (or
from code pretending to be one) and is kept as unverified; any other line is counted as forged
and dropped. Events only ever add evidence, so a forged line can make a snippet look worse,
never better; and stdout and stderr are never read as events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from codeward.sandbox.tracers.events import Observation

HOOK_DIRECTORY = Path(__file__).parent / "python"
"""`sitecustomize.py` (the hook) and `runner.py`, bound read-only into the sandbox."""

_UNIT = "\x1f"
SOCKET_FAMILIES = {
    "1": "AF_UNIX",
    "2": "AF_INET",
    "10": "AF_INET6",
    "3": "AF_AX25",
    "4": "AF_IPX",
    "5": "AF_APPLETALK",
    "16": "AF_NETLINK",
    "17": "AF_PACKET",
    "29": "AF_CAN",
    "31": "AF_BLUETOOTH",
    "38": "AF_ALG",
    "40": "AF_VSOCK",
    "41": "AF_KCM",
    "42": "AF_QIPCRTR",
    "44": "AF_XDP",
}
_SPAWNS = {"subprocess.Popen": 1, "os.exec": 1, "os.posix_spawn": 1, "os.spawn": 2, "pty.spawn": 0}
_INTROSPECTION = frozenset(
    {
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "sys.settrace",
        "sys.setprofile",
        "sys.addaudithook",
    }
)


@dataclass(slots=True)
class AuditStream:
    """Accumulates the event pipe's bytes as they arrive; bounded."""

    key: str
    max_events: int = 20_000
    observations: list[Observation] = field(default_factory=list)
    forged: int = 0
    dropped: int = 0
    started: bool = False
    """The runner said the snippet starts: events before it are the runner's own set-up."""
    ended: bool = False
    """The runner said the snippet ended: the channel was intact to the end."""
    _pending: bytes = b""

    def feed(self, data: bytes) -> None:
        self._pending += data
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            self._line(line.decode("utf-8", "replace"))

    def close(self) -> None:
        if self._pending:
            self._line(self._pending.decode("utf-8", "replace"))
            self._pending = b""

    def _line(self, line: str) -> None:
        parts = line.split(" ")
        if len(parts) < 3 or not parts[1].isdigit():
            self.forged += 1
            return
        key, pid, event = parts[0], int(parts[1]), parts[2]
        if key not in (self.key, "-"):
            self.forged += 1
            return
        if key == self.key and event in ("codeward.start", "codeward.exit"):
            self.started = self.started or event == "codeward.start"
            self.ended = self.ended or event == "codeward.exit"
            return
        if not self.started:
            return
        try:
            fields = [bytes.fromhex(part).decode("utf-8", "surrogateescape") for part in parts[3:] if part]
        except ValueError:
            self.forged += 1
            return
        observation = _observation(event, fields, pid, verified=key == self.key)
        if observation is None:
            return
        if len(self.observations) >= self.max_events:
            self.dropped += 1
            return
        self.observations.append(observation)


def _observation(event: str, fields: list[str], pid: int, *, verified: bool) -> Observation | None:
    def seen(name: str, *args: str) -> Observation:
        return Observation("audit", pid, name, tuple(args), "", verified)

    first = fields[0] if fields else ""
    second = fields[1] if len(fields) > 1 else ""
    if event == "open.r":
        return seen("read", first)
    if event == "open.w":
        return seen("write", first)
    simple = {
        "os.remove": "delete",
        "os.rmdir": "rmdir",
        "shutil.rmtree": "rmtree",
        "os.mkdir": "mkdir",
        "os.truncate": "truncate",
        "os.chown": "chown",
    }
    if event in simple:
        return seen(simple[event], first)
    if event == "os.chmod":
        return seen("chmod", first, oct(int(second)) if second.isdigit() else second)
    if event in ("os.rename", "shutil.move"):
        return seen("rename", first, second)
    if event in ("os.symlink", "os.link"):
        return seen("link", second, first)
    if event in _SPAWNS:
        index = _SPAWNS[event]
        argv = fields[index].split(_UNIT) if len(fields) > index and fields[index] else [first]
        return seen("exec", *argv)
    if event == "os.system":
        return seen("exec", "/bin/sh", "-c", first)
    if event in ("os.fork", "os.forkpty"):
        return seen("fork")
    if event == "socket.__new__":
        family = SOCKET_FAMILIES.get(first, f"family {first}")
        return None if family in ("AF_UNIX", "AF_INET", "AF_INET6") else seen("socket", family)
    if event in ("socket.connect", "socket.sendto", "socket.bind"):
        name = {"socket.connect": "connect", "socket.sendto": "send", "socket.bind": "bind"}[event]
        parts = first.split(_UNIT)
        if len(parts) >= 2:
            family = "AF_INET6" if ":" in parts[0] or len(parts) == 4 else "AF_INET"
            return seen(name, family, parts[0], parts[1])
        return seen(name, "AF_UNIX", "@" + first[1:] if first.startswith("\x00") else first, "")
    if event == "socket.getaddrinfo":
        return seen("resolve", first, second)
    if event == "http.client.connect":
        return seen("http", f"{second}:{fields[2]}" if len(fields) > 2 else second)
    if event == "urllib.Request":
        return seen("http", first)
    if event == "ctypes.dlopen":
        return seen("native", f"ctypes.dlopen({first})")
    if event == "import":
        return seen("native", f"import {first}")
    if event == "compile":
        return seen("compile", first)
    if event == "pickle.find_class":
        return seen("deserialize", f"pickle {first}.{second}")
    if event == "marshal.loads":
        return seen("deserialize", "marshal")
    if event in _INTROSPECTION:
        return seen("introspect", event)
    if event == "resource.setrlimit":
        return seen("limit", first, second)
    if event == "codeward.exception":
        return seen("exception", first, second)
    return None
