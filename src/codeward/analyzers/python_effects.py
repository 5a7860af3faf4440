"""What library calls do: processes, files, code execution and deserialisation, judged by their arguments.

Each handler reads one call site (its arguments folded by the Resolver), reports what it does as a
Report for the rulebook, and records Facts that the module-level shapes (reverse shell, ransomware,
install hooks …) combine. Network calls live in python_network.py, shapes in python_shapes.py.
"""

from __future__ import annotations

import ast
import pickletools
import posixpath
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

import re2

from codeward.analyzers import targets
from codeward.analyzers.python_scopes import CallSite, ModuleIndex, Scope
from codeward.analyzers.python_values import (
    DECODE_STEPS,
    FILE,
    INPUT,
    NETWORK,
    SECRET,
    SOCKET,
    Resolver,
    Value,
    argument_node,
    file_origin,
)
from codeward.model import Confidence, Payload, Severity

C, H, M, L, I = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO  # noqa: E741
SHELLS = frozenset(
    {
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "ash",
        "mksh",
        "fish",
        "csh",
        "tcsh",
        "cmd",
        "cmd.exe",
        "powershell",
        "pwsh",
        "powershell.exe",
    }
)
MAX_PAYLOAD = 200_000


@dataclass(slots=True)
class Report:
    """A finding to be, by rule id: the analyzer turns it into a Finding through the rulebook."""

    rule: str
    lines: list[int]
    evidence: str
    target: str | None = None
    scope: str | None = None
    severity: Severity | None = None
    confidence: Confidence | None = None
    capability: str | None = None
    detail: str | None = None
    payload: Payload | None = None


@dataclass(slots=True)
class Fact:
    """Something a call does that a shape may combine with other facts (a connect, a dup2, a write)."""

    kind: str
    site: CallSite
    value: Value | None = None
    data: Value | None = None
    note: str = ""

    @property
    def line(self) -> int:
        return self.site.line


@dataclass(slots=True)
class Scan:
    """The state of one module's analysis: what was reported, and the facts for the shapes."""

    index: ModuleIndex
    resolver: Resolver
    reports: list[Report] = field(default_factory=list)
    facts: dict[str, list[Fact]] = field(default_factory=dict)
    environ: bool = True
    """False when the source never mentions `environ`: output calls then cannot dump it."""
    inert_names: dict[str, bool] = field(default_factory=dict)
    """Plain names whose calls need no resolving (python._inert_name), memoised for this module only."""

    def report(self, rule: str, lines: list[int], evidence: str, **fields: object) -> None:
        self.reports.append(Report(rule, lines, evidence, **fields))  # type: ignore[arg-type]

    def fact(
        self, kind: str, site: CallSite, value: Value | None = None, data: Value | None = None, note: str = ""
    ) -> None:
        self.facts.setdefault(kind, []).append(Fact(kind, site, value, data, note))

    def of(self, kind: str) -> list[Fact]:
        return self.facts.get(kind, [])


@dataclass(slots=True)
class Call:
    """One call site with what it calls resolved."""

    scan: Scan
    site: CallSite
    qualname: str
    callee: Value

    @property
    def node(self) -> ast.Call:
        return self.site.node

    @property
    def line(self) -> int:
        return self.site.node.lineno

    @property
    def scope(self) -> Scope:
        return self.site.scope

    @property
    def receiver(self) -> Value | None:
        return self.callee.bound

    @property
    def evidence(self) -> str:
        return self.scan.index.line_text(self.line) or self.qualname

    def arg(self, position: int | None, keyword: str | None = None) -> Value | None:
        return self.scan.resolver.argument(self.node, position, keyword, self.scope, None)

    def arg_node(self, position: int | None, keyword: str | None = None) -> ast.expr | None:
        return argument_node(self.node, position, keyword)

    def report(self, rule: str, **fields: object) -> None:
        lines = fields.pop("lines", None) or [self.line]
        evidence = fields.pop("evidence", None) or self.evidence
        self.scan.report(rule, lines, str(evidence), **fields)  # type: ignore[arg-type]

    def fact(self, kind: str, value: Value | None = None, data: Value | None = None, note: str = "") -> None:
        self.scan.fact(kind, self.site, value, data, note)


Handler = Callable[[Call], None]


