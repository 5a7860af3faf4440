"""Commands as the shell runs them: the real program behind wrappers, and its options parsed.

`sudo -u x env A=1 timeout 5 /bin/rm -r -f /` runs `rm` with `-r -f /`. Pattern filters are
bypassed exactly by such wrappers, program paths and flag spellings, so every check sees the
program and arguments only after they are normalised here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from codeward.analyzers.shell_words import EMPTY, NOTHING, Stream, Value, literal
from codeward.model import Confidence, Payload, Severity

SHELLS = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash", "fish", "csh", "tcsh", "rbash"}
)

# interpreter -> (its language for a payload, the options that take inline code)
INTERPRETERS: dict[str, tuple[str, frozenset[str]]] = {
    "python": ("python", frozenset({"-c"})),
    "pypy": ("python", frozenset({"-c"})),
    "perl": ("perl", frozenset({"-e", "-E"})),
    "ruby": ("ruby", frozenset({"-e"})),
    "node": ("javascript", frozenset({"-e", "--eval", "-p", "--print"})),
    "bun": ("javascript", frozenset({"-e", "--eval"})),
    "php": ("php", frozenset({"-r"})),
    "lua": ("lua", frozenset({"-e"})),
    "pwsh": ("powershell", frozenset({"-c", "-command"})),
    "powershell": ("powershell", frozenset({"-c", "-command"})),
    "osascript": ("applescript", frozenset({"-e"})),
    "rscript": ("r", frozenset({"-e"})),
}

NETWORK_TOOLS = frozenset(
    {"nc", "ncat", "netcat", "telnet", "socat", "openssl", "curl", "wget", "ssh", "cryptcat"}
)


@dataclass(slots=True)
class Call:
    """One command about to run, after wrappers and nesting are seen through."""

    program: str
    """Normalised name: `rm` for `/bin/rm`, `\\rm`, `"r""m"` and `$'\\x72\\x6d'`; `python` for `python3.11`."""
    path: str
    """The program as the shell resolves it (`/bin/rm`, `./install.sh`)."""
    args: list[Value]
    lines: list[int]
    evidence: str
    node: Any
    stdin: Stream = NOTHING
    via: tuple[str, ...] = ()
    """Wrappers and nesting it runs through, outermost first: `sudo`, `bash -c`, `find -exec`."""
    socket_in: str | None = None
    socket_out: str | None = None
    """The host when standard input or output is wired to a network socket (`/dev/tcp/…`)."""
    name: Value = field(default_factory=lambda: EMPTY)
    background: bool = False
    items: list[Value] | None = None
    """Arguments that `xargs` or `find -exec` will supply from their input."""

    @property
    def privileged(self) -> bool:
        return any(w in ("sudo", "doas", "pkexec", "run0") for w in self.via)

    def note(self) -> str | None:
        """How the command is reached, for a message: `via sudo, bash -c`."""
        return f"via {', '.join(self.via)}" if self.via else None


class Scan(Protocol):
    """What a program check may ask of the walk that found the command."""

    def report(
        self,
        rule_id: str,
        call: Call,
        *,
        target: str | None = None,
        scope: str | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        capability: str | None = None,
        detail: str | None = None,
        payload: Payload | None = None,
        evidence: str | None = None,
    ) -> None: ...

    def run_code(self, call: Call, code: Value | Stream, language: str, origin: str) -> None:
        """The command runs `code` (a shell string, stdin fed to an interpreter, a decoded blob)."""
        ...

    def run_argv(self, call: Call, argv: list[Value], via: str, items: list[Value] | None = None) -> Stream:
        """The command runs another command line (find -exec, xargs, ssh host cmd, watch)."""
        ...

    def record_download(self, path: str, url: str) -> None: ...

    def downloaded_from(self, path: str) -> str | None: ...

    def record_encryption(self, path: str, tool: str) -> None: ...

    def encrypted_with(self, path: str) -> str | None:
        """The tool that encrypted `path` earlier in the script, if any (`openssl enc -in …`, `gpg -c …`)."""
        ...

    def assign(self, name: str, value: Value) -> None: ...

    def variable(self, name: str) -> Value | None: ...

    def absolute(self, value: Value) -> Value:
        """A relative path joined to the directory an earlier `cd` moved to (`cd / && rm -rf *`)."""
        ...

    def enclosing_text(self, call: Call) -> str:
        """The text of the loop or function around the command, for what selects its targets."""
        ...


@dataclass(slots=True)
class Options:
    flags: set[str] = field(default_factory=set)
    values: dict[str, list[Value]] = field(default_factory=dict)
    operands: list[Value] = field(default_factory=list)

    def has(self, *names: str) -> bool:
        return not self.flags.isdisjoint(names) or not self.values.keys().isdisjoint(names)

    def get(self, *names: str) -> Value | None:
        for name in names:
            found = self.values.get(name)
            if found:
                return found[-1]
        return None

    def all(self, *names: str) -> list[Value]:
        values = self.values
        if not values:
            return []
        return [value for name in names if name in values for value in values[name]]


def parse_options(
    args: Iterable[Value], takes_value: frozenset[str] = frozenset(), *, stop_at_operand: bool = False
) -> Options:
    """getopt with GNU permutation: `-rf`, `-r -f`, `--recursive`, `--out=x`, `-ox`, `--` all understood."""
    parsed = Options()
    items = list(args)
    index = 0
    while index < len(items):
        value = items[index]
        token = value.text
        index += 1
        if token == "--" and value.known:
            parsed.operands.extend(items[index:])
            break
        if not token.startswith("-") or token == "-" or not value.known:
            parsed.operands.append(value)
            if stop_at_operand:
                parsed.operands.extend(items[index:])
                break
            continue
        if token.startswith("--"):
            name, equals, rest = token.partition("=")
            if equals:
                parsed.values.setdefault(name, []).append(literal(rest))
            elif name in takes_value and index < len(items):
                parsed.values.setdefault(name, []).append(items[index])
                index += 1
            else:
                parsed.flags.add(name)
            continue
        if token in takes_value:  # whole-token options such as find's -name or java's -cp
            if index < len(items):
                parsed.values.setdefault(token, []).append(items[index])
                index += 1
            continue
        for position in range(1, len(token)):
            option = "-" + token[position]
            if option in takes_value:
                rest = token[position + 1 :]
                if rest:
                    parsed.values.setdefault(option, []).append(literal(rest))
                elif index < len(items):
                    parsed.values.setdefault(option, []).append(items[index])
                    index += 1
                break
            parsed.flags.add(option)
    return parsed


_VERSIONED = re.compile(r"^(python|pip|perl|ruby|node|php|lua|pypy|pwsh)[0-9.]*$")
_RENAMED = {"nodejs": "node", "pip3": "pip", "ncat": "ncat", "nc.traditional": "nc", "nc.openbsd": "nc"}


@lru_cache(maxsize=4096)
def program_name(path: str) -> str:
    base = path.rsplit("/", 1)[-1].lstrip("\\")
    lowered = base.lower() if base.lower() in ("rscript", "powershell") else base
    versioned = _VERSIONED.match(lowered)
    if versioned:
        return versioned.group(1)
    return _RENAMED.get(lowered, lowered)


# wrapper -> the options that take a value. A wrapper runs the command that follows its options.
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset(
        {"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-R", "--user", "--group", "--host"}
        | {"--prompt", "--chdir", "--role", "--type", "--other-user", "--close-from", "--chroot"}
    ),
    "doas": frozenset({"-u", "-C"}),
    "pkexec": frozenset({"--user"}),
    "run0": frozenset({"--user", "-u"}),
    "gosu": frozenset(),
    "su-exec": frozenset(),
    "env": frozenset({"-u", "-C", "-P", "--unset", "--chdir"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "--class", "--classdata"}),
    "nohup": frozenset(),
    "setsid": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e", "--input", "--output", "--error"}),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "command": frozenset(),
    "builtin": frozenset(),
    "exec": frozenset({"-a"}),
    "chroot": frozenset({"--userspec", "--groups"}),
    "strace": frozenset({"-o", "-e", "-p", "-s", "-u", "-E", "-a", "-b", "-I", "-O", "-S", "-P", "-X"}),
    "ltrace": frozenset({"-o", "-e", "-p", "-s", "-u", "-a", "-n", "-l"}),
    "nsenter": frozenset(
        {"-t", "-S", "-G", "-r", "-w", "--target", "--setuid", "--setgid", "--root", "--wd"}
    ),
    "unshare": frozenset({"--setgroups", "--map-user", "--map-group", "--propagation", "-S", "-G"}),
    "runuser": frozenset({"-u", "-g", "-G", "--user", "--group"}),
    "taskset": frozenset(),
    "numactl": frozenset(),
    "cgexec": frozenset({"-g"}),
    "chrt": frozenset(),
    "caffeinate": frozenset({"-t", "-w"}),
    "torsocks": frozenset(),
    "torify": frozenset(),
    "proxychains": frozenset({"-f"}),
    "proxychains4": frozenset({"-f"}),
    "firejail": frozenset(),
    "fakeroot": frozenset(),
    "catchsegv": frozenset(),
    "xvfb-run": frozenset({"-s", "-n", "-e", "-f", "-p", "--server-args", "--server-num"}),
    "dbus-run-session": frozenset(),
    "systemd-run": frozenset({"-u", "-p", "-E", "-M", "-H", "--unit", "--property", "--setenv", "--uid"}),
    "unbuffer": frozenset(),
    "doppler": frozenset(),
    "watchexec": frozenset(),
    "then": frozenset(),
}
# wrappers whose first operand is theirs, not the command's
_WRAPPER_OPERANDS = {"timeout": 1, "chroot": 1, "gosu": 1, "su-exec": 1, "taskset": 1, "chrt": 1}


def strip_wrappers(argv: list[Value]) -> tuple[list[Value], list[str]]:
    """The command a wrapper chain runs, and the wrappers (`sudo`, `env`, `timeout`, …) it went through.

    `command -v x` and `sudo -l` only ask questions: they come back as an empty command line.
    """
    via: list[str] = []
    for _ in range(16):
        if not argv:
            break
        name = program_name(argv[0].text)
        if name == "busybox" and len(argv) > 1:
            via.append("busybox")
            argv = argv[1:]
            continue
        if name == "env":
            argv, stop = _strip_env(argv[1:])
            via.append("env")
            if stop:
                return [], via
            continue
        spec = _WRAPPERS.get(name)
        if spec is None:
            break
        rest = argv[1:]
        if name == "command" and any(v.text in ("-v", "-V") for v in rest[:2]):
            return [], via
        if name == "sudo" and any(
            v.text in ("-l", "-v", "-k", "-K", "--list", "--validate") for v in rest[:3]
        ):
            return [], via
        if name == "nice" and rest and rest[0].text.startswith("-") and rest[0].text[1:].isdigit():
            rest = rest[1:]
        if name in ("taskset", "numactl", "chrt", "firejail", "torsocks"):
            while rest and rest[0].text.startswith("-"):
                rest = rest[1:]
        parsed = parse_options(rest, spec, stop_at_operand=True)
        operands = parsed.operands
        skip = _WRAPPER_OPERANDS.get(name, 0)
        if name == "time" and not operands:
            break
        via.append(name)
        argv = operands[skip:]
        if name in ("sudo", "doas", "run0") and not argv and parsed.has("-s", "-i", "--shell", "--login"):
            return [literal("sh")], via
        if name == "chroot" and not argv:
            return [literal("sh")], via
    return argv, via


def _strip_env(args: list[Value]) -> tuple[list[Value], bool]:
    index = 0
    while index < len(args):
        text = args[index].text
        if text in ("-u", "-C", "-P", "--unset", "--chdir"):
            index += 2
            continue
        if text in ("-S", "--split-string"):
            if index + 1 < len(args):
                split = [literal(part) for part in args[index + 1].text.split()]
                return split + args[index + 2 :], False
            return [], True
        if text.startswith("-S") and len(text) > 2:
            return [literal(part) for part in text[2:].split()] + args[index + 1 :], False
        if text == "--":
            index += 1
            break
        if text.startswith("-") or ("=" in text and not text.startswith("=")):
            index += 1
            continue
        break
    rest = args[index:]
    return rest, not rest


def host_of(address: str) -> str:
    """The host of a URL or `user@host:path`, for a message."""
    text = address
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.split("/", 1)[0]
    return text.rsplit("@", 1)[-1] or address


def is_url(text: str) -> bool:
    lowered = text[:12].lower()
    return lowered.startswith(("http://", "https://", "ftp://", "ftps://", "tftp://", "file://"))
