"""The Python analyzer: what a module would do, read from its AST (stdlib `ast`; nothing is run).

One parse (tolerant of syntax errors), one indexing walk, then every call is resolved to the
library function it reaches (through aliases, `getattr`, `__import__` and folded strings) and
judged by a handler; module-level shapes (reverse shells, ransomware, install hooks …) combine
what the handlers saw. Shell command lines and decoded code are handed back to the engine as
payloads, so the shell analyzer judges `os.system("rm -rf /")` exactly as it judges `rm -rf /`.
"""

from __future__ import annotations

import ast
import os
import posixpath
import re

from codeward.analyzers import python_effects as effects
from codeward.analyzers import python_network as network
from codeward.analyzers import python_services as services
from codeward.analyzers import python_shapes as shapes
from codeward.analyzers.python_effects import Call, Handler, Report, Scan
from codeward.analyzers.python_scopes import CallSite, ModuleIndex, ParsedModule, index_module, parse
from codeward.analyzers.python_values import ENV_ALL, Resolver, Value
from codeward.analyzers.rulebook import RuleBook
from codeward.model import Confidence, Context, Finding, Subject

_EXEC_PREFIXES = ("os.exec", "os.spawn", "os.posix_spawn")
_KEY_HOOKS = frozenset(
    {"GetAsyncKeyState", "GetKeyState", "GetKeyboardState", "SetWindowsHookExA", "SetWindowsHookExW"}
)
_INJECTION = frozenset(
    {
        "VirtualAllocEx",
        "WriteProcessMemory",
        "CreateRemoteThread",
        "NtCreateThreadEx",
        "QueueUserAPC",
        "SetThreadContext",
        "ptrace",
    }
)
_SHELLCODE = frozenset({"VirtualAlloc", "RtlMoveMemory", "CreateThread", "VirtualProtect"})
_RANDOM = frozenset(
    [
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "sample",
        "uniform",
        "getrandbits",
        "shuffle",
        "triangular",
        "betavariate",
        "gammavariate",
        "gauss",
        "lognormvariate",
        "normalvariate",
        "paretovariate",
        "vonmisesvariate",
        "weibullvariate",
        "expovariate",
        "randbytes",
    ]
)


# ---------------------------------------------------------------------------------------------- small handlers
def _output(call: Call) -> None:
    if not call.scan.environ:
        return
    values = [call.scan.resolver.resolve(a, call.scope) for a in call.node.args[:10]]
    origins = frozenset().union(*(v.origins for v in values)) if values else frozenset()
    if any(o.kind == ENV_ALL for o in origins):
        call.fact("output", data=Value(origins=origins), note="standard output or a log")


def _json_dump(call: Call) -> None:
    data = call.arg(0, "obj")
    handle = call.arg(1, "fp")
    if data is None:
        return
    if handle is not None and handle.kind == "file" and handle.path:
        call.fact("write_data", Value(text=handle.path), data)
    else:
        call.fact("output", data=data, note="standard output or a log")


def _copy_stream(call: Call) -> None:
    source = call.arg(0, "fsrc")
    handle = call.arg(1, "fdst")
    if source is not None and handle is not None and handle.kind == "file" and handle.path:
        call.fact("write_data", Value(text=handle.path), source)


def _key_hook(call: Call) -> None:
    call.fact("keyhook", note=call.qualname)


def _screen(call: Call) -> None:
    what = "the clipboard" if "lip" in call.qualname or call.qualname.endswith("paste") else "the screen"
    call.fact("screen", note=what)


def _seed(call: Call) -> None:
    node = call.arg_node(0, "a")
    if node is None:
        call.fact("seed", note="system entropy")
        return
    value = call.arg(0, "a")
    text = ast.unparse(node)
    if re.search(r"\btime\b|datetime|now\(|perf_counter|monotonic", text):
        how = "the current time"
    elif re.search(r"urandom\(\s*([0-9]|1[0-5])\s*\)", text):
        how = "a few random bytes (small seed space)"
    elif value is not None and value.exact and (value.text is not None or value.number is not None):
        how = f"the constant {value.shown(40)!r}"
    elif isinstance(node, ast.Constant) and node.value is None:
        call.fact("seed", note="system entropy")
        return
    else:
        how = f"{text[:40]} (chosen by the caller)"
    call.fact("seed", note=how)


