"""strace around bwrap: the system calls of every process of the run, read from outside the sandbox.

strace runs in the launcher (outside the sandbox's namespaces), writes one file per process
(`-ff`) into the run's tmpfs, and decodes descriptors to paths (`-y`), which gives each
`*at()` call its directory and each `open` its resolved path. bwrap's own processes (the outer
bwrap and the namespace's init) are set aside; everything else is the snippet.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from codeward.sandbox.tracers.events import Observation

TRACED = (
    "execve,execveat,open,openat,openat2,creat,unlink,unlinkat,rmdir,rename,renameat,renameat2,"
    "mkdir,mkdirat,chmod,fchmod,fchmodat,chown,lchown,fchownat,symlink,symlinkat,link,linkat,truncate,"
    "connect,sendto,bind,socket,clone,clone3,fork,vfork,chdir,fchdir,"
    "ptrace,mount,umount2,unshare,setns,keyctl,add_key,bpf,io_uring_setup,init_module,finit_module,"
    "perf_event_open,process_vm_readv,process_vm_writev,userfaultfd,pivot_root,chroot"
)
_REFUSABLE = frozenset(
    [
        "ptrace",
        "mount",
        "umount2",
        "unshare",
        "setns",
        "keyctl",
        "add_key",
        "bpf",
        "io_uring_setup",
        "init_module",
        "finit_module",
        "perf_event_open",
        "process_vm_readv",
        "process_vm_writev",
        "userfaultfd",
        "pivot_root",
        "chroot",
    ]
)
_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
_ERRNO = re.compile(r"^-1 (E[A-Z0-9]+)")
_FD_PATH = re.compile(r"^(?:AT_FDCWD|-?\d+)<(.*)>$")
_RETURN_PATH = re.compile(r"^\d+<(.*)>")
_PORT = re.compile(r"sin6?_port=htons\((\d+)\)")
_ADDRESS4 = re.compile(r'sin_addr=inet_addr\("([^"]*)"\)')
_ADDRESS6 = re.compile(r'inet_pton\(AF_INET6, "([^"]*)"')
_FAMILY = re.compile(r"sa_family=(AF_\w+)")
_UNIX_PATH = re.compile(r'sun_path=(@?"(?:[^"\\]|\\.)*")')


def command(output_prefix: str, *, seccomp_bpf: bool) -> list[str]:
    """The strace command line to put in front of bwrap."""
    traced = TRACED
    if seccomp_bpf:
        # calls the sandbox's filter refuses never reach a --seccomp-bpf strace: tracing them would
        # only stop bwrap's own set-up (its mounts, pivot_root) on the way
        traced = ",".join(name for name in TRACED.split(",") if name not in _REFUSABLE)
        # strace stops a new process at every call until its first filtered one (it cannot tell
        # that the filter is inherited): glibc's fork child, a new thread and a freshly exec-ed
        # program all call set_robust_list first, so each is on the filter's fast path at once
        # (~30-60 fewer stops per process; ls | wc: 525 -> about 300)
        traced += ",set_robust_list"
    argv = ["strace", "-f", "-ff", "-qq", "-y", "-s", "256", "-e", "signal=none", "-e", f"trace={traced}"]
    if seccomp_bpf:
        argv.append("--seccomp-bpf")
    return [*argv, "-o", output_prefix, "--"]


@dataclass(frozen=True, slots=True)
class _Call:
    name: str
    args: list[str]
    result: str


def read_traces(
    directory: str, prefix: str, *, default_cwd: str, max_lines: int = 200_000
) -> list[Observation]:
    """Every observation of the snippet's processes in the trace files under `directory`.

    Lines are parsed only where they can matter: the outer bwrap's only for its exec and clones,
    the set-up process's from its exec of the interpreter on (bwrap's own set-up is half the
    lines of a short run)."""
    files: dict[int, list[str]] = {}
    budget = max_lines
    for name in sorted(os.listdir(directory)):
        if not name.startswith(prefix + "."):
            continue
        pid_text = name[len(prefix) + 1 :]
        if not pid_text.isdigit():
            continue
        lines = []
        with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as trace:
            for line in trace:
                budget -= 1
                if budget < 0:
                    break
                lines.append(line)
        files[int(pid_text)] = lines
    outer, setup = _bwrap_processes(files)
    observations: list[Observation] = []
    for pid, lines in files.items():
        if pid in outer:
            continue
        if pid in setup:  # bwrap's own mounts and namespaces, until it execs the snippet's interpreter
            first_exec = next(
                (index for index, call in _calls_named(lines, "execve") if _result(call.result) == "ok"),
                len(lines),
            )
            lines = lines[first_exec:]
        calls = [call for line in lines if (call := _parse_line(line)) is not None]
        observations.extend(_observe(pid, calls, default_cwd))
    return observations


def _calls_named(lines: list[str], name: str) -> Iterator[tuple[int, _Call]]:
    """The calls of one name, with their line numbers, parsing no other line."""
    start = name + "("
    for index, line in enumerate(lines):
        if line.startswith(start):
            call = _parse_line(line)
            if call is not None:
                yield index, call


def _bwrap_processes(files: dict[int, list[str]]) -> tuple[set[int], set[int]]:
    """The outer bwrap (it execs bwrap), and the process it clones with CLONE_NEWPID, which sets the
    sandbox up and then (with --as-pid-1) execs the snippet's interpreter as the namespace's pid 1."""
    outer: set[int] = set()
    setup: set[int] = set()
    for pid, lines in files.items():
        first = next((call for _, call in _calls_named(lines, "execve")), None)
        if first is None or not _string(first.args[0] if first.args else "").endswith("/bwrap"):
            continue
        outer.add(pid)
        for _, call in _calls_named(lines, "clone"):
            if any("CLONE_NEWPID" in arg for arg in call.args) and call.result.isdigit():
                setup.add(int(call.result))
    return outer, setup - outer


def _observe(pid: int, calls: list[_Call], default_cwd: str) -> Iterator[Observation]:
    cwd = _first_cwd(calls) or default_cwd
    for call in calls:
        cwd_hint = next(
            (m.group(1) for arg in call.args[:1] if (m := re.match(r"^AT_FDCWD<(.*)>$", arg))), None
        )
        if cwd_hint:
            cwd = cwd_hint
        name, args, result = call.name, call.args, _result(call.result)
        if name in ("chdir", "fchdir"):
            if result == "ok":
                target = _fd_path(args[0]) if name == "fchdir" else _string(args[0])
                cwd = os.path.normpath(os.path.join(cwd, target)) if target else cwd
            continue
        observation = _observation(pid, name, args, result, call.result, cwd)
        if observation is not None:
            yield observation


def _observation(pid: int, name: str, args: list[str], result: str, raw: str, cwd: str) -> Observation | None:
    def seen(name_: str, *values: str) -> Observation:
        return Observation("strace", pid, name_, values, result)

    def path(index: int, dirfd: int | None = None) -> str:
        value = _string(args[index]) if index < len(args) else ""
        base = cwd
        if dirfd is not None and dirfd < len(args):
            base = _fd_path(args[dirfd]) or cwd
        return os.path.normpath(os.path.join(base, value)) if value else base

    if name in ("execve", "execveat"):
        argv = _array(args[2 if name == "execveat" else 1]) if len(args) > 1 else []
        return seen("exec", *(argv or [_string(args[0])]))
    if name in ("open", "openat", "openat2", "creat"):
        dirfd = 0 if name in ("openat", "openat2") else None
        where = path(1 if dirfd == 0 else 0, dirfd)
        returned = _RETURN_PATH.match(raw)
        if returned:
            where = returned.group(1)
        flags = args[2] if name == "openat" and len(args) > 2 else args[1] if len(args) > 1 else ""
        writing = name == "creat" or any(flag in flags for flag in _WRITE_FLAGS)
        if name == "openat" and "O_PATH" in flags:
            return None
        return seen("write" if writing else "read", where)
    if name in ("unlink", "rmdir"):
        return seen("delete" if name == "unlink" else "rmdir", path(0))
    if name == "unlinkat":
        removes_dir = len(args) > 2 and "AT_REMOVEDIR" in args[2]
        return seen("rmdir" if removes_dir else "delete", path(1, 0))
    if name == "rename":
        return seen("rename", path(0), path(1))
    if name in ("renameat", "renameat2"):
        return seen("rename", path(1, 0), path(3, 2))
    if name == "mkdir":
        return seen("mkdir", path(0))
    if name == "mkdirat":
        return seen("mkdir", path(1, 0))
    if name == "chmod":
        return seen("chmod", path(0), args[1] if len(args) > 1 else "")
    if name == "fchmod":
        return seen("chmod", _fd_path(args[0]) or "", args[1] if len(args) > 1 else "")
    if name == "fchmodat":
        return seen("chmod", path(1, 0), args[2] if len(args) > 2 else "")
    if name in ("chown", "lchown"):
        return seen("chown", path(0))
    if name == "fchownat":
        return seen("chown", path(1, 0))
    if name == "symlink":
        return seen("link", path(1), _string(args[0]))
    if name == "symlinkat":
        return seen("link", path(2, 1), _string(args[0]))
    if name == "link":
        return seen("link", path(1), path(0))
    if name == "linkat":
        return seen("link", path(3, 2), path(1, 0))
    if name == "truncate":
        return seen("truncate", path(0))
    if name in ("connect", "sendto", "bind"):
        index = 4 if name == "sendto" else 1
        if index >= len(args) or not args[index].startswith("{"):
            return None
        family, address, port = _sockaddr(args[index])
        return seen({"sendto": "send"}.get(name, name), family, address, port)
    if name == "socket":
        family = args[0] if args else ""
        if result == "ok" and family in ("AF_UNIX", "AF_INET", "AF_INET6", "AF_LOCAL"):
            return None
        return seen("socket", family)
    if name in ("clone", "clone3", "fork", "vfork"):
        return seen("fork")
    if name in _REFUSABLE:
        return seen("refused-call", name)
    return None


def _first_cwd(calls: list[_Call]) -> str | None:
    for call in calls:
        if call.name in ("chdir", "fchdir"):
            return None
        for arg in call.args[:1]:
            match = re.match(r"^AT_FDCWD<(.*)>$", arg)
            if match:
                return match.group(1)
    return None


def _result(raw: str) -> str:
    errno = _ERRNO.match(raw)
    if errno:
        return errno.group(1)
    if raw.startswith("?"):
        return ""
    return "ok"


def _parse_line(line: str) -> _Call | None:
    """`name(arg, arg, …) = result`; None for exit notices and unparseable lines."""
    line = line.rstrip("\n")
    open_paren = line.find("(")
    if open_paren <= 0 or not re.match(r"^[a-z_0-9]+$", line[:open_paren]):
        return None
    args, end = _split_args(line, open_paren + 1)
    if end < 0:
        return None
    rest = line[end + 1 :].strip()
    if not rest.startswith("="):
        return None
    return _Call(line[:open_paren], args, rest[1:].strip())


_ARG_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?$)|[^"()\[\]{},]+|.', re.S)
"""A whole C string (or what is left of an unterminated one), a run of plain text, or one structural character."""


def _split_args(text: str, start: int) -> tuple[list[str], int]:
    """Split top-level arguments from `start` up to the matching `)`; the index of that `)`.

    Token by token rather than character by character: strings and plain runs are skipped whole,
    which makes reading a run's traces several times faster (it is on the path to every report)."""
    args: list[str] = []
    depth = 0
    current = start
    for token in _ARG_TOKEN.finditer(text, start):
        char = token.group()[0]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0 and char == ")":
                index = token.start()
                piece = text[current:index].strip()
                if piece:
                    args.append(piece)
                return args, index
            depth -= 1
        elif char == "," and depth == 0:
            args.append(text[current : token.start()].strip())
            current = token.start() + 1
    return args, -1


