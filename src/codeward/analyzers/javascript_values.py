"""What the JavaScript analyzer knows about a value: a folded constant, an API it names, where its data came from.

Constant folding is what sees through `require('child_' + 'process')`, `` `rm -rf ${dir}` `` and
`Buffer.from('…', 'base64').toString()`. Data sources (the whole `process.env`, a credential file,
text fetched from the network, bytes read from a socket) travel with a value through concatenation,
calls and variables, so that a send or an `eval` far from the read still knows what it handles.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote, urlsplit

from codeward.analyzers.decoding import unwrap

# data sources a value can carry
ENV = "env"
"""The whole process environment (every token and key in it)."""
CREDENTIAL = "credential"
"""The content of a credential file; the detail is `capability|path`."""
REMOTE = "remote"
"""Data fetched from the network; the detail is the URL or host."""
SOCKET = "socket"
"""Data read from an outgoing socket connection; the detail is host:port."""
LISTENER = "listener"
"""Data read from a connection accepted by a server; the detail is :port."""
SHELL_OUTPUT = "shell"
"""A shell process or its streams; the detail is the shell."""
SYSTEM_FILE = "system_file"
"""The content of a system file (/etc/passwd, /proc/…) or a private one (shell history, /root/…); the detail is the path."""

_ENV_PATHS = {
    "HOME": "$HOME",
    "USERPROFILE": "%USERPROFILE%",
    "TMPDIR": "/tmp",
    "TEMP": "/tmp",
    "TMP": "/tmp",
}

MAX_TEXT = 100_000
"""Folded strings longer than this are not kept (their sources still are)."""


@dataclass(frozen=True, slots=True)
class Source:
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class Closure:
    """A function written in the analysed code, with the scope it closes over."""

    node: Any
    scope: Any


@dataclass(frozen=True, slots=True)
class Value:
    """Everything known about one JavaScript value; an empty Value means nothing is known."""

    text: str | None = None
    """The folded string (or number, as text) when it is a constant."""
    shape: str | None = None
    """The string as written with unknown parts as `${name}` placeholders (`rm -rf ${dir}/`)."""
    ref: str | None = None
    """The API it names: `child_process`, `child_process.exec`, `fs.promises.rm`, `process.env`."""
    kind: str | None = None
    """A run-time object: socket, listener, shell, process, request, websocket, xhr, response."""
    sources: frozenset[Source] = frozenset()
    decoded: str | None = None
    """How the constant was recovered when it was hidden: `base64`, `charcodes`, `reversed`, …"""
    encoded: tuple[str, str, int] | None = None
    """A Buffer still holding encoded text: (text, encoding, compression layers), decoded when it is
    turned into a string."""
    fields: tuple[tuple[str, Value], ...] | None = None
    """Properties of an object literal, in order."""
    items: tuple[Value, ...] | None = None
    """Elements of an array literal."""
    closure: Closure | None = None
    flag: bool | None = None
    """A constant boolean."""
    target: str | None = None
    """Where a request, socket or response points: a URL, host or host:port."""
    returns: tuple[Value, ...] = field(default=(), compare=False)

    # ------------------------------------------------------------------ reading
    @property
    def known(self) -> bool:
        return self.text is not None

    @property
    def rendered(self) -> str:
        """The value as a person would read it: the constant, or the shape with placeholders."""
        if self.text is not None:
            return self.text
        if self.shape is not None:
            return self.shape
        return "${?}"

    def field_value(self, name: str) -> Value | None:
        if self.fields is None:
            return None
        found = None
        for key, value in self.fields:
            if key == name:
                found = value
        return found

    def has(self, kind: str) -> bool:
        return any(source.kind == kind for source in self.sources)

    def details(self, kind: str) -> list[str]:
        return sorted({source.detail for source in self.sources if source.kind == kind})

    def all_sources(self) -> frozenset[Source]:
        """Its own sources and those of everything inside it (object fields, array items)."""
        found = set(self.sources)
        for _, value in self.fields or ():
            found |= value.all_sources()
        for item in self.items or ():
            found |= item.all_sources()
        return frozenset(found)

    # ------------------------------------------------------------------ deriving
    def member(self, name: str) -> Value:
        """`value.name`: a field, a deeper API name, or data derived from this value's data."""
        own = self.field_value(name)
        if own is not None:
            return own
        if self.items is not None and name.isdigit() and int(name) < len(self.items):
            return self.items[int(name)]
        if self.text is not None and name == "length":
            return constant(str(len(self.text)))
        if name == "constructor":
            # `x.constructor.constructor` is Function, whatever x is
            return Value(
                ref="Function"
                if (self.ref or "").endswith("constructor")
                else f"{self.ref or '?'}.constructor"
            )
        ref = None
        if self.ref is not None:
            ref = self.ref if name == "default" else f"{self.ref}.{name}"
            ref = normalise_ref(ref)
        if ref == "process.env":
            return Value(ref=ref, sources=frozenset({Source(ENV, "process.env")}))
        if self.ref == "process.env" and name in _ENV_PATHS:
            return Value(text=_ENV_PATHS[name], shape=_ENV_PATHS[name], ref=ref)
        # one property of the environment is one variable, not the whole environment
        sources = frozenset(s for s in self.sources if s.kind != ENV)
        return Value(
            ref=ref, kind=self.kind, sources=sources, target=self.target, shape=f"${{{_name(name)}}}"
        )

    def with_sources(self, sources: frozenset[Source]) -> Value:
        if not sources or sources <= self.sources:
            return self
        return replace(self, sources=self.sources | sources)


