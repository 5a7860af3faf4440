"""Shapes that no single call shows: facts from several calls of one module, combined.

A reverse shell is a connect, a dup2 of the socket onto 0/1/2 and a shell; ransomware is files
found by walking a tree, encrypted, written and the originals removed; a keylogger is worse with a
network send in the same module. Each shape reads the facts the call handlers recorded.
"""

from __future__ import annotations

import ast
import re

from codeward.analyzers import decoding, targets
from codeward.analyzers.python_effects import Fact, Scan
from codeward.analyzers.python_scopes import PROTECTED_KEYS, Scope
from codeward.analyzers.python_values import ENCRYPTED, ENV_ALL, NETWORK, SOCKET, Value
from codeward.analyzers.shell_system import SYSTEM_DAEMONS
from codeward.model import Confidence, Payload, Severity

C, H, M, L, I = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO  # noqa: E741
_DAEMON_NAME = re.compile(r"^[a-z][a-z0-9_.-]{2,}d$|daemon|^(systemd|sshd|kube|docker|containerd)", re.I)
"""Unix names its services `…d` (sshd, cupsd, mongod) or `…-daemon`: killing one by name stops a service."""


def is_system_process(name: str) -> bool:
    """A process name that belongs to a system or shared service (the shell analyzer's list, or a daemon's name)."""
    return name.lower() in SYSTEM_DAEMONS or _DAEMON_NAME.search(name) is not None


_SECRET_WORDS = frozenset(
    [
        "key",
        "keygen",
        "apikey",
        "secret",
        "token",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "salt",
        "nonce",
        "otp",
        "pin",
        "iv",
        "credential",
        "credentials",
        "session",
        "sessionid",
        "csrf",
    ]
)
_PASSWORD = re.compile(r"(?i)passw|pwd|passphrase|^pw$|_pw$|^pass$|_pass$|password")
_FAST_HASHES = frozenset(
    {
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha3_256",
        "sha3_512",
        "blake2b",
        "blake2s",
        "new",
    }
)
_CODE_HINTS = re.compile(
    r"\b(import |exec\(|eval\(|os\.system|subprocess|socket|def |lambda |__import__|curl |wget |bash |/bin/sh|rm -rf|nc -e|chmod )"
)


def lines_of(*groups: list[Fact]) -> list[int]:
    return sorted({fact.line for group in groups for fact in group})


# ---------------------------------------------------------------------------------------------- remote control
def remote_shells(scan: Scan) -> None:
    connects, listens = scan.of("connect"), scan.of("listen")
    dup2s, shells, stdio = scan.of("dup2"), scan.of("shell"), scan.of("socket_stdio")
    wired_fds = {int(fact.note) for fact in dup2s if fact.note.isdigit()} & {0, 1, 2}
    socket_commands = [
        f
        for f in scan.of("exec_remote")
        if f.value is not None and any(o.kind == SOCKET for o in f.value.origins)
    ]
    piped = scan.of("piped_shell")
    if (len(wired_fds) >= 2 or stdio) and (shells or stdio):
        how = "wires a socket to the standard input and output of a shell"
        _remote_shell(scan, connects, listens, [*dup2s, *stdio, *shells], how)
    elif piped and (connects or listens) and scan.of("send"):
        how = "pipes an interactive shell's input and output through a socket"
        _remote_shell(scan, connects, listens, piped, how)
    elif socket_commands:
        how = "runs commands received on a socket"
        _remote_shell(scan, connects, listens, socket_commands, how)


def _remote_shell(scan: Scan, connects: list[Fact], listens: list[Fact], facts: list[Fact], how: str) -> None:
    reverse = bool(connects) or not listens
    ends = connects if reverse else listens
    target = ends[0].note if ends else "a socket peer"
    scan.report(
        "python.proc.reverse_shell" if reverse else "python.proc.bind_shell",
        lines_of(ends[:1], facts),
        scan.index.line_text(facts[0].line),
        target=target,
        scope=targets.REMOTE,
        confidence=Confidence.HIGH if ends else Confidence.MEDIUM,
        detail=f"{how}, {'connected to' if reverse else 'listening on'} {target}",
    )