# ---------------------------------------------------------------------------------------------- command lines
def command_line(argv: list[Value]) -> str:
    """`shlex.join` of the arguments; parts only known at run time stay `${name}` inside double quotes."""
    words = []
    for word in argv:
        if word.text is not None and word.exact:
            words.append(shlex.quote(word.text))
        elif word.number is not None:
            words.append(str(word.number))
        else:
            text = word.text if word.text is not None else "${arg}"
            words.append('"' + re.sub(r'(["\\`])', r"\\\1", text) + '"')
    return " ".join(words)


def program_name(word: Value | None) -> str:
    if word is None or word.text is None:
        return "?"
    return posixpath.basename(word.text.strip().split(" ")[0]) or "?"


def _shown_command(text: str) -> str:
    return text if len(text) <= 200 else text[:199] + "…"


def shell_payload(command: Value, origin: str) -> Payload | None:
    if command.text is None or not command.text.strip() or len(command.text) > MAX_PAYLOAD:
        return None
    text = (
        command.text.encode("latin-1", "replace").decode("utf-8", "replace")
        if command.binary
        else command.text
    )
    return Payload(language="bash", content=text, origin=origin)


def run_command_line(call: Call, command: Value, origin: str) -> None:
    """A command line handed to a shell: report it with the line as a bash payload for the shell analyzer."""
    for candidate in command.candidates():
        call.fact("spawn", candidate, note="shell")
        text = candidate.text
        if text is None:
            call.report(
                "python.proc.shell_command",
                target="?",
                confidence=Confidence.MEDIUM,
                detail="the command line is only known at run time",
            )
        else:
            first = text.strip().split(" ")[0] if text.strip() else "?"
            call.report(
                "python.proc.shell_command",
                target=posixpath.basename(first) or first,
                evidence=_shown_command(text),
                payload=shell_payload(candidate, origin),
                confidence=Confidence.HIGH if candidate.exact else Confidence.MEDIUM,
            )
            if posixpath.basename(first) in SHELLS and len(text.split()) <= 2:
                call.fact("shell", candidate)
        _tainted_command(call, candidate)
        if candidate.steps and set(candidate.steps) & DECODE_STEPS and candidate.text:
            obfuscated(call, candidate, "bash", origin=None)


def run_program(call: Call, argv: list[Value], origin: str) -> None:
    """A program run without a shell: the equivalent command line goes to the shell analyzer too."""
    if not argv:
        call.report("python.proc.run_program", target="?", confidence=Confidence.MEDIUM)
        return
    program = program_name(argv[0])
    line = command_line(argv)
    merged = Value(
        text=line,
        exact=all(word.exact for word in argv),
        origins=frozenset().union(*(w.origins for w in argv)),
    )
    call.fact("spawn", merged, note="argv")
    if program in SHELLS and not any(word.text in ("-c", "/c", "-Command", "-command") for word in argv[1:]):
        call.fact("shell", merged)
        call.report(
            "python.proc.shell_command",
            target=program,
            evidence=line,
            detail="starts an interactive shell",
            severity=L,
        )
    else:
        call.report(
            "python.proc.run_program",
            target=program,
            evidence=_shown_command(line),
            payload=shell_payload(merged, origin),
            confidence=Confidence.HIGH if merged.exact else Confidence.MEDIUM,
        )
    _tainted_command(call, merged, shell=False)
    for word in argv:
        if word.steps and set(word.steps) & DECODE_STEPS:
            obfuscated(call, merged, "bash", origin=None)
            break


def _tainted_command(call: Call, command: Value, *, shell: bool = True) -> None:
    for origin in command.origins if shell else ():
        if origin.kind == INPUT:
            call.report(
                "python.code.command_injection",
                target=origin.detail,
                detail=f"the command line includes {origin.detail} (line {origin.line or call.line})",
            )
            break
    if any(origin.kind in (NETWORK, SOCKET) for origin in command.origins):
        call.fact("exec_remote", command)


# ---------------------------------------------------------------------------------------------- processes
def os_system(call: Call) -> None:
    command = call.arg(0, "command") or call.arg(None, "cmd")
    if command is None:
        return
    run_command_line(call, command, f"{call.qualname} argument")