def _random(call: Call) -> None:
    call.fact("random", note=call.qualname)


def _hash(call: Call) -> None:
    name = call.qualname.rsplit(".", 1)[-1]
    if name == "update":
        call.fact("hash", note="a fast hash")
    elif call.node.args and name in shapes._FAST_HASHES:
        call.fact("hash", note=name)


def _kdf(call: Call) -> None:
    iterations = call.arg(3, "iterations")
    if iterations is not None and isinstance(iterations.number, int) and iterations.number < 100_000:
        call.fact(
            "kdf",
            note=f"pbkdf2_hmac with only {iterations.number} iterations (use 600,000 or more, or scrypt)",
        )


def _weak_cipher(call: Call) -> None:
    name = (
        call.qualname.split(".")[-2] if call.qualname.endswith(".new") else call.qualname.rsplit(".", 1)[-1]
    )
    mode_node = call.arg_node(1, "mode")
    if name == "AES":
        if mode_node is None or "ECB" not in ast.unparse(mode_node):
            return
        detail = "AES in ECB mode leaks patterns of the plaintext"
    else:
        detail = f"{name} is broken or obsolete; use AES-GCM or ChaCha20-Poly1305"
    call.report("python.crypto.weak_cipher", target=name, detail=detail)


def _setup(call: Call) -> None:
    call.fact("setup")


def _encrypt_file(call: Call) -> None:
    source = call.arg(0, "infile")
    call.fact("encrypt_file", source)


def _port_scanner(call: Call) -> None:
    host = call.arg(0, "hosts")
    call.fact("scan", host, note=host.shown(80) if host is not None else "?")


def _injection(call: Call) -> None:
    function = call.qualname.rsplit(".", 1)[-1]
    if function in _INJECTION:
        call.report(
            "python.proc.inject",
            target=function,
            detail=f"{function}: writes code into or takes control of another process",
        )
    else:
        call.fact("shellcode", note=function)


def _cron_entry(call: Call) -> None:
    command = call.arg(0, "command")
    payload = effects.shell_payload(command, "crontab entry") if command is not None else None
    call.report("python.persist.cron", target="crontab", payload=payload, detail="adds a crontab entry")


def _socket_file_write(call: Call) -> None:
    network.send(call, call.arg(0), network._connected_to(call.scan))


def _unknown_connect(call: Call) -> None:
    address = call.arg(0)
    if (
        address is not None
        and address.items
        and len(address.items) == 2
        and isinstance(address.items[1].number, int)
    ):
        network.socket_connect(call)