def remote_payloads(scan: Scan) -> None:
    """Fetched content that is run: directly (exec of a response), or as a file saved then executed."""
    for fact in scan.of("exec_remote"):
        value = fact.value
        if value is None:
            continue
        fetched = [o for o in value.origins if o.kind == NETWORK]
        if not fetched:
            continue
        how = "deserialises" if fact.note == "deserialize" else "runs"
        scan.report(
            "python.exec.remote_payload",
            sorted({fact.line, fetched[0].line} - {0}),
            scan.index.line_text(fact.line),
            target=fetched[0].detail,
            scope=targets.REMOTE,
            detail=f"{how} what it fetched from {fetched[0].detail} (line {fetched[0].line})",
        )
    downloads = [fact for fact in scan.of("download") if fact.value is not None and fact.value.text]
    if not downloads:
        return
    for fact in [*scan.of("spawn"), *scan.of("exec_file")]:
        command = fact.value.text if fact.value is not None and fact.value.text else fact.note
        for download in downloads:
            path = download.value.text if download.value is not None else None
            if path and _mentions(command, path):
                scan.report(
                    "python.exec.remote_payload",
                    sorted({download.line, fact.line}),
                    scan.index.line_text(fact.line),
                    target=download.note,
                    scope=targets.REMOTE,
                    detail=f"runs {path}, downloaded from {download.note} at line {download.line}",
                )
                break


def _mentions(command: str, path: str) -> bool:
    if not command:
        return False
    if path in command:
        return True
    name = path.rsplit("/", 1)[-1]
    return (
        len(name) >= 3
        and "${" not in name
        and re.search(r"(^|[\s/'\"])" + re.escape(name) + r"($|[\s'\"])", command) is not None
    )


# ---------------------------------------------------------------------------------------------- malware shapes
def mass_encryption(scan: Scan) -> None:
    encrypted = [
        f
        for f in scan.of("write_data")
        if f.data is not None and any(o.kind == ENCRYPTED for o in f.data.origins)
    ]
    encrypted += scan.of("encrypt_file")
    if not encrypted:
        return
    walked = [f for f in encrypted if f.value is not None and (f.value.tree or f.value.many)]
    reads = [f for f in scan.of("read") if f.value is not None and (f.value.tree or f.value.many)]
    if not walked and not reads:
        return
    removed = [f for f in scan.of("delete") if f.value is not None and (f.value.tree or f.value.many)]
    read_paths = {f.value.text for f in reads if f.value is not None}
    in_place = [f for f in encrypted if f.value is not None and f.value.text in read_paths]
    if not removed and not in_place:
        return
    root = next(
        (f.value.tree for f in [*walked, *reads, *removed] if f.value is not None and f.value.tree), None
    )
    root = root or next(
        (f.value.text for f in [*walked, *reads] if f.value is not None and f.value.text), "?"
    )
    shown = targets.normalise(root) if root else "?"
    how = "deletes the originals" if removed else "overwrites them in place"
    scan.report(
        "python.crypto.mass_encrypt",
        lines_of(encrypted[:1], removed[:1] or in_place[:1]),
        scan.index.line_text(encrypted[0].line),
        target=shown,
        scope=targets.scope(shown),
        detail=f"every file found there is encrypted and the module {how}",
    )


def input_capture(scan: Scan) -> None:
    sends = scan.of("send")
    written = [f for f in scan.of("write") if f.value is not None]
    for fact in scan.of("keyhook"):
        if sends:
            severity, confidence, extra = (
                C,
                Confidence.HIGH,
                f"; the module also sends data to {sends[0].note} (line {sends[0].line})",
            )
        elif written or scan.of("write_data"):
            severity, confidence, extra = H, Confidence.HIGH, "; the module also writes a file"
        else:
            severity, confidence, extra = H, Confidence.MEDIUM, ""
        scan.report(
            "python.input.keylogger",
            [fact.line],
            scan.index.line_text(fact.line),
            target=fact.note,
            severity=severity,
            confidence=confidence,
            detail=f"a global keyboard hook{extra}",
        )
    for fact in scan.of("screen"):
        severity = H if sends else M
        extra = f"; the module also sends data to {sends[0].note}" if sends else ""
        scan.report(
            "python.input.screen_capture",
            [fact.line],
            scan.index.line_text(fact.line),
            target=fact.note,
            severity=severity,
            detail=extra.lstrip("; ") or None,
        )


def fork_bombs(scan: Scan) -> None:
    endless = {id(loop) for loop, _ in scan.index.infinite_loops}
    for fact in scan.of("fork"):
        if any(id(loop) in endless for loop in fact.site.loops):
            scan.report(
                "python.resource.fork_bomb",
                [fact.line],
                scan.index.line_text(fact.line),
                target="processes",
                detail="forks inside a loop that never ends: the process table fills and the machine stops responding",
            )