def subprocess_call(call: Call) -> None:
    args = call.arg(0, "args")
    if args is None:
        return
    shell = call.arg(None, "shell")
    for candidate in args.candidates():
        if shell is not None and shell.number:
            if candidate.items:
                run_command_line(call, candidate.items[0], f"{call.qualname} argument (shell=True)")
            else:
                run_command_line(call, candidate, f"{call.qualname} argument (shell=True)")
            continue
        if candidate.items is not None:
            run_program(call, list(candidate.items), f"{call.qualname} argument list")
        elif candidate.text is not None and candidate.exact:
            try:
                words = shlex.split(candidate.text)
            except ValueError:
                words = candidate.text.split()
            run_program(call, [Value(text=w, exact=True) for w in words], f"{call.qualname} argument")
        else:
            run_program(call, [candidate], f"{call.qualname} argument")
    streams = {k.arg: k.value for k in call.node.keywords if k.arg in ("stdin", "stdout", "stderr")}
    for stream in ("stdin", "stdout", "stderr") if streams else ():
        given = call.scan.resolver.resolve(streams.get(stream), call.scope)
        if given.kind in ("socket.fd", "socket.socket", "socket.file"):
            call.fact("socket_stdio", given, note=stream)
    piped = [
        node for node in (call.arg_node(None, "stdin"), call.arg_node(None, "stdout")) if node is not None
    ]
    interactive = any(fact.site is call.site for fact in call.scan.of("shell"))
    if interactive and len(piped) == 2 and all(ast.unparse(node).endswith("PIPE") for node in piped):
        call.fact("piped_shell", note=call.qualname)  # an interactive shell the module talks to


def exec_family(call: Call) -> None:
    """os.exec*, os.spawn*, os.posix_spawn and asyncio.create_subprocess_exec: a program and its argv."""
    name = call.qualname.rsplit(".", 1)[-1]
    first = 1 if name.startswith("spawn") else 0
    program = call.arg(first)
    if name.startswith(("execl", "spawnl")) or name == "create_subprocess_exec":
        rest = [call.scan.resolver.resolve(node, call.scope) for node in call.node.args[first + 1 :]]
        if name.endswith("e") and rest:
            rest = rest[:-1]
        arguments = rest if name == "create_subprocess_exec" else rest[1:]
    else:
        vector = call.arg(first + 1)
        arguments = list(vector.items[1:]) if vector is not None and vector.items else []
    run_program(call, [program or Value(), *arguments], f"{call.qualname} arguments")


def pty_spawn(call: Call) -> None:
    argv = call.arg(0, "argv")
    if argv is None:
        return
    words = list(argv.items) if argv.items else [argv]
    call.fact("shell", words[0], note="pty")
    call.report(
        "python.proc.shell_command",
        target=program_name(words[0]),
        detail="starts a shell on a pseudo-terminal",
        severity=L,
    )


def dup2(call: Call) -> None:
    source = call.arg(0)
    target_node = call.arg_node(1)
    target = call.arg(1)
    if source is None or source.kind not in ("socket.fd", "socket.socket"):
        return
    numbers = {v.number for v in target.candidates() if isinstance(v.number, int)} if target else set()
    if not numbers and target_node is not None:  # a loop over (0, 1, 2) binds each in turn
        text = ast.unparse(target_node)
        numbers = {n for n, name in enumerate(("stdin", "stdout", "stderr")) if name in text}
    for number in sorted(numbers):
        call.fact("dup2", source, note=str(number))


def fork(call: Call) -> None:
    call.fact("fork")


def process_start(call: Call) -> None:
    call.fact("fork", note="process")


def kill(call: Call) -> None:
    pid = call.arg(0, "pid")
    name = call.qualname.rsplit(".", 1)[-1]
    if name == "killpg":
        call.fact("kill", pid, note="process group")
        return
    if pid is None:
        return
    if pid.number == -1:
        call.fact("kill", pid, note="every process")
    elif pid.number == 1:
        call.fact("kill", pid, note="init (PID 1)")
    elif pid.number == 0:
        call.fact("kill", pid, note="its own process group")
    elif pid.kind == "psutil.pid" or call.site.loops:
        call.fact("kill", pid, note="loop")
    elif isinstance(call.arg_node(0), ast.Call) and "getppid" in ast.unparse(
        call.arg_node(0) or ast.Constant(0)
    ):
        call.fact("kill", pid, note="its parent process")