NOTHING = Value()


def constant(text: str, decoded: str | None = None) -> Value:
    text = text[:MAX_TEXT]
    return Value(text=text, shape=text, decoded=decoded)


def unknown(name: str = "?", sources: frozenset[Source] = frozenset()) -> Value:
    return Value(shape=f"${{{_name(name)}}}", sources=sources)


def merge(values: list[Value] | tuple[Value, ...]) -> Value:
    """An unknown value carrying the data of all `values` (the result of an operation not folded)."""
    sources: frozenset[Source] = frozenset()
    kind = None
    target = None
    for value in values:
        sources |= value.all_sources()
        kind = kind or value.kind
        target = target or value.target
    return Value(sources=sources, kind=kind, target=target)


def concat(parts: list[Value]) -> Value:
    """`a + b`, template literals, `.concat()`: folded when every part is known."""
    sources: frozenset[Source] = frozenset()
    for part in parts:
        sources |= part.all_sources()
    decoded = next((part.decoded for part in parts if part.decoded), None)
    if all(part.text is not None for part in parts):
        text = "".join(part.text or "" for part in parts)
        return Value(text=text[:MAX_TEXT], shape=text[:MAX_TEXT], sources=sources, decoded=decoded)
    shape = "".join(part.rendered for part in parts)[:MAX_TEXT]
    return Value(shape=shape, sources=sources, decoded=decoded)


def _name(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:40]
    if not cleaned or cleaned[0].isdigit():
        cleaned = "JS_" + cleaned
    return cleaned


# ------------------------------------------------------------------ literals
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def unescape(body: str) -> tuple[str, bool]:
    """A string literal's body with escapes applied; True when most of it was written as escapes."""
    hidden = 0

    def replace_one(match: re.Match[str]) -> str:
        nonlocal hidden
        code = match.group(1)
        if code[0] == "u":
            hidden += 1
            digits = code[2:-1] if code.startswith("u{") else code[1:]
            try:
                return chr(int(digits, 16))
            except (ValueError, OverflowError):
                return ""
        if code[0] == "x":
            hidden += 1
            return chr(int(code[1:], 16))
        if code in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[code]
        if code[0] in "01234567":
            hidden += 1
            return chr(int(code, 8))
        if code in ("\n", "\r\n", "\u2028", "\u2029"):
            return ""
        return code

    text = _ESCAPE.sub(replace_one, body)
    return text, hidden >= 4 and hidden * 2 >= len(text)


# ------------------------------------------------------------------ API names
_PREFIXES = ("globalThis.", "global.", "window.", "self.")
_ALIASES = {
    "fs/promises": "fs.promises",
    "node-fetch": "fetch",
    "cross-fetch": "fetch",
    "isomorphic-fetch": "fetch",
    "undici.fetch": "fetch",
    "cross-spawn": "child_process.spawn",
    "cross-spawn.sync": "child_process.spawnSync",
    "module.require": "require",
    "process.mainModule.require": "require",
    "require.main.require": "require",
    "dns/promises": "dns.promises",
    "timers/promises": "timers.promises",
    "child_process.default": "child_process",
}


def normalise_ref(ref: str) -> str:
    """One spelling per API: `node:fs` is `fs`, `globalThis.eval` is `eval`, `fs/promises` is `fs.promises`."""
    if ref.startswith("node:"):
        ref = ref[5:]
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if ref.startswith(prefix):
                ref = ref[len(prefix) :]
                changed = True
    ref = _ALIASES.get(ref, ref)
    head, _, rest = ref.partition(".")
    if head in _ALIASES and rest:
        ref = f"{_ALIASES[head]}.{rest}"
    return ref


def module_ref(name: str) -> str:
    name = name.strip()
    if name.startswith("node:"):
        name = name[5:]
    return normalise_ref(name.replace("/", ".") if name in ("fs/promises", "dns/promises") else name)


# ------------------------------------------------------------------ folding of string and path operations
def decode_buffer(value: Value, encoding: str | None) -> Value:
    """`buffer.toString(encoding)`: a Buffer of encoded text becomes its decoded text."""
    if value.encoded is None:
        if value.text is not None and encoding in ("base64", "hex"):
            raw = value.text.encode("utf-8", "replace")
            encoded = base64.b64encode(raw) if encoding == "base64" else binascii.hexlify(raw)
            return Value(text=encoded.decode("ascii")[:MAX_TEXT], sources=value.sources)
        return value
    text, first, layers = value.encoded
    if encoding not in (None, "utf8", "utf-8", "ascii", "latin1", "binary", "utf16le", "ucs2"):
        return Value(sources=value.sources)
    decoded = decode_text(text, first, layers)
    if decoded is None:
        return Value(sources=value.sources, decoded=first)
    return decoded.with_sources(value.sources)