def process_kills(scan: Scan) -> None:
    for fact in scan.of("kill"):
        note = fact.note
        detail: str | None = None
        if note == "loop":
            names = _guard_strings(fact)
            daemons = sorted(name for name in names if is_system_process(name))
            if daemons:
                severity, target, detail = (
                    H,
                    ", ".join(daemons),
                    "system services: every matching process is killed",
                )
            elif not names:
                severity, target, detail = H, "every process", "every process it can reach, in a loop"
            else:
                severity, target = M, ", ".join(sorted(names)[:5])
        elif note in ("every process", "init (PID 1)"):
            severity, target = H, note
        elif note == "one process":
            continue
        elif note in ("process group", "its own process group"):
            severity, target = L, note  # process managers stop the groups they started
        else:
            severity, target = M, note
        scan.report(
            "python.proc.kill",
            [fact.line],
            scan.index.line_text(fact.line),
            target=target,
            severity=severity,
            detail=detail,
        )


def _guard_strings(fact: Fact) -> set[str]:
    """The strings a kill loop's guards compare with, without the keys that pick fields (`p.info['name']`)."""
    names: set[str] = set()
    for guard in fact.site.guards:
        keys = {id(node.slice) for node in ast.walk(guard) if isinstance(node, ast.Subscript)}
        for node in ast.walk(guard):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and 0 < len(node.value) < 64
                and id(node) not in keys
            ):
                names.add(node.value)
    return names


def port_scans(scan: Scan) -> None:
    facts = scan.of("scan")
    if facts:
        target = facts[0].note.split(":")[0]
        scan.report(
            "python.net.scan",
            lines_of(facts[:3]),
            scan.index.line_text(facts[0].line),
            target=target,
            scope=targets.REMOTE,
            detail=f"connects to {target} port after port in a loop",
        )


# ---------------------------------------------------------------------------------------------- setup.py
_RISKY = ("spawn", "request", "download", "exec_remote", "exec_file", "send", "connect", "delete")


def install_hooks(scan: Scan, *, setup_script: bool) -> None:
    setups = scan.of("setup")
    if not setups and not setup_script:
        return
    hook_classes: set[str] = set()
    for fact in setups:
        hook_classes |= _cmdclass_names(scan, fact.site.node)
    seen: set[int] = set()
    for kind in _RISKY:
        for fact in scan.of(kind):
            where = _hook_of(fact.site.scope, hook_classes)
            if where is None or fact.line in seen:
                continue
            seen.add(fact.line)
            fetches = any(
                f.kind in ("request", "download")
                for k in ("request", "download")
                for f in scan.of(k)
                if _hook_of(f.site.scope, hook_classes)
            )
            runs = any(
                _hook_of(f.site.scope, hook_classes)
                for k in ("spawn", "exec_remote", "exec_file")
                for f in scan.of(k)
            )
            severity = H if fetches and runs else M
            scan.report(
                "python.exec.install_hook",
                [fact.line],
                scan.index.line_text(fact.line),
                target=where,
                severity=severity,
                detail="the hook downloads and runs code" if severity is H else None,
            )


def _cmdclass_names(scan: Scan, call: ast.Call) -> set[str]:
    names: set[str] = set()
    for keyword in call.keywords:
        if keyword.arg != "cmdclass":
            continue
        value = keyword.value
        if isinstance(value, ast.Name):
            bindings = scan.index.module.bindings.get(value.id) or []
            value = bindings[-1].value if bindings else value
        if isinstance(value, ast.Dict):
            names |= {v.id for v in value.values if isinstance(v, ast.Name)}
        elif isinstance(value, ast.Call):
            names |= {k.value.id for k in value.keywords if isinstance(k.value, ast.Name)}
    return names


def _hook_of(scope: Scope, hook_classes: set[str]) -> str | None:
    if scope.kind == "module":
        return "setup.py top level"
    current: Scope | None = scope
    while current is not None:
        if current.kind == "class" and current.name in hook_classes:
            return f"cmdclass {current.name}"
        current = current.parent
    return None