def process_kill(call: Call) -> None:
    call.fact("kill", call.receiver, note="loop" if call.site.loops else "one process")


# ---------------------------------------------------------------------------------------------- code execution
def exec_code(call: Call) -> None:
    code = call.arg(0, "source") or call.arg(0, "object")
    if code is None:
        return
    for candidate in code.candidates():
        if candidate.wrapper == "code" and candidate.wrapped is not None:
            candidate = candidate.wrapped
        judge_code(call, candidate)


def judge_code(call: Call, code: Value) -> None:
    """exec/eval of a value: constants become a python payload; fetched or typed-in text is named as such."""
    name = call.qualname.rsplit(".", 1)[-1]
    remote = [o for o in code.origins if o.kind in (NETWORK, SOCKET)]
    if remote:
        call.fact("exec_remote", code)
        return
    files = [o for o in code.origins if o.kind in (FILE, SECRET) and o.detail]
    if files and code.text is None:
        call.fact("exec_file", code, note=files[0].detail)
        call.report(
            "python.exec.dynamic",
            target=files[0].detail,
            severity=L,
            detail=f"{name} runs the code in {files[0].detail}",
        )
        return
    typed = [o for o in code.origins if o.kind == INPUT]
    if typed:
        call.report(
            "python.exec.dynamic",
            target=typed[0].detail,
            confidence=Confidence.HIGH,
            detail=f"{name} runs whatever {typed[0].detail} supplies",
        )
        return
    if code.text is None or not code.exact:
        partial = code.text is not None and len(code.text.replace("${", "")) > 8
        call.report(
            "python.exec.dynamic",
            target="?",
            confidence=Confidence.MEDIUM,
            detail=f"{name} of a value built at run time",
            payload=python_payload(code, f"{name} argument") if partial else None,
        )
        return
    if set(code.steps) & DECODE_STEPS or code.evasive:
        obfuscated(call, code, "python", origin=f"{name} argument")
        return
    call.report(
        "python.exec.dynamic",
        target=name,
        severity=L,
        evidence=_shown_command(code.text),
        detail=f"{name} of a constant string (judged as Python below)",
        payload=python_payload(code, f"{name} argument"),
    )


def python_payload(code: Value, origin: str) -> Payload | None:
    if code.text is None or len(code.text) > MAX_PAYLOAD:
        return None
    text = code.text.encode("latin-1", "replace").decode("utf-8", "replace") if code.binary else code.text
    return Payload(language="python", content=text, origin=origin)


def obfuscated(call: Call, code: Value, language: str, *, origin: str | None) -> None:
    """Code recovered by undoing an encoding or string building: report the decoded text."""
    text = code.text or ""
    if code.binary:
        text = text.encode("latin-1", "replace").decode("utf-8", "replace")
    chain = " -> ".join(code.steps) or "string building"
    payload = None
    if origin is not None:
        payload = (
            Payload(language=language, content=text, origin=f"{chain} ({origin})")
            if text and len(text) <= MAX_PAYLOAD
            else None
        )
    call.report(
        "python.exec.obfuscated",
        target=chain,
        evidence=_shown_command(text),
        detail=f"decoded: {_shown_command(text)[:160]}",
        payload=payload,
    )


# ---------------------------------------------------------------------------------------------- deserialisation
_DANGEROUS_GLOBALS = re.compile(
    r"^(os|posix|nt|subprocess|builtins|__builtin__|commands|pty|socket|runpy|importlib|webbrowser|platform) "
    r"(system|popen\w*|exec\w*|spawn\w*|Popen|call|check_call|check_output|run|getoutput|eval|exec|compile|"
    r"__import__|getattr|open|run_path|import_module|connect)$"
)