HANDLERS: dict[str, Handler] = {
    # processes
    **dict.fromkeys(
        (
            "os.system",
            "os.popen",
            "os.popen2",
            "os.popen3",
            "os.popen4",
            "commands.getoutput",
            "commands.getstatusoutput",
            "subprocess.getoutput",
            "subprocess.getstatusoutput",
            "platform.popen",
            "asyncio.create_subprocess_shell",
            "pexpect.run",
            "pexpect.spawn",
            "ctypes.CDLL.system",
        ),
        effects.os_system,
    ),
    **dict.fromkeys(
        (
            "subprocess.run",
            "subprocess.call",
            "subprocess.check_call",
            "subprocess.check_output",
            "subprocess.Popen",
        ),
        effects.subprocess_call,
    ),
    "asyncio.create_subprocess_exec": effects.exec_family,
    "pty.spawn": effects.pty_spawn,
    "os.dup2": effects.dup2,
    **dict.fromkeys(("os.fork", "os.forkpty", "pty.fork"), effects.fork),
    "multiprocessing.Process.start": effects.process_start,
    **dict.fromkeys(("os.kill", "os.killpg"), effects.kill),
    **dict.fromkeys(
        ("psutil.Process.kill", "psutil.Process.terminate", "psutil.Process.send_signal"),
        effects.process_kill,
    ),
    # code
    **dict.fromkeys(("builtins.exec", "builtins.eval", "builtins.execfile"), effects.exec_code),
    **dict.fromkeys(
        (
            "pickle.load",
            "pickle.loads",
            "pickle.Unpickler",
            "marshal.load",
            "marshal.loads",
            "jsonpickle.decode",
            "yaml.load",
            "yaml.load_all",
            "yaml.unsafe_load",
            "yaml.unsafe_load_all",
            "yaml.full_load",
            "yaml.full_load_all",
            "shelve.open",
            "pandas.read_pickle",
            "torch.load",
            "joblib.load",
            "numpy.load",
        ),
        effects.deserialize,
    ),
    # files
    **dict.fromkeys(("builtins.open", "io.open", "codecs.open", "pathlib.Path.open"), effects.open_file),
    **dict.fromkeys(("file.write", "file.writelines"), effects.file_write),
    **dict.fromkeys(("pathlib.Path.write_text", "pathlib.Path.write_bytes"), effects.path_write),
    **dict.fromkeys(("pathlib.Path.read_text", "pathlib.Path.read_bytes"), effects.path_read),
    **dict.fromkeys(
        (
            "shutil.copy",
            "shutil.copy2",
            "shutil.copyfile",
            "shutil.copytree",
            "shutil.move",
            "os.rename",
            "os.replace",
        ),
        effects.copy_file,
    ),
    **dict.fromkeys(
        (
            "os.listdir",
            "os.scandir",
            "os.walk",
            "glob.glob",
            "glob.iglob",
            "pathlib.Path.iterdir",
            "pathlib.Path.glob",
            "pathlib.Path.rglob",
        ),
        effects.listing,
    ),
    "sqlite3.connect": effects.connect_database,
    **dict.fromkeys(("zipfile.ZipFile.write", "zipfile.ZipFile.add"), effects.archive_add),
    "shutil.rmtree": effects.delete_tree,
    **dict.fromkeys(
        ("os.remove", "os.unlink", "os.rmdir", "os.removedirs", "pathlib.Path.unlink", "pathlib.Path.rmdir"),
        effects.delete_file,
    ),
    **dict.fromkeys(("os.chmod", "os.lchmod", "pathlib.Path.chmod"), effects.chmod),
    "shutil.copyfileobj": _copy_stream,
    # network
    **dict.fromkeys(
        ("socket.socket.connect", "socket.socket.connect_ex", "socket.create_connection"),
        network.socket_connect,
    ),
    **dict.fromkeys(
        (
            "socket.socket.bind",
            "socket.socket.listen",
            "socket.socket.accept",
            "socket.create_server",
            "http.server.HTTPServer",
            "http.server.ThreadingHTTPServer",
            "socketserver.TCPServer",
            "socketserver.UDPServer",
            "socketserver.ThreadingTCPServer",
        ),
        network.socket_listen,
    ),
    **dict.fromkeys(
        (
            "socket.socket.send",
            "socket.socket.sendall",
            "socket.socket.sendto",
            "socket.socket.sendmsg",
            "socket.socket.sendfile",
        ),
        network.socket_send,
    ),
    "socket.file.write": _socket_file_write,
    **dict.fromkeys(
        (
            *(f"requests.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "request")),
            *(f"requests.Session.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "request")),
            *(f"httpx.{m}" for m in ("get", "post", "put", "patch", "delete", "request", "stream")),
            "urllib.request.urlopen",
            "urllib3.request",
        ),
        network.http_request,
    ),
    "http.client.HTTPConnection.request": network.http_connection_request,
    **dict.fromkeys(("urllib.request.urlretrieve", "wget.download"), network.download_to),
    **dict.fromkeys(("ftplib.FTP.storbinary", "ftplib.FTP.storlines"), network.ftp_store),
    **dict.fromkeys(("smtplib.SMTP.sendmail", "smtplib.SMTP.send_message"), network.smtp_send),
    "paramiko.SFTPClient.put": network.sftp_put,
    "paramiko.SSHClient.connect": network.ssh_connect,
    "telnetlib.Telnet.write": network.telnet_write,
    "nmap.PortScanner.scan": _port_scanner,
    # shapes' raw material
    **dict.fromkeys(
        (
            "pynput.keyboard.Listener",
            "pynput.keyboard.Events",
            "keyboard.on_press",
            "keyboard.on_release",
            "keyboard.hook",
            "keyboard.record",
            "keyboard.start_recording",
            "pyxhook.HookManager",
            "pyHook.HookManager",
            "win32api.GetAsyncKeyState",
        ),
        _key_hook,
    ),
    **dict.fromkeys(
        (
            "PIL.ImageGrab.grab",
            "PIL.ImageGrab.grabclipboard",
            "pyautogui.screenshot",
            "pyscreenshot.grab",
            "mss.mss.grab",
            "mss.mss.shot",
            "pyperclip.paste",
            "win32clipboard.GetClipboardData",
        ),
        _screen,
    ),
    "random.seed": _seed,
    **{f"random.{name}": _random for name in _RANDOM},
    **dict.fromkeys((*tuple(f"hashlib.{name}" for name in shapes._FAST_HASHES), "hash.update"), _hash),
    "hashlib.pbkdf2_hmac": _kdf,
    **dict.fromkeys(
        (
            "Crypto.Cipher.DES.new",
            "Crypto.Cipher.ARC4.new",
            "Crypto.Cipher.Blowfish.new",
            "Crypto.Cipher.AES.new",
            "Crypto.Cipher.ARC2.new",
        ),
        _weak_cipher,
    ),
    **dict.fromkeys(("setuptools.setup", "distutils.core.setup"), _setup),
    "pyAesCrypt.encryptFile": _encrypt_file,
    "crontab.CronTab.new": _cron_entry,
    **dict.fromkeys(("builtins.print", "pprint.pprint", "sys.stdout.write", "stdin.write"), _output),
    **{f"logging.{level}": _output for level in ("debug", "info", "warning", "error", "critical", "log")},
    **dict.fromkeys(("json.dump", "yaml.dump", "pickle.dump"), _json_dump),
}


_METHOD_NAMES = frozenset(
    {name.rsplit(".", 1)[-1] for name in HANDLERS}
    | _KEY_HOOKS
    | _INJECTION
    | _SHELLCODE
    | {"connect", "system", "delete"}
    | services.SQL_METHODS
    | services.CLOUD_DESTROY.keys()
    | services.PWN_SENDS
    | {name for name in dir(os) if name.startswith(("exec", "spawn", "posix_spawn"))}
)
"""The last part of every name a handler is registered for: other method calls are skipped unresolved."""


def handler_for(qualname: str) -> Handler | None:
    handler = HANDLERS.get(qualname)
    if handler is not None:
        return handler
    if qualname.startswith(_EXEC_PREFIXES):
        return effects.exec_family
    if qualname.startswith(("ctypes.", "win32api.", "?.")):
        function = qualname.rsplit(".", 1)[-1]
        if function in _KEY_HOOKS:
            return _key_hook
        if function in _INJECTION or function in _SHELLCODE:
            return _injection
        if function == "system" and qualname.startswith("ctypes."):
            return effects.os_system
    if qualname == "?.connect":
        return _unknown_connect
    return _service_handler(qualname)


def _service_handler(qualname: str) -> Handler | None:
    function = qualname.rsplit(".", 1)[-1]
    if function in services.SQL_METHODS:
        return services.sql_execute
    if function in services.CLOUD_DESTROY:
        return services.cloud_destroy
    if function == "delete":
        return services.collection_delete
    if qualname in ("pwn.remote", "pwnlib.tubes.remote.remote"):
        return services.pwn_remote
    if qualname.startswith("pwn.tube.") and function in services.PWN_SENDS:
        return services.pwn_send
    return None


def _inert_name(scan: Scan, name: str) -> bool:
    """True when a call of the plain name `name` cannot reach a handler: no scope binds, imports or
    takes it as a parameter, so it names the same thing everywhere (a builtin, a module-local
    function, nothing), and that has no handler. Such a name is never evasive: `getattr`, `eval`,
    `__import__` … reach handlers through the calls made with their results, which are still judged."""
    inert = scan.inert_names.get(name)
    if inert is None:
        if name in scan.index.bound_names():
            inert = False
        else:
            ref = scan.resolver.unbound(name).ref
            inert = ref is None or handler_for(ref) is None
        scan.inert_names[name] = inert
    return inert


def _equivalent_calls(scan: Scan, site: CallSite) -> list[CallSite]:
    """Plain calls that a call makes in a roundabout way: `map(os.system, cmds)` is `os.system(cmd)` for
    each command, `operator.methodcaller('system', c)(os)` is `os.system(c)`, `f(*['a', 'b'])` is `f('a', 'b')`."""
    node = site.node
    func, arguments = node.func, node.args
    if not arguments:
        return []
    kind = type(func)
    name = func.id if kind is ast.Name else func.attr if kind is ast.Attribute else None  # type: ignore[attr-defined]
    if name != "map" and kind is not ast.Call and not any(type(a) is ast.Starred for a in arguments):
        return []  # none of the shapes below: a starred literal, map(f, xs), methodcaller(…)(x)
    made: list[ast.Call] = []
    if any(isinstance(a, ast.Starred) and isinstance(a.value, ast.List | ast.Tuple) for a in node.args):
        flat = [e for a in node.args for e in (a.value.elts if _literal_star(a) else [a])]  # type: ignore[attr-defined]
        made.append(ast.Call(func=node.func, args=flat[:20], keywords=node.keywords))
    if isinstance(node.func, ast.Name | ast.Attribute) and len(node.args) == 2:
        function = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        if function == "map" and scan.resolver.callee(node, site.scope).ref == "builtins.map":
            iterable = node.args[1]
            elements = iterable.elts if isinstance(iterable, ast.List | ast.Tuple) else [iterable]
            made += [ast.Call(func=node.args[0], args=[element], keywords=[]) for element in elements[:8]]
    if isinstance(node.func, ast.Call) and node.func.args and len(node.args) == 1:
        maker = node.func
        if scan.resolver.callee(maker, site.scope).ref == "operator.methodcaller":
            name = scan.resolver.resolve(maker.args[0], site.scope).known_text
            if name and name.isidentifier():
                method = ast.Attribute(value=node.args[0], attr=name, ctx=ast.Load())
                made.append(ast.Call(func=method, args=maker.args[1:], keywords=maker.keywords))
    return [
        CallSite(
            ast.fix_missing_locations(ast.copy_location(call, node)), site.scope, site.loops, site.guards
        )
        for call in made
    ]


def _literal_star(argument: ast.expr) -> bool:
    return isinstance(argument, ast.Starred) and isinstance(argument.value, ast.List | ast.Tuple)


class PythonAnalyzer:
    """Reads Python source for what it would do to the machine, its secrets and the network."""

    name = "python"
    languages = frozenset({"python"})

    def __init__(self, rulebook: RuleBook) -> None:
        self._rulebook = rulebook

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        parsed = parse(subject.content)
        index = index_module(parsed)
        try:
            return self._analyze(subject, parsed, index)
        finally:
            index.release()

    def _analyze(self, subject: Subject, parsed: ParsedModule, index: ModuleIndex) -> list[Finding]:
        scan = Scan(index, Resolver(index), environ="environ" in subject.content)
        for site in index.calls:
            self._judge_call(scan, site)
        network.network_writes(scan)
        shapes.remote_shells(scan)
        shapes.remote_payloads(scan)
        shapes.mass_encryption(scan)
        shapes.input_capture(scan)
        shapes.fork_bombs(scan)
        shapes.process_kills(scan)
        shapes.port_scans(scan)
        shapes.install_hooks(scan, setup_script=posixpath.basename(subject.path or "") == "setup.py")
        shapes.environment_dumps(scan)
        shapes.protected_attributes(scan)
        shapes.weak_randomness(scan)
        shapes.password_hashes(scan)
        shapes.reduce_gadgets(scan)
        services.exploits(scan)
        shellcode = scan.of("shellcode")
        if len({fact.note for fact in shellcode}) >= 2:
            scan.report(
                "python.proc.inject",
                shapes.lines_of(shellcode),
                index.line_text(shellcode[0].line),
                target="shellcode",
                detail="allocates memory, copies bytes into it and runs them as code",
            )
        unresolved = any(  # something runs code or a command line this analysis could not recover
            (r.rule == "python.exec.dynamic" and r.payload is None)
            or (r.rule == "python.proc.shell_command" and r.target == "?")
            for r in scan.reports
        )
        shapes.encoded_blobs(scan, has_dynamic_sink=unresolved)
        for gap in parsed.gaps:
            scan.report(
                "python.analysis.incomplete",
                [gap.first],
                index.line_text(gap.first),
                target=f"line {gap.first}" if gap.first == gap.last else f"lines {gap.first}-{gap.last}",
                detail=f"{gap.reason}; only the pattern tier read these lines",
            )
        if scan.resolver.exhausted:
            scan.report(
                "python.analysis.incomplete",
                [],
                "analysis budget reached",
                target="budget",
                detail="the module is too intricate to fold completely; values past the analysis budget are unknown",
            )
        return self._findings(scan.reports)

    def _judge_call(self, scan: Scan, site: CallSite, *, rewrite: bool = True) -> None:
        if rewrite:
            for equivalent in _equivalent_calls(scan, site):
                self._judge_call(scan, equivalent, rewrite=False)
        func = site.node.func
        kind = type(func)
        if kind is ast.Attribute:
            if func.attr not in _METHOD_NAMES:  # type: ignore[attr-defined]
                return  # no handler ends with this name: `x.strip()` needs no resolving
        elif kind is ast.Name and _inert_name(scan, func.id):  # type: ignore[attr-defined]
            return  # `len(x)`: a builtin, local function or unknown name that no handler judges
        callee = scan.resolver.callee(site.node, site.scope)
        for candidate in callee.candidates():
            qualname = candidate.ref
            if qualname is None:
                continue
            handler = handler_for(qualname)
            if handler is not None:
                handler(Call(scan, site, qualname, candidate))
            if candidate.evasive and (
                handler is not None or qualname.startswith(("builtins.", "os.", "subprocess."))
            ):
                self._evasion(scan, site, qualname, candidate.evasive, dangerous=handler is not None)

    def _evasion(self, scan: Scan, site: CallSite, qualname: str, route: str, *, dangerous: bool) -> None:
        if not dangerous and qualname not in (
            "builtins.eval",
            "builtins.exec",
            "builtins.compile",
            "builtins.__import__",
        ):
            return
        built = "(= " in route
        scan.report(
            "python.exec.obfuscated",
            [site.line],
            scan.index.line_text(site.line),
            target=qualname,
            confidence=Confidence.HIGH if built else Confidence.MEDIUM,
            detail=f"reaches {qualname} through {route}",
        )

    def _findings(self, reports: list[Report]) -> list[Finding]:
        best: dict[tuple[str, str | None, str | None, tuple[int, ...]], Finding] = {}
        for report in reports:
            finding = self._rulebook.finding(
                report.rule,
                lines=report.lines,
                evidence=report.evidence,
                target=report.target,
                scope=report.scope,
                severity=report.severity,
                confidence=report.confidence,
                capability=report.capability,
                detail=report.detail,
                language="python",
                payload=report.payload,
            )
            key = (finding.rule_id, finding.capability, finding.target, tuple(finding.lines))
            current = best.get(key)
            if current is None or finding.risk > current.risk:
                if current is not None and finding.payload is None:
                    finding.payload = current.payload
                best[key] = finding
        return list(best.values())