def _string(raw: str) -> str:
    """Decode a C string literal as strace prints it (`"a\\nb"`, `"abc"...`); other text unchanged."""
    raw = raw.strip()
    if raw.startswith("@"):
        raw = raw[1:]
    if not raw.startswith('"'):
        return raw
    if "\\" not in raw:  # nothing to decode: up to the closing quote
        end = raw.find('"', 1)
        return raw[1:end] if end > 0 else raw[1:]
    out = bytearray()
    index = 1
    while index < len(raw):
        char = raw[index]
        if char == '"':
            break
        if char == "\\" and index + 1 < len(raw):
            code = raw[index + 1]
            simple = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, "\\": 92, '"': 34, "'": 39}
            if code in simple:
                out.append(simple[code])
                index += 2
                continue
            if code == "x":
                out.append(int(raw[index + 2 : index + 4], 16))
                index += 4
                continue
            digits = re.match(r"[0-7]{1,3}", raw[index + 1 :])
            if digits:
                out.append(int(digits.group(0), 8) & 0xFF)
                index += 1 + len(digits.group(0))
                continue
        out += char.encode()
        index += 1
    return out.decode("utf-8", "surrogateescape")


def _fd_path(raw: str) -> str | None:
    match = _FD_PATH.match(raw.strip())
    return match.group(1) if match else None


def _array(raw: str) -> list[str]:
    raw = raw.strip()
    if not raw.startswith("["):
        return []
    inner = raw[1:-1] if raw.endswith("]") else raw[1:]  # `[...]` may also end in `...` when cut
    items, _ = _split_args(inner + ")", 0)
    return [_string(item) for item in items if item != "..."]


def _sockaddr(raw: str) -> tuple[str, str, str]:
    family = _FAMILY.search(raw)
    name = family.group(1) if family else ""
    if name == "AF_UNIX":
        path = _UNIX_PATH.search(raw)
        if path is None:
            return name, "", ""
        abstract = "@" if path.group(1).startswith("@") else ""  # a name in the abstract namespace
        return name, abstract + _string(path.group(1)), ""
    address = _ADDRESS4.search(raw) or _ADDRESS6.search(raw)
    port = _PORT.search(raw)
    return name, address.group(1) if address else "", port.group(1) if port else ""