def deserialize(call: Call) -> None:
    name = call.qualname
    data = call.arg(0)
    if name.startswith("yaml.") and not _unsafe_yaml(call):
        return
    if name in ("torch.load",):
        weights_only = call.arg(None, "weights_only")
        if weights_only is not None and weights_only.number:
            return
    if name == "numpy.load":
        allow = call.arg(None, "allow_pickle")
        if allow is None or not allow.number:
            return
    if data is not None and any(o.kind in (NETWORK, SOCKET) for o in data.origins):
        call.fact("exec_remote", data, note="deserialize")
        return
    if (
        data is not None
        and data.text is not None
        and data.binary
        and data.exact
        and name.startswith("pickle.")
    ) and _pickle_gadget(call, data):
        return
    call.report("python.exec.deserialize", target=name)


def _unsafe_yaml(call: Call) -> bool:
    name = call.qualname.rsplit(".", 1)[-1]
    if name in ("unsafe_load", "unsafe_load_all"):
        return True
    if name in ("full_load", "full_load_all"):
        return True
    if name not in ("load", "load_all"):
        return False
    loader_node = call.arg_node(1, "Loader")
    if loader_node is None:
        return True
    loader = ast.unparse(loader_node)
    return not re.search(r"Safe|BaseLoader", loader)


def _pickle_gadget(call: Call, data: Value) -> bool:
    """A constant pickle is read opcode by opcode (pickletools, nothing runs) for calls to os.system and kin."""
    raw = (data.text or "").encode("latin-1", "replace")[:200_000]
    strings: list[str] = []
    dangerous: list[str] = []
    try:
        for opcode, argument, _ in pickletools.genops(raw):
            if opcode.name in ("GLOBAL", "INST") and isinstance(argument, str):
                if _DANGEROUS_GLOBALS.match(argument):
                    dangerous.append(argument.replace(" ", "."))
            elif isinstance(argument, str | bytes) and opcode.name.endswith(("UNICODE", "STRING", "BYTES")):
                strings.append(argument.decode("latin-1") if isinstance(argument, bytes) else argument)
            elif (
                opcode.name == "STACK_GLOBAL"
                and len(strings) >= 2
                and _DANGEROUS_GLOBALS.match(f"{strings[-2]} {strings[-1]}")
            ):
                dangerous.append(f"{strings[-2]}.{strings[-1]}")
    except (ValueError, KeyError, IndexError, OverflowError):  # malformed: judge what was read before it
        pass
    if not dangerous:
        return False
    function = dangerous[0]
    argument = next((s for s in strings if s not in function.split(".") and s.strip()), None)
    call.report(
        "python.exec.deserialize",
        target=function,
        severity=H if argument is None else M,  # a known argument is judged as the payload below
        confidence=Confidence.HIGH,
        detail=f"the pickle calls {function}({argument!r}) when it is loaded",
    )
    if argument is not None:
        language = "python" if function.endswith(("eval", "exec", "compile")) else "bash"
        origin = f"argument of {function} inside a pickle"
        payload = Payload(language=language, content=argument, origin=origin)
        rule = "python.exec.dynamic" if language == "python" else "python.proc.shell_command"
        call.report(
            rule,
            target=function,
            evidence=argument,
            payload=payload,
            detail=f"run by unpickling ({function})",
        )
    return True


# ---------------------------------------------------------------------------------------------- files
_SSHD_WEAK = re.compile(
    r"(PermitRootLogin\s+(yes|without-password)|PasswordAuthentication\s+yes|PermitEmptyPasswords\s+yes)",
    re.I,
)
_SELINUX_OFF = re.compile(r"SELINUX\s*=\s*(disabled|permissive)", re.I)
# RE2: they read whatever the code writes into a shell startup file; in `re`, a run of blank lines
# makes `^\s*` quadratic (20,000 newlines: 6 s).
_ALIAS = re2.compile(r"(?m)^\s*alias\s+(?:--\s+)?([A-Za-z_][\w.+-]*)=")
_FUNCTION = re2.compile(r"(?m)^\s*(?:function\s+([A-Za-z_][\w.+-]*)|([A-Za-z_][\w.+-]*)\s*\(\s*\))\s*\{?")


def open_file(call: Call) -> None:
    path = call.arg(0, "file")
    mode_value = call.arg(1, "mode")
    if call.qualname == "pathlib.Path.open":
        path = call.receiver
        mode_value = call.arg(0, "mode")
    if path is None:
        return
    mode = mode_value.known_text if mode_value is not None else "r"
    mode = mode if mode is not None else "?"
    for candidate in path.candidates():
        if candidate.text is None:
            continue
        if "r" in mode or "+" in mode or mode == "?":
            read_path(call, candidate)
        if any(flag in mode for flag in "wax+"):
            write_path(call, candidate, None, truncate="w" in mode)