def decode_text(text: str, encoding: str, layers: int = 0) -> Value | None:
    """Decoded text of `text` in `encoding` (base64, hex, url), then `layers` compression layers
    (zlib, gzip, …) peeled by `unwrap`."""
    if encoding in ("url", "uri"):
        return constant(unquote(text), decoded="url")
    name = {"base64url": "base64url", "hex": "hex"}.get(encoding, "base64")
    result = unwrap(text, first=name, depth=layers)
    if result is None:
        return None
    return constant(result.content, decoded=result.origin)


def char_codes(values: list[Value]) -> Value:
    """`String.fromCharCode(114, 109)`."""
    try:
        codes = [int(float(v.text or "")) for v in values]
        return constant("".join(chr(code) for code in codes), decoded="charcodes")
    except (ValueError, OverflowError):
        return merge(values)


def string_method(receiver: Value, method: str, args: list[Value]) -> Value | None:
    """Fold a string method on a known string; None when the method is not one folded here."""
    text = receiver.text
    if text is None:
        return None
    first = args[0].text if args else None
    second = args[1].text if len(args) > 1 else None
    result: str | None
    if method in ("toString", "valueOf", "trim", "trimStart", "trimEnd", "toLowerCase", "toUpperCase"):
        result = {
            "toString": text,
            "valueOf": text,
            "trim": text.strip(),
            "trimStart": text.lstrip(),
            "trimEnd": text.rstrip(),
            "toLowerCase": text.lower(),
            "toUpperCase": text.upper(),
        }[method]
    elif method == "concat":
        return concat([receiver, *args])
    elif method in ("replace", "replaceAll") and first is not None and second is not None:
        result = text.replace(first, second) if method == "replaceAll" else text.replace(first, second, 1)
    elif method == "split" and first is not None:
        pieces = list(text) if first == "" else text.split(first)
        return Value(items=tuple(constant(p) for p in pieces[:5000]), decoded=receiver.decoded)
    elif method in ("slice", "substring", "substr") and first is not None:
        try:
            start = int(first)
            end = int(second) if second is not None else None
        except ValueError:
            return None
        if method == "substr" and end is not None:
            end = start + end
        result = text[start:end]
    elif method == "repeat" and first is not None and first.isdigit() and int(first) * len(text) <= MAX_TEXT:
        result = text * int(first)
    else:
        return None
    return Value(text=result, shape=result, decoded=receiver.decoded, sources=receiver.sources)


def array_method(receiver: Value, method: str, args: list[Value]) -> Value | None:
    items = receiver.items
    if items is None:
        return None
    if method == "reverse":
        return Value(items=tuple(reversed(items)), decoded="reversed")
    if method == "join":
        separator = args[0].text if args else ","
        if separator is None:
            return None
        parts: list[Value] = []
        for index, item in enumerate(items):
            if index:
                parts.append(constant(separator))
            parts.append(item)
        joined = concat(parts) if parts else constant("")
        decoded = receiver.decoded or joined.decoded
        return replace(joined, decoded=decoded) if decoded else joined
    if method == "concat":
        extra: list[Value] = []
        for arg in args:
            extra.extend(arg.items if arg.items is not None else (arg,))
        return Value(items=(*items, *extra), decoded=receiver.decoded)
    if method in ("map", "filter", "forEach", "reduce", "flat", "slice", "sort"):
        return None
    return None


def path_join(parts: list[Value], *, resolve: bool = False) -> Value:
    """`path.join(…)` / `path.resolve(…)` folded as POSIX paths; unknown parts stay placeholders."""
    rendered = [part.rendered for part in parts]
    sources: frozenset[Source] = frozenset()
    for part in parts:
        sources |= part.sources
    if resolve:
        for index in range(len(rendered) - 1, -1, -1):
            if rendered[index].startswith("/") or rendered[index].startswith("~"):
                rendered = rendered[index:]
                break
    if not rendered:
        return constant(".")
    joined = posixpath.join(*rendered) if rendered else "."
    joined = posixpath.normpath(joined) if joined else "."
    if all(part.text is not None for part in parts):
        return Value(text=joined, shape=joined, sources=sources)
    return Value(shape=joined, sources=sources)


def host_of(url: str) -> str:
    """The host (and port) a URL or host string points at, for a finding's target."""
    text = url.strip()
    if "://" not in text:
        return text.split("/")[0][:120] or text[:120]
    try:
        parts = urlsplit(text)
    except ValueError:
        return text[:120]
    return (parts.netloc or text)[:120]