# ---------------------------------------------------------------------------------------------- secrets and risky patterns
def environment_dumps(scan: Scan) -> None:
    for fact in [*scan.of("output"), *scan.of("write_data")]:
        data = fact.data
        if data is not None and any(o.kind == ENV_ALL for o in data.origins):
            where = fact.note or (fact.value.text if fact.value is not None and fact.value.text else "output")
            scan.report("python.cred.env_dump", [fact.line], scan.index.line_text(fact.line), target=where)


def protected_attributes(scan: Scan) -> None:
    """Protected attributes (race, gender, religion …) deciding a score or an outcome: a fairness risk."""
    reported: set[int] = set()
    for site in scan.index.calls:
        func = site.node.func
        if type(func) is not ast.Attribute or func.attr != "get":
            continue  # only `table.get(…)` can pick a score
        if site.scope.kind != "function" or id(site.scope) in reported:
            continue
        if (
            site.node.args
            and _protected(site.node.args[0])
            and isinstance(func.value, ast.Name)
            and _scoring_table(scan, site.scope, func.value.id)
        ):
            reported.add(id(site.scope))
            key = _protected(site.node.args[0])
            scan.report(
                "python.code.protected_attribute",
                [site.line],
                scan.index.line_text(site.line),
                target=key,
                detail=f"{key} picks a score from a table",
            )
    for compare, scope in scan.index.comparisons:
        if scope.kind != "function" or id(scope) in reported:
            continue
        operands = [compare.left, *compare.comparators]
        key = next((k for k in map(_protected, operands) if k), None)
        if key is None:
            continue
        if not any(_names_a_category(o) for o in operands):
            continue  # `age >= 18` is a rule about a number; `race == "X"` singles out a group
        reported.add(id(scope))
        scan.report(
            "python.code.protected_attribute",
            [compare.lineno],
            scan.index.line_text(compare.lineno),
            target=key,
            detail=f"the outcome depends on {key}",
        )


def _protected(node: ast.expr) -> str | None:
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return node.slice.value if node.slice.value.lower() in PROTECTED_KEYS else None
    if isinstance(node, ast.Name) and node.id.lower() in PROTECTED_KEYS:
        return node.id
    if isinstance(node, ast.Attribute) and node.attr.lower() in PROTECTED_KEYS:
        return node.attr
    return None