def read_path(call: Call, path: Value, *, how: str = "reads") -> None:
    text = path.text
    if text is None:
        return
    if path.climbs:
        call.report(
            "python.fs.path_traversal",
            target=targets.normalise(text),
            detail=f"the path {text} climbs out of its base directory",
        )
    probe = text if not path.tree else text.rstrip("/") + "/*"
    capability = targets.credential_capability(probe)
    shown = targets.normalise(text)
    if capability is not None:
        call.report(
            "python.cred.read_credentials",
            target=shown,
            scope=targets.CREDENTIAL,
            capability=capability,
            confidence=Confidence.HIGH if path.exact else Confidence.MEDIUM,
            detail=None if how == "reads" else how,
        )
        call.fact("read", path, note=capability)
    elif targets.is_sensitive_system_file(text):
        call.report(
            "python.fs.read_sensitive",
            target=shown,
            scope=targets.SYSTEM,
            detail=None if how == "reads" else how,
        )
        call.fact("read", path, note="sensitive")
    else:
        call.fact("read", path)


def write_path(call: Call, path: Value, data: Value | None, *, truncate: bool = False) -> None:
    """Judge a write by where it lands; ordinary files in the project, /tmp and the home folder are not findings."""
    text = path.text
    if text is None:
        return
    call.fact("write", path, data)
    if path.climbs:
        call.report(
            "python.fs.path_traversal",
            target=targets.normalise(text),
            detail=f"the path {text} climbs out of its base directory",
        )
    shown = targets.normalise(text)
    role = targets.write_role(text)
    content = data.text if data is not None and data.text is not None else ""
    scope = targets.scope(text)
    if role == "device":
        call.report("python.sys.disk_overwrite", target=shown, scope=targets.DEVICE)
    elif role == "startup":
        call.report("python.persist.shell_startup", target=shown, scope=scope)
        _poisoned_alias(call, shown, content)
    elif role == "authorized_keys":
        call.report("python.persist.authorized_keys", target=shown, scope=scope)
    elif role == "cron":
        call.report("python.persist.cron", target=shown, scope=scope, payload=_cron_payload(data))
    elif role == "service":
        call.report("python.persist.service", target=shown, scope=scope)
    elif role == "accounts":
        call.report(
            "python.proc.privilege",
            target=shown,
            scope=targets.SYSTEM,
            detail=f"writes {shown}, the system's accounts and privileges",
        )
    elif role == "preload":
        call.report(
            "python.proc.privilege",
            target=shown,
            scope=targets.SYSTEM,
            capability="proc.inject",
            detail="every program will load the library named here",
        )
    elif role == "sshd" and _SSHD_WEAK.search(content):
        call.report(
            "python.sys.sshd_weaken", target=shown, scope=targets.SYSTEM, evidence=content.strip()[:200]
        )
    elif role == "selinux" and _SELINUX_OFF.search(content):
        call.report(
            "python.sys.security_disable", target=shown, scope=targets.SYSTEM, evidence=content.strip()[:200]
        )
    elif role in ("history", "log") and truncate and not content.strip():
        call.report("python.sys.history_wipe", target=shown, scope=scope)
    elif scope in (targets.SYSTEM, targets.ROOT):
        loaded = targets.read_by_the_system(shown)
        call.report(
            "python.fs.write_system",
            target=shown,
            scope=targets.SYSTEM,
            severity=H if loaded else M,
            capability=None if loaded else "fs.write",  # parked, not a change to how the system runs
            detail=None if loaded else "a new file in a system tree, not a place the system reads from",
        )


def _poisoned_alias(call: Call, path: str, content: str) -> None:
    names = [m.group(1) for m in _ALIAS.finditer(content)]
    names += [m.group(1) or m.group(2) for m in _FUNCTION.finditer(content) if (m.group(1) or m.group(2))]
    common = [name for name in names if name in targets.COMMON_COMMANDS]
    if common:
        call.report(
            "python.persist.shell_alias",
            target=path,
            evidence=content.strip()[:200],
            detail=f"redefines {', '.join(sorted(set(common)))} for every new shell",
            payload=Payload(language="bash", content=content, origin=f"text written to {path}")
            if len(content) <= MAX_PAYLOAD
            else None,
        )


