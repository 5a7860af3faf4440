"""npm install scripts: the commands a package.json runs on every machine that installs the package.

The manifest is read with the JavaScript grammar (JSON is a JavaScript expression), which gives each
script's line and tolerates comments and trailing commas. Every install-time script becomes a finding
that carries the script as a shell payload, so the shell analyzer judges what it does; the finding
itself is informational for plain build steps and of note for anything else.
"""

from __future__ import annotations

from typing import Any

import re2
from tree_sitter import Language, Parser

from codeward.analyzers.javascript_values import unescape
from codeward.analyzers.rulebook import RuleBook
from codeward.model import Context, Finding, Payload, Severity, Subject

INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepare")
"""Lifecycle scripts npm runs when the package is installed (prepare: when installed from git)."""

_BUILD_STEP = re2.compile(  # RE2: a script is untrusted text of any length, and this backtracks cubically in `re`
    r"^\s*(?:node-gyp(?:-build)?\s+rebuild|node-gyp-build|node-pre-gyp\s+install(?:\s+--fallback-to-build)?|"
    r"prebuild-install(?:\s+\|\|\s+node-gyp\s+rebuild)?|husky(?:\s+install)?|patch-package|tsc(?:\s+-[\w-]+(?:\s+\S+)?)*|"
    r"ngcc|opencollective-postinstall|(?:npm|yarn|pnpm)\s+run\s+[\w:-]+|exit\s+0|echo\s+[^|;&`$]*)\s*$"
)
"""Scripts that only build the package: reported for information, not as a concern."""


class NpmManifestAnalyzer:
    """Findings for package.json install scripts (rule `javascript.exec.install_hook`)."""

    name = "npm-manifest"
    languages = frozenset({"json"})

    def __init__(self, rulebook: RuleBook) -> None:
        self._rulebook = rulebook
        self._parser: Parser | None = None

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        named = (subject.path or "").replace("\\", "/").rsplit("/", 1)[-1].lower() == "package.json"
        if not named and '"scripts"' not in subject.content:
            return []
        source = b"(" + subject.content.encode("utf-8", "replace") + b")"
        tree = self.parser().parse(source)
        manifest = _first_object(tree.root_node)
        if manifest is None:
            return []
        findings = []
        for name, script, line in _scripts(source, manifest):
            if name not in INSTALL_SCRIPTS or not script.strip():
                continue
            plain = bool(_BUILD_STEP.match(script))
            findings.append(
                self._rulebook.finding(
                    "javascript.exec.install_hook",
                    lines=[line],
                    evidence=f'"{name}": "{script}"',
                    target=f"{name}: {script[:120]}",
                    severity=Severity.INFO if plain else None,
                    detail="a build step" if plain else f"npm runs `{script[:160]}` on every install",
                    language="json",
                    payload=Payload(language="bash", content=script, origin=f"package.json {name} script"),
                )
            )
        return findings

    def parser(self) -> Parser:
        if self._parser is None:
            import tree_sitter_javascript

            self._parser = Parser(Language(tree_sitter_javascript.language()))
        return self._parser


def _first_object(root: Any) -> Any:
    node = root
    for _ in range(4):
        if node.type == "object":
            return node
        children = [child for child in node.named_children if child.type != "comment"]
        if not children:
            return None
        node = children[0]
    return node if node.type == "object" else None


def _scripts(source: bytes, manifest: Any) -> list[tuple[str, str, int]]:
    found = []
    for pair in manifest.named_children:
        if pair.type != "pair" or _key(source, pair) != "scripts":
            continue
        scripts = pair.child_by_field_name("value")
        if scripts is None or scripts.type != "object":
            continue
        for entry in scripts.named_children:
            value = entry.child_by_field_name("value") if entry.type == "pair" else None
            if value is None or value.type != "string":
                continue
            body = source[value.start_byte + 1 : value.end_byte - 1].decode("utf-8", "replace")
            found.append((_key(source, entry), unescape(body)[0], int(entry.start_point[0]) + 1))
    return found


def _key(source: bytes, pair: Any) -> str:
    key = pair.child_by_field_name("key")
    if key is None:
        return ""
    text = source[key.start_byte : key.end_byte].decode("utf-8", "replace")
    return text[1:-1] if key.type == "string" else text
