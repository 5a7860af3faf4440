"""codeward's audit hook (PEP 578), loaded as `sitecustomize` by every Python process in the sandbox.

It runs inside the sandbox under the system interpreter, before any snippet code: stdlib only,
nothing heavy imported (no json), so that it costs well under a millisecond. Each watched event
becomes one line on the event pipe: `<key> <pid> <event> <hex field> …`. The first process reads
the run's key from a one-shot descriptor and closes it, so lines written by anything else (the
snippet writing to the pipe, a child process) do not carry it. It observes; it does not contain.
"""

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # no typing import at run time: this runs before every snippet
    from typing import Any

_WATCHED = frozenset(
    {
        "open",
        "os.remove",
        "os.rmdir",
        "os.rename",
        "os.truncate",
        "os.chmod",
        "os.chown",
        "os.mkdir",
        "os.symlink",
        "os.link",
        "shutil.rmtree",
        "shutil.move",
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "pty.spawn",
        "os.kill",
        "os.killpg",
        "socket.__new__",
        "socket.connect",
        "socket.sendto",
        "socket.bind",
        "socket.getaddrinfo",
        "http.client.connect",
        "urllib.Request",
        "ctypes.dlopen",
        "import",
        "compile",
        "pickle.find_class",
        "marshal.loads",
        "resource.setrlimit",
        "sys.addaudithook",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "sys.settrace",
        "sys.setprofile",
        "codeward.exception",
        "codeward.start",
        "codeward.exit",
    }
)
_QUIET_READS = ("/usr/", "/run/codeward/", "/etc/ld.so", "/etc/localtime", "/proc/self/", "/dev/null")
_NOTABLE_IMPORTS = frozenset({"ctypes", "_ctypes", "_posixsubprocess", "cffi", "_cffi_backend", "mmap"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_STDLIB_CODE_BUILDERS = (
    "/collections/__init__.py",
    "/dataclasses.py",
    "<frozen importlib._bootstrap_external>",
)
"""Standard-library callers whose `compile`/`eval` (namedtuple, dataclass) or `marshal.loads` (.pyc) is routine."""
_MAX_FIELD = 600
_UNIT = "\x1f"


def _text(value: "Any") -> str:
    # base-class methods only: formatting through the value's own methods could run the snippet's
    # code inside the hook (an int or str subclass with its own __str__)
    kind = type(value)
    if issubclass(kind, str):
        return str.__str__(value)
    if issubclass(kind, bytes):
        return bytes.decode(value, "utf-8", "surrogateescape")
    if issubclass(kind, int):
        return str(int.__index__(value))
    if kind is float or value is None:
        return str(value)
    if kind is tuple or kind is list:
        return _UNIT.join(_text(item) for item in value[:32])
    return "<" + kind.__name__ + ">"


def _field(value: "Any") -> str:
    return _text(value)[:_MAX_FIELD].encode("utf-8", "surrogateescape").hex()


def _install() -> None:
    try:
        fd = int(os.environ.get("CODEWARD_AUDIT_FD", ""))
    except ValueError:
        return
    key = "-"
    key_fd = os.environ.pop("CODEWARD_AUDIT_KEY_FD", None)
    if key_fd is not None:
        try:
            number = int(key_fd)
            key = os.read(number, 64).decode("ascii", "replace").strip() or "-"
            os.close(number)
        except (ValueError, OSError):
            key = "-"
    getpid, getcwd, write, join, isfile = os.getpid, os.getcwd, os.write, os.path.join, os.path.isfile
    modules = sys.modules
    caller_frame, builders = sys._getframe, _STDLIB_CODE_BUILDERS

    def stdlib(depth: int, endings: "tuple[str, ...]") -> bool:
        try:
            name = caller_frame(depth).f_code.co_filename
        except ValueError:
            return False
        return (
            type(name) is str and name.endswith(endings) and (name[0] == "<" or name.startswith("/usr/lib/"))
        )

    def routine(depth: int) -> bool:
        return stdlib(depth + 1, builders)

    def traceback_source(depth: int) -> bool:
        # printing a traceback parses the failing source line (ast.parse, for the caret marks)
        return stdlib(depth + 1, ("/ast.py",)) and stdlib(depth + 2, ("/traceback.py",))

    watched, quiet, notable, write_flags = _WATCHED, _QUIET_READS, _NOTABLE_IMPORTS, _WRITE_FLAGS
    state: dict[str, Any] = {"pid": 0, "prefix": b"", "open": True}

    def emit(event: str, fields: "list[str]") -> None:
        pid = getpid()
        if pid != state["pid"]:  # a forked child keeps the key: the same hook, in a copy of the process
            state["pid"], state["prefix"] = pid, (key + " " + str(pid) + " ").encode()
        line = state["prefix"] + event.encode() + b" " + " ".join(fields).encode() + b"\n"
        try:
            write(fd, line[:3900])
        except OSError:
            state["open"] = False

    def absolute(path: "Any") -> "Any":
        pathlib = modules.get("pathlib")
        if pathlib is not None and type(path) in (pathlib.PosixPath, pathlib.PurePosixPath):
            path = pathlib.PurePath.__str__(path)  # the stdlib's own classes only, never a subclass
        elif type(path) is bytes:
            path = path.decode("utf-8", "surrogateescape")
        if type(path) is str and path and not path.startswith("/"):
            try:
                return join(getcwd(), path)
            except OSError:
                return path
        return path

    def hook(event: str, args: "Any") -> None:
        if event not in watched or not state["open"]:
            return
        if event == "open":
            path, mode, flags = args
            if type(path) is int:
                return
            path = absolute(path)
            writing = (type(mode) is str and ("w" in mode or "a" in mode or "x" in mode or "+" in mode)) or (
                type(flags) is int and flags & write_flags
            )
            if not writing and type(path) is str and path.startswith(quiet):
                return
            emit("open.w" if writing else "open.r", [_field(path)])
        elif event == "import":
            if args[0] in notable:
                emit(event, [_field(args[0])])
        elif event == "compile":
            source, filename = args[0], args[1]
            if type(filename) is str and filename.startswith("/") and isfile(filename):
                return  # a module being imported, or the snippet itself
            if routine(2) or traceback_source(2):
                return
            emit(event, [_field(source if type(source) in (str, bytes) else "<ast>"), _field(filename)])
        elif event in ("os.rename", "os.symlink", "os.link", "shutil.move"):
            emit(event, [_field(absolute(args[0])), _field(absolute(args[1]))])
        elif event in (
            "os.remove",
            "os.rmdir",
            "os.mkdir",
            "os.chmod",
            "os.chown",
            "os.truncate",
            "shutil.rmtree",
        ):
            emit(event, [_field(absolute(args[0]))] + [_field(a) for a in args[1:3]])
        elif event in ("socket.connect", "socket.sendto", "socket.bind"):
            emit(event, [_field(args[1])])
        elif event == "socket.__new__":
            emit(event, [_field(a) for a in args[1:4]])
        elif event == "marshal.loads":
            if not routine(2):
                emit(event, [])
        elif event != "exec":
            emit(event, [_field(a) for a in args[:4] if type(a) is not dict])

    sys.addaudithook(hook)


_install()
del _install