def _cron_payload(data: Value | None) -> Payload | None:
    if data is None or data.text is None:
        return None
    commands = []
    for line in data.text.splitlines():
        fields = line.split(None, 5)
        if len(fields) == 6 and not line.lstrip().startswith("#"):
            commands.append(fields[5])
    if not commands:
        return None
    return Payload(language="bash", content="\n".join(commands), origin="crontab entry")


def file_write(call: Call) -> None:
    """`f.write(data)` on a file opened earlier: judge the data written (alias lines, crontab entries)."""
    receiver = call.receiver
    if receiver is None or receiver.path is None:
        return
    data = call.arg(0)
    if data is None:
        return
    path = receiver.path
    call.fact("write_data", Value(text=path), data)
    role = targets.write_role(path)
    content = data.text or ""
    if role == "startup":
        _poisoned_alias(call, targets.normalise(path), content)
    elif role == "cron":
        payload = _cron_payload(data)
        if payload is not None:
            call.report("python.persist.cron", target=targets.normalise(path), payload=payload)
    elif role == "sshd" and _SSHD_WEAK.search(content):
        call.report(
            "python.sys.sshd_weaken",
            target=targets.normalise(path),
            scope=targets.SYSTEM,
            evidence=content.strip()[:200],
        )
    elif role == "selinux" and _SELINUX_OFF.search(content):
        call.report(
            "python.sys.security_disable",
            target=targets.normalise(path),
            scope=targets.SYSTEM,
            evidence=content.strip()[:200],
        )


def path_write(call: Call) -> None:
    receiver = call.receiver
    if receiver is None:
        return
    data = call.arg(0, "data")
    for candidate in receiver.candidates():
        write_path(call, candidate, data, truncate=True)
        if data is not None and candidate.text is not None:
            call.fact("write_data", candidate, data)


def path_read(call: Call) -> None:
    receiver = call.receiver
    if receiver is None:
        return
    for candidate in receiver.candidates():
        read_path(call, candidate)


def copy_file(call: Call) -> None:
    source = call.arg(0, "src")
    destination = call.arg(1, "dst")
    if source is not None:
        for candidate in source.candidates():
            read_path(call, candidate, how="copies")
    if destination is not None:
        data = (
            Value(origins=frozenset({file_origin(source.text, call.line)}))
            if source is not None and source.text
            else None
        )
        for candidate in destination.candidates():
            write_path(call, candidate, data)
            if data is not None:
                call.fact("write_data", candidate, data)
    if call.qualname in ("shutil.move", "os.rename", "os.replace") and source is not None:
        call.fact("delete", source, note="moved")


def listing(call: Call) -> None:
    directory = call.arg(0, "path") or call.arg(0, "pathname")
    if call.qualname.startswith("pathlib.") and call.receiver is not None:
        directory = call.receiver
    if directory is None or directory.text is None:
        call.fact("enumerate", directory)
        return
    call.fact("enumerate", directory)
    capability = targets.credential_capability(directory.text.rstrip("/*") + "/")
    capability = capability or targets.credential_capability(directory.text)
    if capability is not None:  # names, not contents: reading an entry is judged where it is read
        call.report(
            "python.fs.read_sensitive",
            target=targets.normalise(directory.text),
            scope=targets.CREDENTIAL,
            severity=L,
            confidence=Confidence.MEDIUM,
            detail=f"lists the names in {directory.text}, a folder of credentials",
        )


def connect_database(call: Call) -> None:
    path = call.arg(0, "database")
    if path is not None:
        for candidate in path.candidates():
            read_path(call, candidate, how="opens the database")


def archive_add(call: Call) -> None:
    path = call.arg(0, "filename") or call.arg(0, "name")
    if path is not None:
        for candidate in path.candidates():
            read_path(call, candidate, how="archives")


# ---------------------------------------------------------------------------------------------- deletion and permissions
def delete_tree(call: Call) -> None:
    path = call.arg(0, "path")
    if path is None:
        return
    for candidate in path.candidates():
        delete(call, candidate, recursive=True)


