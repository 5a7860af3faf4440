"""What calls to Node and browser APIs do, for the JavaScript analyzer: one handler per API.

Handlers are keyed by the API's normalised name (`child_process.exec`, `fs.promises.rm`), so every
way of reaching an API (aliases, destructuring, ESM imports, `require('child_' + 'process')`) meets
the same check. Command lines found here are handed to the shell analyzer as payloads, and code
strings given to `eval` to the JavaScript analyzer itself: the rules are not written twice.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from codeward.analyzers import targets
from codeward.analyzers.javascript_values import (
    CREDENTIAL,
    ENV,
    LISTENER,
    NOTHING,
    REMOTE,
    SHELL_OUTPUT,
    SOCKET,
    SYSTEM_FILE,
    Source,
    Value,
    array_method,
    char_codes,
    concat,
    constant,
    decode_buffer,
    decode_text,
    host_of,
    merge,
    module_ref,
    path_join,
    string_method,
)
from codeward.analyzers.shell_programs import SHELLS
from codeward.model import Confidence, Payload, Severity

if TYPE_CHECKING:
    from codeward.analyzers.javascript import Walk

_WINDOWS_SHELLS = frozenset({"cmd", "powershell", "pwsh"})
_SHELL_FLAGS = frozenset(
    {"-c", "/c", "/C", "-lc", "-ic", "-command", "-Command", "-encodedcommand", "-e", "-enc"}
)
_EVENT_METHODS = frozenset(
    {"on", "once", "addListener", "addEventListener", "prependListener", "prependOnceListener"}
)
_SEND_METHODS = frozenset({"write", "end", "send", "sendto"})
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "all", "use", "head", "options"})


@dataclass(slots=True)
class Call:
    """One call as the walk sees it: what is called, on what, with which argument values."""

    node: Any
    callee: Value
    receiver: Value | None
    method: str | None
    args: list[Value]
    constructing: bool = False
    tagged: bool = False
    consumed: set[int] = field(default_factory=set)
    """Functions passed as arguments that a handler already walked."""
    delivers: Value | None = None
    """What callbacks passed to this call receive (a file's content, a response, a connection)."""
    receiver_name: str | None = None
    """The variable the method is called on, when it is one (`client` in `client.connect(…)`)."""

    def arg(self, index: int) -> Value:
        return self.args[index] if index < len(self.args) else NOTHING

    def options(self, start: int = 1) -> Value:
        """The first object literal among the arguments from `start` (the options bag)."""
        for value in self.args[start:]:
            if value.fields is not None:
                return value
        return NOTHING


Handler = Callable[["Walk", Call], Value]


def dispatch(walk: Walk, call: Call) -> Value:
    callee = call.callee
    if callee.closure is not None:
        return walk.invoke(callee.closure, call.args, walk.line(call.node), call)
    if call.constructing and callee.fields is not None:
        constructor = callee.field_value("constructor")
        if constructor is not None and constructor.closure is not None:
            walk.invoke(constructor.closure, call.args, walk.line(call.node), call)
        return Value(fields=callee.fields)
    ref = callee.ref
    if ref is not None and ref.startswith("Function.returns."):
        return Value(ref=ref.rsplit(".", 1)[1])
    if ref is not None:
        handler = _BY_REF.get(ref)
        if handler is not None:
            return handler(walk, call)
        base, _, last = ref.rpartition(".")
        if last in ("call", "apply") and base in _BY_REF:
            args = call.args[1:] if last == "call" else list(call.arg(1).items or ())
            return _BY_REF[base](walk, Call(call.node, Value(ref=base), None, None, args))
        if last == "_compile":
            return _evaluate(walk, call, call.arg(0), "Module._compile")
    if call.receiver is not None and call.method is not None:
        return _method(walk, call)
    return merge(call.args)


def delivered(owner: Value) -> Value:
    """What an event handler on `owner` receives: data with the same origin as the object."""
    return Value(kind=owner.kind, sources=owner.sources, target=owner.target)


# ------------------------------------------------------------------ methods on values
def _method(walk: Walk, call: Call) -> Value:
    receiver = call.receiver or NOTHING
    method = call.method or ""
    folded = string_method(receiver, method, call.args) or array_method(receiver, method, call.args)
    if folded is not None:
        return folded
    if method == "toString":
        return decode_buffer(receiver, call.arg(0).text)
    if method in ("then", "catch", "finally"):
        results = [
            walk.invoke(arg.closure, [receiver], None, call) for arg in call.args if arg.closure is not None
        ]
        return results[0] if results else receiver
    if method in _EVENT_METHODS:
        call.delivers = delivered(receiver)
        return receiver
    if method == "pipe" or method == "pipeTo":
        _pipe(walk, call, receiver, call.arg(0))
        return call.arg(0)
    if method == "connect" and receiver.kind == "socket":
        return _connect(walk, call, receiver)
    if method in _SEND_METHODS and receiver.kind in ("socket", "request", "websocket", "xhr", "udp"):
        _send(walk, call, list(call.args[:1]), receiver.target or "?", receiver.kind or "socket")
        return receiver
    if method in _SEND_METHODS and receiver.kind == "shell":
        _into_shell(walk, call, call.arg(0))
        return receiver
    if method in _HTTP_VERBS and receiver.kind == "app":
        call.delivers = Value(kind="incoming", sources=frozenset({Source(LISTENER, "http")}))
        return receiver
    if receiver.kind in ("response", "socket", "incoming") or receiver.sources:
        return Value(kind=receiver.kind, sources=receiver.all_sources() | merge(call.args).sources)
    return merge([receiver, *call.args])


# ------------------------------------------------------------------ processes
def _shell_line(walk: Walk, call: Call) -> Value:
    return run_shell(walk, call, call.arg(0), f"{call.callee.ref} argument")


def run_shell(walk: Walk, call: Call, command: Value, origin: str) -> Value:
    """A command line run by a shell: judged here for where it came from, then by the shell analyzer."""
    node = call.node
    text = command.rendered
    whole_input = (
        command.text is None
        and (command.shape or "${?}").startswith("${")
        and "}" not in (command.shape or "${?}")[2:-1]
    )
    if _command_from(walk, call, command, whole_input, "runs commands"):
        return Value(kind="process")
    downloaded = _downloaded_file(walk, text)
    if downloaded is not None:
        walk.report(
            "javascript.exec.remote_payload",
            node,
            target=downloaded,
            detail=f"runs a file it saved from {downloaded}",
        )
    if command.text is None and command.shape is None:
        walk.report(
            "javascript.proc.shell_command",
            node,
            target="a command line built at run time",
            detail=f"{origin} is only known at run time",
            confidence=Confidence.MEDIUM,
        )
        return Value(kind="process")
    payload = Payload(language="bash", content=text, origin=origin)
    if command.decoded:
        walk.report(
            "javascript.exec.obfuscated",
            node,
            target=origin,
            detail=f"decodes a command line ({command.decoded}) and runs it through a shell: {text[:120]}",
            payload=payload,
        )
    else:
        walk.report(
            "javascript.proc.shell_command",
            node,
            target=text[:160],
            payload=payload,
            confidence=Confidence.HIGH if command.known else Confidence.MEDIUM,
        )
    return Value(kind="process", sources=_credentials_in(text))


def _command_from(walk: Walk, call: Call, code: Value, whole_input: bool, verb: str) -> bool:
    """Report code or commands that come from the network; True when that is what they are."""
    node = call.node
    if code.has(SOCKET):
        host = code.details(SOCKET)[0]
        walk.report("javascript.proc.reverse_shell", node, target=host, detail=f"{verb} received from {host}")
        return True
    if code.has(LISTENER):
        port = code.details(LISTENER)[0]
        if whole_input:
            walk.report(
                "javascript.proc.bind_shell", node, target=port, detail=f"{verb} sent by whoever connects"
            )
        else:
            walk.report(
                "javascript.code.command_injection",
                node,
                target=port,
                detail=f"{verb} built from what a client sent",
            )
        return True
    if code.has(REMOTE):
        host = host_of(code.details(REMOTE)[0])
        walk.report(
            "javascript.exec.remote_payload", node, target=host, detail=f"{verb} downloaded from {host}"
        )
        return True
    return False


def _spawn(walk: Walk, call: Call) -> Value:
    program = call.arg(0)
    argv_value = call.arg(1) if call.arg(1).items is not None else None
    argv = list(argv_value.items or ()) if argv_value is not None else []
    if program.items is not None:  # Bun.spawn(["sh", "-c", …])
        program, argv = (program.items[0], list(program.items[1:])) if program.items else (NOTHING, [])
    options = call.options(1)
    shell_option = options.field_value("shell") or NOTHING
    if shell_option.flag or (shell_option.text not in (None, "false", "")):
        parts: list[Value] = [program]
        for item in argv:
            parts += [constant(" "), item]
        return run_shell(walk, call, concat(parts), f"{call.callee.ref} with shell: true")
    name = posixpath.basename(program.rendered.replace("\\", "/")).lower().removesuffix(".exe")
    if name in SHELLS or name in _WINDOWS_SHELLS:
        for index, item in enumerate(argv[:-1]):
            if (item.text or "") in _SHELL_FLAGS:
                return run_shell(walk, call, argv[index + 1], f"{name} {item.text} in {call.callee.ref}")
        return _interactive_shell(walk, call, program.rendered, options)
    if program.known and _downloaded_file(walk, program.rendered):
        walk.report(
            "javascript.exec.remote_payload",
            call.node,
            target=_downloaded_file(walk, program.rendered),
            detail=f"runs {program.rendered}, a file it saved from the network",
        )
    line = " ".join(_quoted(v) for v in [program, *argv])
    walk.report(
        "javascript.proc.run_program",
        call.node,
        target=program.rendered[:120],
        payload=Payload(language="bash", content=line, origin=f"{call.callee.ref} arguments")
        if program.known
        else None,
    )
    return Value(kind="process", sources=_credentials_in(line))


def _interactive_shell(walk: Walk, call: Call, shell: str, options: Value) -> Value:
    stdio = options.field_value("stdio")
    wired = [v for v in (stdio.items or ()) if _is_socket(v)] if stdio is not None else []
    if wired:
        _remote_shell(walk, call, wired[0], f"{shell} with its input and output on a network connection")
    else:
        walk.report(
            "javascript.proc.shell_command",
            call.node,
            target=shell,
            detail=f"starts an interactive {shell}",
            evidence=None,
        )
    return Value(kind="shell", sources=frozenset({Source(SHELL_OUTPUT, shell)}))


def _quoted(value: Value) -> str:
    if value.text is not None:
        return shlex.quote(value.text)
    return f'"{value.rendered}"'


def _credentials_in(command: str) -> frozenset[Source]:
    """Credentials a command line reads (`cat ~/.ssh/id_rsa`), so its output carries them."""
    found = set()
    for word in command.split():
        capability = targets.credential_capability(word.strip("'\";|&<>()"))
        if capability is not None:
            found.add(Source(CREDENTIAL, f"{capability}|{word}"))
    return frozenset(found)


# ------------------------------------------------------------------ remote control
def _is_socket(value: Value) -> bool:
    return value.kind in ("socket", "incoming") or value.has(SOCKET) or value.has(LISTENER)


def _is_shell(value: Value) -> bool:
    return value.kind == "shell" or value.has(SHELL_OUTPUT)


def _remote_shell(walk: Walk, call: Call, connection: Value, detail: str) -> None:
    if connection.has(LISTENER):
        walk.report(
            "javascript.proc.bind_shell", call.node, target=connection.details(LISTENER)[0], detail=detail
        )
        return
    host = connection.target or (connection.details(SOCKET) or ["?"])[0]
    walk.report("javascript.proc.reverse_shell", call.node, target=host, detail=detail)


def _pipe(walk: Walk, call: Call, source: Value, destination: Value) -> None:
    if (_is_socket(source) and _is_shell(destination)) or (_is_shell(source) and _is_socket(destination)):
        connection = source if _is_socket(source) else destination
        _remote_shell(walk, call, connection, "pipes a shell's input or output through a network connection")
    elif _is_shell(destination):
        _into_shell(walk, call, source)
    elif destination.kind in ("socket", "request", "websocket"):
        _send(walk, call, [source], destination.target or "?", destination.kind or "socket")


def _into_shell(walk: Walk, call: Call, data: Value) -> None:
    if _is_socket(data):
        _remote_shell(walk, call, data, "feeds data from a network connection to a shell")
    elif data.has(REMOTE):
        host = host_of(data.details(REMOTE)[0])
        walk.report(
            "javascript.exec.remote_payload",
            call.node,
            target=host,
            detail=f"feeds a download from {host} to a shell",
        )


# ------------------------------------------------------------------ network
def _send(walk: Walk, call: Call, data: list[Value], target: str, channel: str) -> None:
    """Data leaving the machine: credentials or the whole environment in it is exfiltration."""
    sources: frozenset[Source] = frozenset()
    for value in data:
        sources |= value.all_sources()
    if channel == "socket" and any(s.kind == SHELL_OUTPUT for s in sources):
        walk.report(
            "javascript.proc.reverse_shell",
            call.node,
            target=target,
            detail="sends a shell's output over a socket",
        )
        return
    secrets = sorted(
        {s for s in sources if s.kind in (ENV, CREDENTIAL, SYSTEM_FILE)}, key=lambda s: (s.kind, s.detail)
    )
    if not secrets:
        return
    what = ", ".join(
        "the whole process environment" if s.kind == ENV else s.detail.rpartition("|")[2] for s in secrets[:3]
    )
    walk.report(
        "javascript.net.exfiltrate",
        call.node,
        target=target,
        scope=targets.REMOTE,
        detail=f"sends {what} to {target} ({channel})",
    )


def _url_in(values: list[Value]) -> str:
    for value in values:
        if value.text is not None or value.shape is not None:
            return host_of(value.rendered)
        for key in ("url", "hostname", "host", "baseURL", "uri"):
            found = value.field_value(key)
            if found is not None and (found.text or found.shape):
                return host_of(found.rendered)
    return "?"


def _http_client(walk: Walk, call: Call) -> Value:
    """fetch, axios, got, request, superagent, needle: every argument is part of what is sent."""
    target = _url_in(call.args)
    _send(walk, call, call.args, target, call.callee.ref or "http")
    response = Value(kind="response", sources=frozenset({Source(REMOTE, target)}), target=target)
    call.delivers = response
    return response


def _http_request(walk: Walk, call: Call) -> Value:
    """http(s).request/get: the options may already carry data; the request object sends the rest."""
    target = _url_in(call.args)
    _send(walk, call, [v for v in call.args if v.closure is None], target, call.callee.ref or "http")
    call.delivers = Value(kind="response", sources=frozenset({Source(REMOTE, target)}), target=target)
    return Value(kind="request", sources=frozenset({Source(REMOTE, target)}), target=target)


def _app(walk: Walk, call: Call) -> Value:
    return Value(kind="app")


def _server(walk: Walk, call: Call) -> Value:
    call.delivers = Value(kind="incoming", sources=frozenset({Source(LISTENER, "a listening server")}))
    return Value(kind="server")


def _connect(walk: Walk, call: Call, receiver: Value | None = None) -> Value:
    """net.connect(port, host), new net.Socket().connect(…), tls.connect: a raw connection out."""
    options = call.options(0)
    port = call.arg(0) if call.arg(0).fields is None else (options.field_value("port") or NOTHING)
    host = call.arg(1) if call.arg(1).fields is None and call.arg(1).closure is None else NOTHING
    if not (host.text or host.shape) and options.fields is not None:
        host = options.field_value("host") or NOTHING
    if port.text is None and port.shape is None and receiver is None:
        return Value(kind="socket", sources=frozenset({Source(SOCKET, "?")}))
    target = (
        f"{host.text or 'localhost'}:{port.rendered}"
        if host.text or not host.shape
        else f"{host.rendered}:{port.rendered}"
    )
    walk.report("javascript.net.raw_connect", call.node, target=target, scope=targets.REMOTE)
    socket = Value(kind="socket", sources=frozenset({Source(SOCKET, target)}), target=target)
    if receiver is not None and call.receiver_name is not None:
        walk.scope.assign(call.receiver_name, socket)
    return socket


def _new_socket(walk: Walk, call: Call) -> Value:
    return Value(kind="socket", sources=frozenset({Source(SOCKET, "?")}))


def _udp(walk: Walk, call: Call) -> Value:
    return Value(kind="udp", target="udp")


def _websocket(walk: Walk, call: Call) -> Value:
    target = _url_in(call.args[:1])
    return Value(kind="websocket", sources=frozenset({Source(REMOTE, target)}), target=target)


def _xhr(walk: Walk, call: Call) -> Value:
    return Value(
        kind="xhr", sources=frozenset({Source(REMOTE, "an XMLHttpRequest")}), target="an XMLHttpRequest"
    )


def _beacon(walk: Walk, call: Call) -> Value:
    _send(walk, call, call.args, _url_in(call.args[:1]), "sendBeacon")
    return NOTHING


def _dns(walk: Walk, call: Call) -> Value:
    name = call.arg(0)
    _send(walk, call, [name], host_of(name.rendered), "DNS lookup")
    return Value(sources=frozenset({Source(REMOTE, "DNS")}))


# ------------------------------------------------------------------ files
def _delete(recursive: bool | None) -> Handler:
    def handler(walk: Walk, call: Call) -> Value:
        first = call.arg(0)
        if recursive is None:
            option = call.options(1).field_value("recursive")
            is_recursive = bool(option is not None and option.flag)
        else:
            is_recursive = recursive
        for path in first.items if first.items is not None else (first,):
            _report_delete(walk, call, path, is_recursive)
        return NOTHING

    return handler


def _shelljs_rm(walk: Walk, call: Call) -> Value:
    flags = call.arg(0).text or ""
    paths = call.args[1:] if flags.startswith("-") else call.args
    for path in paths:
        for item in path.items if path.items is not None else (path,):
            _report_delete(walk, call, item, "r" in flags.lower())
    return NOTHING


def _report_delete(walk: Walk, call: Call, path: Value, recursive: bool) -> None:
    target = path.rendered
    scope = targets.scope(target)
    confidence = Confidence.HIGH if path.known else Confidence.MEDIUM
    if scope == targets.CREDENTIAL or targets.is_sensitive_system_file(target):
        rule = "javascript.fs.delete_sensitive"
    elif recursive:
        rule = "javascript.fs.recursive_delete"
    else:
        rule = "javascript.fs.delete"
    walk.report(rule, call.node, target=target, scope=scope, confidence=confidence)


def _read_file(walk: Walk, call: Call) -> Value:
    path = call.arg(0)
    target = path.rendered
    capability = targets.credential_capability(target)
    sources: frozenset[Source] = path.sources
    if capability is not None:
        walk.report(
            "javascript.cred.read_credentials",
            call.node,
            target=target,
            scope=targets.CREDENTIAL,
            capability=capability,
            confidence=Confidence.HIGH if path.known else Confidence.MEDIUM,
        )
        sources = sources | {Source(CREDENTIAL, f"{capability}|{target}")}
    elif path.known and _system_or_private(target):
        sources = sources | {Source(SYSTEM_FILE, target)}
    written = walk.written.get(target)
    if written is not None:
        sources = sources | written.sources
    result = Value(sources=sources, kind="file" if call.callee.ref and "Stream" in call.callee.ref else None)
    call.delivers = result
    return result


def _system_or_private(path: str) -> bool:
    return (
        targets.is_sensitive_system_file(path)
        or targets.scope(path) in (targets.SYSTEM, targets.ROOT)
        or targets.is_private_file(path)
    )


_WRITE_CAPABILITIES = {
    "startup": "fs.write.shell_startup",
    "authorized_keys": "persist.ssh_authorized_keys",
    "cron": "persist.cron",
    "service": "persist.systemd",
    "accounts": "proc.privilege_escalation",
    "preload": "proc.inject",
}


def _write_file(walk: Walk, call: Call) -> Value:
    path = call.arg(0)
    data = call.arg(1)
    target = path.rendered
    if data.has(REMOTE):
        walk.written[target] = data
    capability = _WRITE_CAPABILITIES.get(targets.write_role(target) or "")
    if capability is not None:
        walk.report(
            "javascript.persist.startup_file",
            call.node,
            target=target,
            capability=capability,
            payload=Payload(language="bash", content=data.text, origin=f"text written to {target}")
            if data.text and capability in ("fs.write.shell_startup", "persist.cron")
            else None,
        )
    return NOTHING


def _downloaded_file(walk: Walk, command: str) -> str | None:
    """The origin of a downloaded file that `command` names, if it names one."""
    for path, data in walk.written.items():
        name = posixpath.basename(path)
        if path in command or (name and len(name) > 2 and name in command):
            return host_of(data.details(REMOTE)[0]) if data.has(REMOTE) else path
    return None


# ------------------------------------------------------------------ code
def _evaluate(walk: Walk, call: Call, code: Value, api: str) -> Value:
    """eval and its relatives: what the code is decides between remote, obfuscated, dynamic and constant."""
    if code.closure is not None or (code == NOTHING and not call.args):
        return NOTHING
    node = call.node
    whole = (
        code.text is None
        and code.shape is not None
        and code.shape.count("${") == 1
        and code.shape.startswith("${")
    )
    if _command_from(walk, call, code, whole, "evaluates JavaScript"):
        return NOTHING
    if code.text is not None:
        payload = Payload(language="javascript", content=code.text, origin=f"{api} argument")
        if code.decoded:
            walk.report(
                "javascript.exec.obfuscated",
                node,
                target=api,
                detail=f"decodes code ({code.decoded}) and runs it with {api}: {code.text[:120]}",
                payload=Payload(language="javascript", content=code.text, origin=f"{code.decoded} ({api})"),
            )
        else:
            walk.report("javascript.exec.constant_code", node, target=api, payload=payload)
        return NOTHING
    if code.decoded:
        walk.report(
            "javascript.exec.obfuscated",
            node,
            target=api,
            detail=f"decodes code ({code.decoded}) and runs it with {api}",
        )
        return NOTHING
    walk.report(
        "javascript.exec.dynamic",
        node,
        target=api,
        detail=f"{api} runs code built at run time ({code.rendered[:80]})",
    )
    return NOTHING


def _eval(walk: Walk, call: Call) -> Value:
    return _evaluate(walk, call, call.arg(0), call.callee.ref or "eval")


_RETURNS_GLOBAL = re.compile(r"^\s*return\s+(process|require|globalThis|global|this|window|self)\s*;?\s*$")


def _function(walk: Walk, call: Call) -> Value:
    body = call.args[-1] if call.args else NOTHING
    _evaluate(walk, call, body, "Function")
    returned = _RETURNS_GLOBAL.match(body.text or "")
    if returned is not None:  # `Function('return process')()`: a way to reach process without naming it
        name = returned.group(1)
        return Value(ref=f"Function.returns.{'globalThis' if name == 'this' else name}")
    return NOTHING


def _timer(walk: Walk, call: Call) -> Value:
    first = call.arg(0)
    if first.closure is not None:
        return NOTHING
    # a timer is almost always given a function: only a string that is visibly built counts
    built = first.shape is not None and re.fullmatch(r"\$\{[^}]*\}", first.shape) is None
    if first.text is not None or built or first.sources:
        return _evaluate(walk, call, first, f"{call.callee.ref} with a string")
    return NOTHING


def _worker(walk: Walk, call: Call) -> Value:
    option = call.options(1).field_value("eval")
    if option is not None and option.flag:
        return _evaluate(walk, call, call.arg(0), "new Worker(…, {eval: true})")
    return NOTHING


def _require(walk: Walk, call: Call) -> Value:
    name = call.arg(0)
    if name.text is None:
        if name.has(REMOTE):
            _command_from(walk, call, name, False, "loads a module")
        return Value(sources=name.sources)
    ref = module_ref(name.text)
    if name.decoded:
        walk.report(
            "javascript.exec.obfuscated",
            call.node,
            target=ref,
            detail=f"hides the name of the module it loads ({name.decoded}): {ref}",
            severity=Severity.MEDIUM,
        )
    downloaded = _downloaded_file(walk, name.text)
    if downloaded is not None:
        walk.report(
            "javascript.exec.remote_payload",
            call.node,
            target=downloaded,
            detail="loads a module it downloaded",
        )
    return Value(ref=ref)


# ------------------------------------------------------------------ folding helpers
def _buffer_from(walk: Walk, call: Call) -> Value:
    data = call.arg(0)
    encoding = (call.arg(1).text or "utf8").lower()
    if encoding in ("base64", "hex", "base64url"):
        if data.text is not None:
            return Value(encoded=(data.text, encoding, 0), sources=data.sources)
        return Value(sources=data.sources, decoded=encoding)
    if data.text is None and data.items and all(item.text is not None for item in data.items):
        codes = char_codes(list(data.items))  # Buffer.from([114, 109, …]): bytes given as numbers
        if codes.text is not None and all(ord(c) < 256 for c in codes.text):
            return Value(text=codes.text, shape=codes.text, decoded="bytes")
    return Value(text=data.text, shape=data.shape, sources=data.all_sources(), decoded=data.decoded)


def _atob(walk: Walk, call: Call) -> Value:
    data = call.arg(0)
    if data.text is not None:
        return decode_text(data.text, "base64") or Value(sources=data.sources, decoded="base64")
    return Value(sources=data.sources, decoded="base64")


def _uri_decode(walk: Walk, call: Call) -> Value:
    data = call.arg(0)
    if data.text is not None:
        return decode_text(data.text, "url") or data
    return data


def _inflate(walk: Walk, call: Call) -> Value:
    data = call.arg(0)
    if data.encoded is not None:
        text, encoding, layers = data.encoded
        return replace(data, encoded=(text, encoding, layers + 1))
    return Value(sources=data.sources, decoded="zlib")


def _from_char_code(walk: Walk, call: Call) -> Value:
    return char_codes(call.args)


def _same(walk: Walk, call: Call) -> Value:
    return call.arg(0)


def _through(walk: Walk, call: Call) -> Value:
    return merge(call.args)


def _join(walk: Walk, call: Call) -> Value:
    return path_join(call.args)


def _resolve(walk: Walk, call: Call) -> Value:
    return path_join([constant("."), *call.args], resolve=True)


def _fixed(text: str) -> Handler:
    def handler(walk: Walk, call: Call) -> Value:
        return constant(text)

    return handler


def _user_info(walk: Walk, call: Call) -> Value:
    return Value(fields=(("homedir", constant("~")),))


def _promisify(walk: Walk, call: Call) -> Value:
    return call.arg(0)


_BY_REF: dict[str, Handler] = {
    # processes
    "child_process.exec": _shell_line,
    "child_process.execSync": _shell_line,
    "shelljs.exec": _shell_line,
    "execa.command": _shell_line,
    "execa.commandSync": _shell_line,
    "execa.execaCommand": _shell_line,
    "execa.execaCommandSync": _shell_line,
    "zx.$": _shell_line,
    "Bun.$": _shell_line,
    "child_process.spawn": _spawn,
    "child_process.spawnSync": _spawn,
    "child_process.execFile": _spawn,
    "child_process.execFileSync": _spawn,
    "child_process.fork": _spawn,
    "execa": _spawn,
    "execa.execa": _spawn,
    "execa.sync": _spawn,
    "execa.execaSync": _spawn,
    "Bun.spawn": _spawn,
    "Bun.spawnSync": _spawn,
    # files
    "fs.rm": _delete(None),
    "fs.rmSync": _delete(None),
    "fs.rmdir": _delete(None),
    "fs.rmdirSync": _delete(None),
    "fs.promises.rm": _delete(None),
    "fs.promises.rmdir": _delete(None),
    "fs-extra.rm": _delete(None),
    "fs-extra.rmSync": _delete(None),
    "fs.unlink": _delete(False),
    "fs.unlinkSync": _delete(False),
    "fs.promises.unlink": _delete(False),
    "fs-extra.unlink": _delete(False),
    "fs-extra.unlinkSync": _delete(False),
    "fs-extra.remove": _delete(True),
    "fs-extra.removeSync": _delete(True),
    "fs-extra.emptyDir": _delete(True),
    "fs-extra.emptyDirSync": _delete(True),
    "rimraf": _delete(True),
    "rimraf.sync": _delete(True),
    "rimraf.rimraf": _delete(True),
    "rimraf.rimrafSync": _delete(True),
    "rimraf.native": _delete(True),
    "rimraf.nativeSync": _delete(True),
    "del": _delete(True),
    "del.sync": _delete(True),
    "del.deleteAsync": _delete(True),
    "del.deleteSync": _delete(True),
    "shelljs.rm": _shelljs_rm,
    "fs.readFileSync": _read_file,
    "fs.readFile": _read_file,
    "fs.promises.readFile": _read_file,
    "fs.createReadStream": _read_file,
    "fs-extra.readFile": _read_file,
    "fs-extra.readFileSync": _read_file,
    "fs-extra.readJson": _read_file,
    "fs-extra.readJsonSync": _read_file,
    "Bun.file": _read_file,
    "fs.writeFileSync": _write_file,
    "fs.writeFile": _write_file,
    "fs.appendFileSync": _write_file,
    "fs.appendFile": _write_file,
    "fs.promises.writeFile": _write_file,
    "fs.promises.appendFile": _write_file,
    "fs-extra.outputFile": _write_file,
    "fs-extra.outputFileSync": _write_file,
    # network
    "fetch": _http_client,
    "axios": _http_client,
    "got": _http_client,
    "request": _http_client,
    "needle": _http_client,
    "superagent": _http_client,
    "ky": _http_client,
    "undici.request": _http_client,
    "http.request": _http_request,
    "http.get": _http_request,
    "https.request": _http_request,
    "https.get": _http_request,
    "net.connect": _connect,
    "net.createConnection": _connect,
    "tls.connect": _connect,
    "net.Socket": _new_socket,
    "net.Stream": _new_socket,
    "net.createServer": _server,
    "net.Server": _server,
    "tls.createServer": _server,
    "http.createServer": _server,
    "https.createServer": _server,
    "express": _app,
    "dgram.createSocket": _udp,
    "WebSocket": _websocket,
    "ws": _websocket,
    "ws.WebSocket": _websocket,
    "XMLHttpRequest": _xhr,
    "navigator.sendBeacon": _beacon,
    # code
    "eval": _eval,
    "Function": _function,
    "vm.runInNewContext": _eval,
    "vm.runInThisContext": _eval,
    "vm.runInContext": _eval,
    "vm.Script": _eval,
    "vm.compileFunction": _eval,
    "vm.SourceTextModule": _eval,
    "setTimeout": _timer,
    "setInterval": _timer,
    "setImmediate": _timer,
    "Worker": _worker,
    "worker_threads.Worker": _worker,
    "require": _require,
    "module.createRequire": lambda walk, call: Value(ref="require"),
    # folding
    "Buffer.from": _buffer_from,
    "atob": _atob,
    "decodeURIComponent": _uri_decode,
    "decodeURI": _uri_decode,
    "unescape": _uri_decode,
    "querystring.unescape": _uri_decode,
    "zlib.inflateSync": _inflate,
    "zlib.gunzipSync": _inflate,
    "zlib.inflateRawSync": _inflate,
    "zlib.unzipSync": _inflate,
    "zlib.brotliDecompressSync": _inflate,
    "String.fromCharCode": _from_char_code,
    "String.fromCodePoint": _from_char_code,
    "String.raw": _same,
    "String": _same,
    "JSON.stringify": _through,
    "JSON.parse": _through,
    "Object.keys": _through,
    "Object.values": _through,
    "Object.entries": _through,
    "Object.assign": _through,
    "path.join": _join,
    "path.posix.join": _join,
    "path.normalize": _join,
    "path.resolve": _resolve,
    "path.posix.resolve": _resolve,
    "os.homedir": _fixed("~"),
    "os.tmpdir": _fixed("/tmp"),
    "process.cwd": _fixed("."),
    "os.userInfo": _user_info,
    "util.promisify": _promisify,
}
# dns.lookup, dns.resolve4, dns.promises.resolveTxt, …: a name looked up can carry data out
for _api in (
    "lookup",
    "resolve",
    "resolve4",
    "resolve6",
    "resolveTxt",
    "resolveAny",
    "resolveCname",
    "resolveMx",
):
    _BY_REF[f"dns.{_api}"] = _dns
    _BY_REF[f"dns.promises.{_api}"] = _dns
for _client in ("axios", "got", "request", "needle", "superagent", "ky"):
    for _verb in ("get", "post", "put", "patch", "delete", "head", "request", "stream"):
        _BY_REF[f"{_client}.{_verb}"] = _http_client
