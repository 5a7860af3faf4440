"""Shapes no single JavaScript call shows, read from the whole program's calls.

Ransomware: files found by listing a folder are encrypted, written and the originals removed. A fork
bomb: a process started inside a loop that never ends. Both are read from the syntax tree (which
calls the program makes, and where), after the data-flow walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codeward.model import Confidence

if TYPE_CHECKING:
    from codeward.analyzers.javascript import Walk

_CIPHERS = frozenset({"createCipheriv", "createCipher", "publicEncrypt"})
_SUBTLE_ENCRYPT = "subtle.encrypt"
_LISTINGS = frozenset({"readdirSync", "readdir", "opendir", "opendirSync", "glob", "globSync", "walk"})
_WRITES = frozenset(
    {
        "writeFileSync",
        "writeFile",
        "createWriteStream",
        "appendFileSync",
        "renameSync",
        "rename",
        "copyFileSync",
    }
)
_DELETES = frozenset({"unlinkSync", "unlink", "rmSync", "rm"})
_SPAWNS = frozenset({"spawn", "fork", "exec", "execFile", "spawnSync", "execSync", "execFileSync"})
_LOOPS = frozenset({"while_statement", "for_statement", "do_statement"})


@dataclass(slots=True)
class _Calls:
    """The program's calls by the name they end with: name -> call nodes."""

    by_name: dict[str, list[Any]] = field(default_factory=dict)

    def of(self, names: frozenset[str] | set[str]) -> list[Any]:
        return [node for name in names for node in self.by_name.get(name, [])]


def program_shapes(walk: Walk, root: Any) -> None:
    calls = _collect(walk, root)
    _mass_encryption(walk, calls)
    _fork_bombs(walk, calls)


def _collect(walk: Walk, root: Any) -> _Calls:
    calls = _Calls()
    cursor = root.walk()
    while True:
        node = cursor.node
        if node is not None and node.type == "call_expression":
            function = node.child_by_field_name("function")
            if function is not None:
                name = _callee_name(walk, function)
                if name:
                    calls.by_name.setdefault(name, []).append(node)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return calls


def _callee_name(walk: Walk, function: Any) -> str:
    if function.type == "identifier":
        return walk.text(function)
    if function.type == "member_expression":
        prop = function.child_by_field_name("property")
        holder = function.child_by_field_name("object")
        name = walk.text(prop) if prop is not None else ""
        if name == "encrypt" and holder is not None and walk.text(holder).endswith("subtle"):
            return _SUBTLE_ENCRYPT
        return name
    return ""


def _mass_encryption(walk: Walk, calls: _Calls) -> None:
    ciphers = calls.of(_CIPHERS | {_SUBTLE_ENCRYPT})
    if not ciphers:
        return
    listings, writes, deletes = calls.of(_LISTINGS), calls.of(_WRITES), calls.of(_DELETES)
    if not (listings and writes and deletes):
        return
    walk.report(
        "javascript.crypto.mass_encrypt",
        ciphers[0],
        target=walk.text(listings[0])[:120],
        confidence=Confidence.MEDIUM,
        detail=(
            f"lists files (line {walk.line(listings[0])}), encrypts them (line {walk.line(ciphers[0])}), "
            f"writes the result (line {walk.line(writes[0])}) and deletes files (line {walk.line(deletes[0])})"
        ),
    )


def _fork_bombs(walk: Walk, calls: _Calls) -> None:
    for node in calls.of(_SPAWNS):
        loop = _endless_loop_around(walk, node)
        if loop is not None:
            walk.report(
                "javascript.resource.fork_bomb",
                node,
                target="processes",
                detail=f"starts a process on every turn of a loop that never ends (line {walk.line(loop)})",
            )
            return


def _endless_loop_around(walk: Walk, node: Any) -> Any | None:
    parent = node.parent
    while parent is not None:
        if parent.type in (
            "function_declaration",
            "arrow_function",
            "function_expression",
            "method_definition",
        ):
            return None  # a callback runs when called, not on every turn
        if parent.type in _LOOPS and _never_ends(walk, parent):
            return parent
        parent = parent.parent
    return None


def _never_ends(walk: Walk, loop: Any) -> bool:
    condition = loop.child_by_field_name("condition")
    if loop.type == "for_statement":
        return condition is None or walk.text(condition).strip(" ;") in ("", "true", "1")
    if condition is None:
        return False
    text = walk.text(condition).strip("() ")
    if text not in ("true", "1", "!0", "!false"):
        return False
    body = walk.text(loop.child_by_field_name("body") or loop)
    return "break" not in body and "return" not in body