def delete_file(call: Call) -> None:
    path = call.arg(0, "path")
    if call.qualname.startswith("pathlib.") and call.receiver is not None:
        path = call.receiver
    if path is None:
        return
    for candidate in path.candidates():
        delete(call, candidate, recursive=False)


def delete(call: Call, path: Value, *, recursive: bool) -> None:
    text = path.text
    call.fact("delete", path, note="recursive" if recursive else "")
    if text is None:
        call.report(
            "python.fs.delete_file",
            target="?",
            scope=targets.UNKNOWN,
            severity=I,
            confidence=Confidence.LOW,
            detail="the path is only known at run time",
        )
        return
    if path.climbs:
        call.report(
            "python.fs.path_traversal",
            target=targets.normalise(text),
            detail=f"the path {text} climbs out of its base directory",
        )
    tree = path.tree
    if tree is not None or recursive:
        target = tree if tree is not None else text
        if tree is None and path.many:  # rmtree of every entry of a directory
            target = (posixpath.dirname(text) or ".").rstrip("/") + "/*"
        how = (
            "every file found by walking the tree is removed" if tree is not None and not recursive else None
        )
        _delete_tree_report(call, target, path, how)
        return
    if path.many:
        directory = posixpath.dirname(text) or "."
        target = directory.rstrip("/") + "/*"
        scope = targets.scope(target)
        call.report(
            "python.fs.delete_file",
            target=target,
            scope=scope,
            detail=f"deletes every entry of {directory}",
            severity=M,
        )
        return
    shown = targets.normalise(text)
    scope = targets.scope(text)
    if targets.credential_capability(text) is not None or targets.is_sensitive_system_file(text):
        call.report("python.fs.delete_sensitive", target=shown, scope=scope, severity=C)
    elif scope in (targets.SYSTEM, targets.ROOT) and not _harmless_system(text):
        call.report(
            "python.fs.delete_sensitive",
            target=shown,
            scope=scope,
            severity=H,
            detail=f"deletes the system file {shown}",
        )
    else:
        severity = I if scope == targets.UNKNOWN else L if scope in (targets.PROJECT, targets.TEMP) else M
        confidence = Confidence.HIGH if path.exact else Confidence.LOW
        call.report(
            "python.fs.delete_file", target=shown, scope=scope, severity=severity, confidence=confidence
        )


def _harmless_system(path: str) -> bool:
    text = targets.normalise(path)
    return text.startswith(("/var/tmp", "/var/cache", "/proc/", "/sys/"))


def _delete_tree_report(call: Call, target: str, path: Value, how: str | None) -> None:
    shown = targets.normalise(target)
    scope = targets.scope(shown)
    severity = C if scope in (targets.ROOT, targets.HOME, targets.SYSTEM) else None
    confidence = Confidence.HIGH if path.exact or path.tree else Confidence.MEDIUM
    if scope == targets.UNKNOWN:
        confidence = Confidence.MEDIUM
    call.report(
        "python.fs.delete_tree",
        target=shown,
        scope=scope,
        severity=severity,
        confidence=confidence,
        detail=how,
    )


def chmod(call: Call) -> None:
    path = call.arg(0, "path")
    mode = call.arg(1, "mode")
    if call.qualname.startswith("pathlib.") and call.receiver is not None:
        path, mode = call.receiver, call.arg(0, "mode")
    if path is None or mode is None or not isinstance(mode.number, int):
        return
    bits = mode.number
    for candidate in path.candidates():
        if bits & 0o111:
            call.fact("chmod_exec", candidate)
        if not bits & 0o002 and not bits & 0o6000:
            continue
        text = candidate.tree or candidate.text or "?"
        shown = targets.normalise(text)
        scope = targets.scope(shown)
        what = "world-writable" if bits & 0o002 else "setuid/setgid"
        severity = M if scope in (targets.PROJECT, targets.TEMP) else H
        if scope in (targets.ROOT, targets.SYSTEM, targets.HOME) and candidate.tree:
            severity = C
        call.report(
            "python.fs.chmod_permissive",
            target=shown,
            scope=scope,
            severity=severity,
            detail=f"mode {oct(bits)}: {what}" + (" (every file of the tree)" if candidate.tree else ""),
        )