def _names_a_category(node: ast.expr) -> bool:
    """A string constant, or a list/tuple/set of them: the values a protected attribute is compared with."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return bool(node.elts) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        )
    return False


def _scoring_table(scan: Scan, scope: Scope, name: str) -> bool:
    bindings = scope.bindings.get(name) or scan.index.module.bindings.get(name) or []
    for binding in bindings:
        value = binding.value
        if (
            isinstance(value, ast.Dict)
            and value.values
            and all(isinstance(v, ast.Constant) and isinstance(v.value, int | float) for v in value.values)
        ):
            return True
    return False


def weak_randomness(scan: Scan) -> None:
    """Keys, tokens and salts from `random` (a predictable generator), worse when the seed is guessable."""
    seeds = {id(f.site.scope): f for f in scan.of("seed")}
    reported: set[int] = set()
    for fact in scan.of("random"):
        scope = fact.site.scope
        if id(scope) in reported or not _key_like(scope, fact.site.node):
            continue
        reported.add(id(scope))
        seed = seeds.get(id(scope))
        if seed is not None and seed.note != "system entropy":
            scan.report(
                "python.crypto.weak_random",
                [seed.line],
                scan.index.line_text(seed.line),
                target="random.seed",
                confidence=Confidence.HIGH,
                detail=f"the key comes from random seeded with {seed.note}: anyone can regenerate it",
            )
        else:
            scan.report(
                "python.crypto.weak_random",
                [fact.line],
                scan.index.line_text(fact.line),
                target=fact.note,
                confidence=Confidence.MEDIUM,
                detail=f"{fact.note} is not a cryptographic generator; use the secrets module for keys and tokens",
            )


def _key_like(scope: Scope, node: ast.Call) -> bool:
    if scope.kind == "function" and _secret_name(scope.name):
        return True
    for name, bindings in scope.bindings.items():
        if _secret_name(name) and any(_contains(binding.value, node) for binding in bindings):
            return True
    return False


def _secret_name(identifier: str) -> bool:
    """`make_key`, `apiToken`, `gen_password`, `salt`: the words of the name include a secret's."""
    words = {w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", identifier)}
    return bool(words & _SECRET_WORDS)


def _contains(root: ast.expr, node: ast.AST) -> bool:
    if root is node:
        return True
    stack: list[ast.AST] = [root]
    while stack:
        current = stack.pop()
        if current is node:
            return True
        stack.extend(ast.iter_child_nodes(current))
    return False


def password_hashes(scan: Scan) -> None:
    reported: set[int] = set()
    for fact in scan.of("hash"):
        node = fact.site.node
        scope = fact.site.scope
        data = node.args[0] if node.args else None
        if data is None or id(scope) in reported or not _mentions_password(data):
            continue
        reported.add(id(scope))
        salted = _names_word(data, "salt")
        detail = f"{fact.note} of a password" + (" with a salt" if salted else " without a salt")
        detail += ": fast hashes are brute-forced offline; use hashlib.scrypt, bcrypt or argon2"
        scan.report(
            "python.crypto.weak_password_hash",
            [fact.line],
            scan.index.line_text(fact.line),
            target=fact.note,
            detail=detail,
        )
    for fact in scan.of("kdf"):
        scan.report(
            "python.crypto.weak_password_hash",
            [fact.line],
            scan.index.line_text(fact.line),
            target="pbkdf2_hmac",
            detail=fact.note,
        )


def _mentions_password(node: ast.expr) -> bool:
    for child in ast.walk(node):
        name = (
            child.id
            if isinstance(child, ast.Name)
            else child.attr
            if isinstance(child, ast.Attribute)
            else None
        )
        if name is not None and _PASSWORD.search(name):
            return True
        if (
            isinstance(child, ast.Subscript)
            and isinstance(child.slice, ast.Constant)
            and isinstance(child.slice.value, str)
            and _PASSWORD.search(child.slice.value)
        ):
            return True
    return False


def _names_word(node: ast.expr, word: str) -> bool:
    return any(isinstance(c, ast.Name) and word in c.id.lower() for c in ast.walk(node))


# ---------------------------------------------------------------------------------------------- hidden code
def reduce_gadgets(scan: Scan) -> None:
    """`__reduce__` returning (os.system, (cmd,)): unpickling the object runs the command."""
    for name in ("__reduce__", "__reduce_ex__"):
        for function in scan.index.functions.get(name, []):
            for returned in function.returns:
                if not isinstance(returned, ast.Tuple) or len(returned.elts) < 2:
                    continue
                callee = scan.resolver.resolve(returned.elts[0], function)
                if callee.ref is None or not _runs_code(callee.ref):
                    continue
                arguments = scan.resolver.resolve(returned.elts[1], function)
                argument = arguments.items[0] if arguments.items else Value()
                language = "python" if callee.ref.startswith("builtins.") else "bash"
                payload = None
                if argument.text:
                    payload = Payload(
                        language=language,
                        content=argument.text,
                        origin=f"argument of {callee.ref} in __reduce__",
                    )
                scan.report(
                    "python.exec.deserialize",
                    [returned.lineno],
                    scan.index.line_text(returned.lineno),
                    target=callee.ref,
                    severity=H if payload is None else M,  # a known payload is judged on its own
                    confidence=Confidence.HIGH,
                    detail=f"unpickling this object calls {callee.ref}({argument.shown(80)!r})",
                    payload=payload,
                )


def _runs_code(qualname: str) -> bool:
    return qualname in (
        "builtins.eval",
        "builtins.exec",
        "os.system",
        "os.popen",
        "os.execv",
        "os.execl",
    ) or qualname.startswith(("subprocess.", "os.spawn", "os.exec"))


def encoded_blobs(scan: Scan, *, has_dynamic_sink: bool) -> None:
    """Long encoded strings that decode to code, in a module that runs something it could not resolve."""
    if not has_dynamic_sink:
        return
    for text, line in scan.index.string_blobs:
        decoded = decoding.unwrap(text)
        if decoded is None or not _CODE_HINTS.search(decoded.content):
            continue
        language = (
            "python" if re.search(r"\b(import |def |print\(|exec\(|__import__)", decoded.content) else "bash"
        )
        shown = decoded.content.strip()
        scan.report(
            "python.exec.obfuscated",
            [line],
            shown[:200],
            target=decoded.origin,
            confidence=Confidence.MEDIUM,
            detail=f"a {decoded.origin} string decodes to code: {shown[:100]}",
            payload=Payload(language=language, content=decoded.content, origin=f"{decoded.origin} string"),
        )
