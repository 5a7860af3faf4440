"""The JavaScript/TypeScript analyzer: parses with tree-sitter and follows values the way Node would run them.

The walk goes through the program in order, binding names to what is known of their values
(`javascript_values.Value`): which API a name refers to (`const {exec: run} = require('child_' +
'process')`), the folded text of strings, and where data came from. Calls to known APIs are judged
by `javascript_effects`; functions written in the file are walked at their call sites with the
arguments bound (bounded), callbacks with what the API hands them. Work is bounded (nesting depth,
steps, re-walks) and the analyzer says so when it stops early.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tree_sitter import Language, Parser

from codeward.analyzers import javascript_effects as effects
from codeward.analyzers.javascript_shapes import program_shapes
from codeward.analyzers.javascript_values import (
    NOTHING,
    Closure,
    Value,
    concat,
    constant,
    merge,
    module_ref,
    unescape,
    unknown,
)
from codeward.analyzers.rulebook import RuleBook
from codeward.model import Confidence, Context, Finding, Payload, Severity, Subject

MAX_DEPTH = 120
"""Syntax-tree levels evaluated recursively; deeper code is still scanned for calls, shallowly."""
MAX_CALL_DEPTH = 4
"""Functions written in the file calling each other, walked with their arguments bound."""
MAX_WALKS_PER_FUNCTION = 8
MAX_FOLLOW_WALKS = 3
MAX_FINDINGS = 300
_SHALLOW = 24
"""Levels evaluated below each call found in code nested deeper than MAX_DEPTH."""
_CALLS = frozenset({"call_expression", "new_expression"})

_GLOBALS = frozenset(
    {
        "process",
        "require",
        "eval",
        "Function",
        "fetch",
        "atob",
        "btoa",
        "Buffer",
        "globalThis",
        "global",
        "window",
        "self",
        "XMLHttpRequest",
        "WebSocket",
        "navigator",
        "setTimeout",
        "setInterval",
        "setImmediate",
        "String",
        "JSON",
        "Object",
        "Array",
        "Reflect",
        "module",
        "exports",
        "decodeURIComponent",
        "decodeURI",
        "unescape",
        "Bun",
        "Deno",
        "Worker",
        "importScripts",
    }
)
_SKIPPED = frozenset(
    {
        "comment",
        "type_annotation",
        "type_arguments",
        "type_parameters",
        "interface_declaration",
        "type_alias_declaration",
        "predefined_type",
        "regex",
        "hash_bang_line",
        "html_comment",
        "ambient_declaration",
        "abstract_method_signature",
        "method_signature",
        "property_signature",
        "index_signature",
        "implements_clause",
        "decorator",
    }
)
_FUNCTIONS = frozenset(
    {
        "function_expression",
        "function",
        "arrow_function",
        "generator_function",
        "function_declaration",
        "generator_function_declaration",
        "method_definition",
    }
)
_TRANSPARENT = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "non_null_expression",
        "satisfies_expression",
        "await_expression",
        "spread_element",
        "expression_statement",
        "yield_expression",
        "type_assertion",
    }
)


class Scope:
    """Names visible in one function body (blocks share their function's scope)."""

    __slots__ = ("names", "parent")

    def __init__(self, parent: Scope | None = None) -> None:
        self.names: dict[str, Value] = {}
        self.parent = parent

    def lookup(self, name: str) -> Value | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.names.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None

    def assign(self, name: str, value: Value) -> None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                scope.names[name] = value
                return
            if scope.parent is None:
                scope.names[name] = value
                return
            scope = scope.parent


class JavaScriptAnalyzer:
    """Findings for JavaScript and TypeScript, every one through a documented rule of `rules/javascript/`."""

    name = "javascript"
    languages = frozenset({"javascript", "typescript"})

    def __init__(self, rulebook: RuleBook) -> None:
        self._rulebook = rulebook
        self._parsers: dict[str, Parser] = {}

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        dialect = subject.language or "javascript"
        if dialect == "typescript" and (subject.path or "").lower().endswith(".tsx"):
            dialect = "tsx"
        return analyze_source(self._rulebook, self.parser(dialect), subject.content, subject.language)

    def parser(self, dialect: str) -> Parser:
        """The tree-sitter parser for `javascript`, `typescript` or `tsx`, built on first use."""
        parser = self._parsers.get(dialect)
        if parser is None:
            parser = Parser(Language(_grammar(dialect)))
            self._parsers[dialect] = parser
        return parser


def _grammar(dialect: str) -> Any:
    if dialect == "typescript":
        import tree_sitter_typescript

        return tree_sitter_typescript.language_typescript()
    if dialect == "tsx":
        import tree_sitter_typescript

        return tree_sitter_typescript.language_tsx()
    import tree_sitter_javascript

    return tree_sitter_javascript.language()


MAX_REPAIRS = 8
"""Lines blanked, at most, to get past syntax errors: a broken line costs only itself."""
MAX_REPAIRED_SIZE = 256_000
"""Larger sources are parsed once: a re-parse each costs time that a decision on 10 MB does not have."""


def analyze_source(rulebook: RuleBook, parser: Parser, content: str, language: str | None) -> list[Finding]:
    source = content.encode("utf-8", "replace")
    tree = parser.parse(source)
    blanked: list[int] = []
    original = tree
    swallowed = _swallowed(tree.root_node) if len(source) <= MAX_REPAIRED_SIZE else 0
    while swallowed and len(blanked) < MAX_REPAIRS:
        # tree-sitter keeps what follows an error inside an ERROR node, where calls are not calls:
        # blank the first broken line (same line numbers) and parse again, while that frees code
        line = _error_lines(tree.root_node)[0]
        repaired = _blank_line(source, line)
        candidate = parser.parse(repaired)
        left = _swallowed(candidate.root_node)
        if left >= swallowed:
            break
        blanked.append(line)
        source, tree, swallowed = repaired, candidate, left
    walk = Walk(rulebook, source, language or "javascript", tree.root_node.descendant_count)
    walk.blanked = blanked
    return walk.run(tree.root_node, original.root_node)


def _swallowed(root: Any) -> int:
    """Bytes of source held in ERROR nodes (an unclosed brace at the end costs nothing: tree-sitter
    marks it missing and keeps the code)."""
    if not root.has_error:
        return 0
    total = 0
    cursor = root.walk()
    if not cursor.goto_first_child():  # the root itself may be an ERROR around good statements
        return 0
    while True:
        node = cursor.node
        if node is not None and node.type == "ERROR":
            total += node.end_byte - node.start_byte
        elif node is not None and node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent() or cursor.node is None or cursor.node.id == root.id:
                return total


def _blank_line(source: bytes, line: int) -> bytes:
    lines = source.split(b"\n")
    if 1 <= line <= len(lines):
        lines[line - 1] = b""
    return b"\n".join(lines)


class Walk:
    """One pass over one program: scopes, findings and the work budget."""

    def __init__(self, rulebook: RuleBook, source: bytes, language: str, size: int) -> None:
        self.rulebook = rulebook
        self.source = source
        self.language = language
        self.scope = Scope()
        self.findings: list[Finding] = []
        self.steps = 0
        self.budget = 6 * size + 20_000
        self.depth = 0
        self.call_depth = 0
        self.call_lines: list[int] = []
        self.returns: list[Value] | None = None
        self.walks: dict[int, int] = {}
        self.pending: list[Closure] = []
        self.skipped: dict[int, tuple[Closure, list[list[Value]]]] = {}
        """Calls not followed into (a function walked MAX_WALKS_PER_FUNCTION times, or too deep a call
        chain), by function: each such function is walked once more at the end with their arguments merged."""
        self.too_deep: list[Any] = []
        self.deep_values: dict[int, Value] | None = None
        """While code nested too deep is scanned: each call's value by node id, so that a long
        chain (`x.a().a()…`) evaluates every link once instead of once per enclosing call."""
        self.limits: list[str] = []
        self.written: dict[str, Value] = {}
        """Files the program writes, by path, with what was written (a download saved to run later)."""
        self.blanked: list[int] = []
        """Lines left out to get past syntax errors."""

    # ------------------------------------------------------------------ entry
    def run(self, root: Any, parsed: Any | None = None) -> list[Finding]:
        """Walk `root`; `parsed` is the tree as first parsed, before broken lines were left out."""
        self.block(root)
        index = 0
        while index < len(self.pending) and self.steps < self.budget:
            closure = self.pending[index]
            index += 1
            if closure.node.id not in self.walks:
                self.invoke(closure, [], None)
        self._follow_skipped()
        self._scan_deep()
        program_shapes(self, root)
        self._report_gaps(parsed if parsed is not None else root)
        return self.findings[:MAX_FINDINGS]

    # ------------------------------------------------------------------ reporting
    def line(self, node: Any) -> int:
        return int(node.start_point[0]) + 1

    def text(self, node: Any) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def line_text(self, node: Any) -> str:
        start = self.source.rfind(b"\n", 0, node.start_byte) + 1
        end = self.source.find(b"\n", node.start_byte)
        if end == -1:
            end = len(self.source)
        if end - start > 400:
            start = max(start, node.start_byte - 40)
            end = min(end, node.start_byte + 300)
        return self.source[start:end].decode("utf-8", "replace")

    def report(
        self,
        rule_id: str,
        node: Any,
        *,
        target: str | None = None,
        detail: str | None = None,
        payload: Payload | None = None,
        capability: str | None = None,
        scope: str | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        evidence: str | None = None,
    ) -> None:
        if len(self.findings) >= MAX_FINDINGS:
            return
        self.findings.append(
            self.rulebook.finding(
                rule_id,
                lines=[self.line(node), *self.call_lines],
                evidence=evidence if evidence is not None else self.line_text(node),
                target=target,
                scope=scope,
                detail=detail,
                payload=payload,
                capability=capability,
                severity=severity,
                confidence=confidence,
                language=self.language,
            )
        )

    def _report_gaps(self, root: Any) -> None:
        if root.has_error:
            lines = sorted(set(_error_lines(root)) | set(self.blanked))
            shown = ", ".join(map(str, lines[:8]))
            left_out = ", ".join(map(str, self.blanked))
            plural = "s" if len(self.blanked) > 1 else ""
            how = (
                f"left out line{plural} {left_out}, analysed the rest"
                if self.blanked
                else "the parser recovered"
            )
            self.findings.append(
                self.rulebook.finding(
                    "javascript.analysis.partial",
                    lines=lines[:8],
                    evidence=f"syntax errors on lines {shown}",
                    detail=f"syntax errors on lines {shown}; {how}",
                    language=self.language,
                )
            )
        if self.steps >= self.budget:
            self.limits.append("the work budget ran out before the whole program was followed")
        if self.limits:
            self.findings.append(
                self.rulebook.finding(
                    "javascript.analysis.partial",
                    lines=[],
                    evidence="; ".join(sorted(set(self.limits))),
                    detail="; ".join(sorted(set(self.limits))),
                    severity=Severity.LOW,
                    language=self.language,
                )
            )

    # ------------------------------------------------------------------ evaluation
    def value(self, node: Any) -> Value:
        """Evaluate `node` for its effects and return what is known of its value."""
        self.steps += 1
        if self.steps > self.budget:
            return NOTHING
        kind = node.type
        if kind in _SKIPPED:
            return NOTHING
        if self.depth >= MAX_DEPTH:
            if not self.too_deep or self.too_deep[-1].id != node.id:
                self.too_deep.append(node)
            return NOTHING
        if self.deep_values is not None and kind in _CALLS:
            known = self.deep_values.get(node.id)
            if known is not None:
                return known
        self.depth += 1
        try:
            handler = _HANDLERS.get(kind)
            if handler is not None:
                result: Value = handler(self, node)
                if self.deep_values is not None and kind in _CALLS and self.depth == MAX_DEPTH - _SHALLOW + 1:
                    self.deep_values[node.id] = result  # only a value evaluated with the full shallow depth
                return result
            if kind in _TRANSPARENT:
                return self._last_child(node)
            if kind in _FUNCTIONS:
                return self.closure(node)
            return self.children(node)
        finally:
            self.depth -= 1

    def children(self, node: Any) -> Value:
        values = [self.value(child) for child in node.named_children]
        return merge([v for v in values if v.sources]) if values else NOTHING

    def _last_child(self, node: Any) -> Value:
        result = NOTHING
        for child in node.named_children:
            if child.type not in _SKIPPED:
                result = self.value(child)
        return result

    def block(self, node: Any) -> Value:
        for child in node.named_children:
            if child.type in ("function_declaration", "generator_function_declaration"):
                self._declare_function(child)
        for child in node.named_children:
            if self.steps > self.budget:
                break
            self.value(child)
        return NOTHING

    def _declare_function(self, node: Any) -> Value:
        name = node.child_by_field_name("name")
        value = self.closure(node)
        if name is not None:
            self.scope.names[self.text(name)] = value
        return NOTHING

    def closure(self, node: Any) -> Value:
        closure = Closure(node, self.scope)
        self.pending.append(closure)
        return Value(closure=closure)

    # ------------------------------------------------------------------ names and bindings
    def identifier(self, node: Any) -> Value:
        name = self.text(node)
        found = self.scope.lookup(name)
        if found is not None:
            return found
        if name in _GLOBALS:
            return Value(ref=name)
        if name == "__dirname" or name == "__filename":
            return Value(text=".", shape=".", ref=name)
        if name == "undefined":
            return NOTHING
        return unknown(name)

    def bind(self, pattern: Any, value: Value, *, declare: bool = True) -> None:
        kind = pattern.type
        if kind in ("identifier", "shorthand_property_identifier_pattern", "this"):
            name = self.text(pattern)
            if value is NOTHING or value == NOTHING:
                value = unknown(name)
            if declare:
                self.scope.names[name] = value
            else:
                self.scope.assign(name, value)
        elif kind == "object_pattern":
            for child in pattern.named_children:
                if child.type == "pair_pattern":
                    key = child.child_by_field_name("key")
                    target = child.child_by_field_name("value")
                    if key is not None and target is not None:
                        self.bind(target, value.member(self._key(key)), declare=declare)
                elif child.type == "shorthand_property_identifier_pattern":
                    self.bind(child, value.member(self.text(child)), declare=declare)
                elif child.type == "object_assignment_pattern":
                    left = child.child_by_field_name("left")
                    if left is not None:
                        member = value.member(self.text(left))
                        if member.text is None and member.ref is None and not member.sources:
                            right = child.child_by_field_name("right")
                            member = self.value(right) if right is not None else member
                        self.bind(left, member, declare=declare)
                elif child.type == "rest_pattern":
                    self._bind_rest(child, value, declare)
        elif kind == "array_pattern":
            for index, child in enumerate(pattern.named_children):
                if child.type == "rest_pattern":
                    self._bind_rest(child, value, declare)
                    continue
                item = (
                    value.items[index]
                    if value.items is not None and index < len(value.items)
                    else merge([value])
                )
                self.bind(child, item, declare=declare)
        elif kind in ("assignment_pattern", "object_assignment_pattern"):
            left = pattern.child_by_field_name("left")
            right = pattern.child_by_field_name("right")
            if value == NOTHING and right is not None:
                value = self.value(right)
            if left is not None:
                self.bind(left, value, declare=declare)
        elif kind in ("required_parameter", "optional_parameter"):
            inner = pattern.child_by_field_name("pattern")
            default = pattern.child_by_field_name("value")
            if value == NOTHING and default is not None:
                value = self.value(default)
            if inner is not None:
                self.bind(inner, value, declare=declare)
        elif kind == "rest_pattern":
            self._bind_rest(pattern, value, declare)
        elif kind in ("member_expression", "subscript_expression"):
            self.value(pattern)

    def _bind_rest(self, node: Any, value: Value, declare: bool) -> None:
        for child in node.named_children:
            self.bind(child, value, declare=declare)

    def _key(self, node: Any) -> str:
        if node.type == "string":
            return self.string(node).text or ""
        if node.type == "computed_property_name":
            inner = self._last_child(node)
            return inner.text or "?"
        return self.text(node)

    # ------------------------------------------------------------------ declarations and statements
    def declaration(self, node: Any) -> Value:
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            initial = declarator.child_by_field_name("value")
            value = self.value(initial) if initial is not None else NOTHING
            if name is not None:
                self.bind(name, value)
        return NOTHING

    def import_statement(self, node: Any) -> Value:
        source = node.child_by_field_name("source")
        module = module_ref(self.string(source).text or "") if source is not None else ""
        for child in node.named_children:
            if child.type == "import_require_clause":
                name = child.named_children[0] if child.named_children else None
                required = child.child_by_field_name("source")
                if name is not None and required is not None:
                    self.scope.names[self.text(name)] = Value(
                        ref=module_ref(self.string(required).text or "")
                    )
            if child.type != "import_clause" or not module:
                continue
            for part in child.named_children:
                if part.type == "identifier":
                    self.scope.names[self.text(part)] = Value(ref=module)
                elif part.type == "namespace_import":
                    for name in part.named_children:
                        self.scope.names[self.text(name)] = Value(ref=module)
                elif part.type == "named_imports":
                    for specifier in part.named_children:
                        if specifier.type != "import_specifier":
                            continue
                        imported = specifier.child_by_field_name("name")
                        alias = specifier.child_by_field_name("alias") or imported
                        if imported is not None and alias is not None:
                            member = self._key(imported)
                            self.scope.names[self.text(alias)] = Value(ref=module).member(member)
        return NOTHING

    def for_in(self, node: Any) -> Value:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        collection = self.value(right) if right is not None else NOTHING
        item = merge(list(collection.items)) if collection.items else merge([collection])
        if left is not None:
            self.bind(left, item)
        body = node.child_by_field_name("body")
        if body is not None:
            self.value(body)
        return NOTHING

    def return_statement(self, node: Any) -> Value:
        value = self._last_child(node)
        if self.returns is not None:
            self.returns.append(value)
        return NOTHING

    def class_declaration(self, node: Any) -> Value:
        methods: list[tuple[str, Value]] = []
        for child in node.named_children:
            if child.type == "class_heritage":
                self.value(child)
            if child.type != "class_body":
                continue
            for member in child.named_children:
                if member.type == "method_definition":
                    name = member.child_by_field_name("name")
                    methods.append((self.text(name) if name is not None else "?", self.closure(member)))
                elif member.type not in _SKIPPED:
                    self.value(member)
        value = Value(fields=tuple(methods))
        name = node.child_by_field_name("name")
        if node.type == "class_declaration" and name is not None:
            self.scope.names[self.text(name)] = value
        return value

    def error(self, node: Any) -> Value:
        return self.children(node)

    # ------------------------------------------------------------------ expressions
    def string(self, node: Any) -> Value:
        body = self.source[node.start_byte + 1 : node.end_byte - 1].decode("utf-8", "replace")
        text, hidden = unescape(body)
        return constant(text, decoded="escapes" if hidden else None)

    def template(self, node: Any) -> Value:
        parts: list[Value] = []
        cursor = node.start_byte + 1
        hidden_any = False
        for child in node.named_children:
            if child.type != "template_substitution":
                continue
            raw = self.source[cursor : child.start_byte].decode("utf-8", "replace")
            text, hidden = unescape(raw)
            hidden_any = hidden_any or hidden
            parts.append(constant(text))
            parts.append(self._last_child(child))
            cursor = child.end_byte
        text, hidden = unescape(self.source[cursor : node.end_byte - 1].decode("utf-8", "replace"))
        parts.append(constant(text))
        folded = concat(parts)
        if hidden or hidden_any:
            return Value(
                text=folded.text,
                shape=folded.shape,
                sources=folded.sources,
                decoded=folded.decoded or "escapes",
            )
        return folded

    def number(self, node: Any) -> Value:
        text = self.text(node).replace("_", "")
        try:
            number = int(text, 0) if text[:2].lower() in ("0x", "0o", "0b") else float(text)
        except ValueError:
            return constant(text)
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        return constant(str(number))

    def boolean(self, node: Any) -> Value:
        text = node.type
        return Value(text=text, shape=text, flag=text == "true")

    def binary(self, node: Any) -> Value:
        left_node = node.child_by_field_name("left")
        right_node = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        left = self.value(left_node) if left_node is not None else NOTHING
        right = self.value(right_node) if right_node is not None else NOTHING
        op = self.text(operator) if operator is not None else ""
        if op == "+":
            return concat([left, right])
        if op in ("||", "??"):
            chosen = left if (left.known or left.ref or left.kind or left.closure) else right
            return chosen.with_sources(right.all_sources() | left.all_sources())
        if op == "&&":
            return right.with_sources(left.all_sources())
        return merge([left, right])

    def ternary(self, node: Any) -> Value:
        condition = node.child_by_field_name("condition")
        if condition is not None:
            self.value(condition)
        branches = [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
        values = [self.value(branch) for branch in branches if branch is not None]
        informative = [v for v in values if v.known or v.ref or v.kind or v.closure]
        chosen = informative[0] if informative else NOTHING
        sources = merge(values).sources
        return chosen.with_sources(sources)

    def unary(self, node: Any) -> Value:
        self.children(node)
        return NOTHING

    def sequence(self, node: Any) -> Value:
        return self._last_child(node)

    def member_expression(self, node: Any) -> Value:
        owner = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        base = self.value(owner) if owner is not None else NOTHING
        if prop is None:
            return merge([base])
        return base.member(self.text(prop))

    def subscript(self, node: Any) -> Value:
        owner = node.child_by_field_name("object")
        index_node = node.child_by_field_name("index")
        base = self.value(owner) if owner is not None else NOTHING
        index = self.value(index_node) if index_node is not None else NOTHING
        if index.text is not None:
            return base.member(index.text)
        return merge([base, index])

    def object(self, node: Any) -> Value:
        fields: list[tuple[str, Value]] = []
        loose: list[Value] = []
        for child in node.named_children:
            if child.type == "pair":
                key = child.child_by_field_name("key")
                value_node = child.child_by_field_name("value")
                value = self.value(value_node) if value_node is not None else NOTHING
                fields.append((self._key(key) if key is not None else "?", value))
            elif child.type == "shorthand_property_identifier":
                fields.append((self.text(child), self.identifier(child)))
            elif child.type == "method_definition":
                name = child.child_by_field_name("name")
                fields.append((self._key(name) if name is not None else "?", self.closure(child)))
            elif child.type == "spread_element":
                spread = self._last_child(child)
                if spread.fields:
                    fields.extend(spread.fields)
                else:
                    loose.append(spread)
            elif child.type not in _SKIPPED:
                loose.append(self.value(child))
        sources = merge(loose).sources if loose else frozenset()
        return Value(fields=tuple(fields), sources=sources)

    def array(self, node: Any) -> Value:
        return Value(items=tuple(self._elements(node)))

    def assignment(self, node: Any) -> Value:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        value = self.value(right) if right is not None else NOTHING
        if left is None:
            return value
        if left.type in ("member_expression", "subscript_expression"):
            self._assign_member(left, value)
        elif left.type in ("identifier", "object_pattern", "array_pattern"):
            self.bind(left, value, declare=False)
        return value

    def _assign_member(self, left: Any, value: Value) -> None:
        owner_node = left.child_by_field_name("object")
        prop = left.child_by_field_name("property") or left.child_by_field_name("index")
        owner = self.value(owner_node) if owner_node is not None else NOTHING
        if prop is None:
            return
        name = self.text(prop) if prop.type == "property_identifier" else (self.value(prop).text or "?")
        if value.closure is not None:
            # `socket.onmessage = (event) => …`: the handler receives what the object delivers
            self.invoke(value.closure, [effects.delivered(owner)], None)
        if owner_node is not None and owner_node.type == "identifier" and owner.fields is not None:
            updated = Value(fields=(*owner.fields, (name, value)), sources=owner.sources, kind=owner.kind)
            self.scope.assign(self.text(owner_node), updated)

    def augmented(self, node: Any) -> Value:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        current = self.value(left) if left is not None else NOTHING
        value = self.value(right) if right is not None else NOTHING
        if operator is not None and self.text(operator) == "+=":
            result = concat([current, value])
        else:
            result = merge([current, value])
        if left is not None and left.type == "identifier":
            self.scope.assign(self.text(left), result)
        return result

    def call(self, node: Any) -> Value:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        receiver: Value | None = None
        method: str | None = None
        if function is None:
            return self.children(node)
        if function.type == "member_expression":
            owner = function.child_by_field_name("object")
            prop = function.child_by_field_name("property")
            receiver = self.value(owner) if owner is not None else NOTHING
            method = self.text(prop) if prop is not None else None
            callee = receiver.member(method) if method else NOTHING
        elif function.type == "subscript_expression":
            owner = function.child_by_field_name("object")
            index = function.child_by_field_name("index")
            receiver = self.value(owner) if owner is not None else NOTHING
            key = self.value(index) if index is not None else NOTHING
            method = key.text
            callee = receiver.member(method) if method else merge([receiver])
        elif function.type == "import":
            callee = Value(ref="require")
        else:
            callee = self.value(function)
        tagged = arguments is not None and arguments.type == "template_string"
        args = self._arguments(arguments) if arguments is not None else []
        owner = function.child_by_field_name("object") if receiver is not None else None
        name = self.text(owner) if owner is not None and owner.type == "identifier" else None
        return self._dispatch(
            effects.Call(node, callee, receiver, method, args, tagged=tagged, receiver_name=name)
        )

    def new(self, node: Any) -> Value:
        constructor = node.child_by_field_name("constructor")
        arguments = node.child_by_field_name("arguments")
        callee = self.value(constructor) if constructor is not None else NOTHING
        args = self._arguments(arguments) if arguments is not None else []
        return self._dispatch(effects.Call(node, callee, None, None, args, constructing=True))

    def _arguments(self, node: Any) -> list[Value]:
        if node.type == "template_string":
            return [self.template(node)]
        return self._elements(node)

    def _elements(self, node: Any) -> list[Value]:
        """Array items or call arguments, with spread arrays (`...parts`) laid out in place."""
        args: list[Value] = []
        for child in node.named_children:
            if child.type in _SKIPPED:
                continue
            if child.type == "spread_element":
                spread = self._last_child(child)
                args.extend(spread.items if spread.items is not None else (spread,))
            else:
                args.append(self.value(child))
        return args

    def _dispatch(self, call: effects.Call) -> Value:
        result = effects.dispatch(self, call)
        for arg in call.args:
            if arg.closure is not None and arg.closure.node.id not in call.consumed:
                self.invoke(arg.closure, [call.delivers or result], None, call)
        return result

    # ------------------------------------------------------------------ functions
    def invoke(
        self, closure: Closure, args: list[Value], call_line: int | None, call: effects.Call | None = None
    ) -> Value:
        """Walk a function written in the file with `args` bound to its parameters; its return value."""
        if call is not None:
            call.consumed.add(closure.node.id)
        key = closure.node.id
        walked = self.walks.get(key, 0)
        if walked and (walked >= MAX_WALKS_PER_FUNCTION or self.call_depth >= MAX_CALL_DEPTH):
            self.skipped.setdefault(key, (closure, []))[1].append(args)
            return merge(args)
        if self.steps > self.budget:
            return NOTHING
        self.walks[key] = walked + 1
        node = closure.node
        saved_scope, saved_returns, saved_depth = self.scope, self.returns, self.depth
        self.scope = Scope(closure.scope)
        self.returns = []
        self.call_depth += 1
        if call_line is not None:
            self.call_lines.append(call_line)
        try:
            parameters = node.child_by_field_name("parameters")
            single = node.child_by_field_name("parameter")
            patterns = (
                [single] if single is not None else list(parameters.named_children) if parameters else []
            )
            patterns = [p for p in patterns if p.type not in _SKIPPED]
            last = args[-1] if args else NOTHING
            for index, pattern in enumerate(patterns):
                if pattern.type == "rest_pattern":
                    self.bind(pattern, Value(items=tuple(args[index:])) if index < len(args) else NOTHING)
                    continue
                bound = args[index] if index < len(args) else (last if len(args) == 1 and index else NOTHING)
                self.bind(pattern, bound)
            body = node.child_by_field_name("body")
            if body is not None:
                if body.type == "statement_block":
                    self.block(body)
                else:
                    self.returns.append(self.value(body))
            returned = self.returns
        finally:
            self.scope, self.returns = saved_scope, saved_returns
            self.depth = saved_depth
            self.call_depth -= 1
            if call_line is not None:
                self.call_lines.pop()
        useful = [v for v in returned if v != NOTHING]
        if len(useful) == 1:
            return useful[0]
        return merge(useful) if useful else NOTHING

    def _follow_skipped(self) -> None:
        """Walk each function that some calls were not followed into once more, from the top of the
        call chain, with each parameter bound to the merge of what those calls passed: what the
        arguments carry (credentials, the network, the environment) still reaches the function's
        calls, though constant text does not survive a merge. A call made by one of these walks
        to a function already walked this way is covered when its arguments carry nothing new;
        otherwise the function is walked again, at most MAX_FOLLOW_WALKS times."""
        carried: dict[int, list[frozenset[Any]]] = {}
        walks: dict[int, int] = {}
        unfollowed = False
        while self.skipped and self.steps < self.budget:
            key, (closure, calls) = self.skipped.popitem()
            width = max(len(args) for args in calls)
            merged = [merge([args[i] for args in calls if i < len(args)]) for i in range(width)]
            sources = [value.all_sources() for value in merged]
            before = carried.get(key)
            if before is not None:
                sources = [
                    (before[i] if i < len(before) else frozenset())
                    | (sources[i] if i < len(sources) else frozenset())
                    for i in range(max(len(before), len(sources)))
                ]
                if sources == before:
                    continue
                if walks[key] >= MAX_FOLLOW_WALKS:
                    unfollowed = True
                    continue
                merged = [
                    merge([unknown(sources=source), *merged[i : i + 1]]) for i, source in enumerate(sources)
                ]
            carried[key] = sources
            walks[key] = walks.get(key, 0) + 1
            saved_depth, saved_walks = self.call_depth, self.walks.get(key, 0)
            self.call_depth, self.walks[key] = 0, 0
            try:
                self.invoke(closure, merged, None)
            finally:
                self.call_depth, self.walks[key] = saved_depth, saved_walks + 1
        if unfollowed or self.skipped:
            self.limits.append("some functions were not followed into at every call")

    # ------------------------------------------------------------------ code nested too deep to recurse into
    def _scan_deep(self) -> None:
        """Calls inside code nested deeper than MAX_DEPTH are evaluated one by one, a few levels deep each."""
        if not self.too_deep:
            return
        self.limits.append(
            f"code nested deeper than {MAX_DEPTH} levels was scanned call by call, without data flow"
        )
        calls: list[Any] = []
        seen: set[int] = set()
        for root in self.too_deep[:50]:
            cursor = root.walk()
            reached_root = False
            while not reached_root and len(calls) < self.budget:
                node = cursor.node
                if node is not None and node.type in _CALLS and node.id not in seen:
                    seen.add(node.id)
                    calls.append(node)
                if cursor.goto_first_child():
                    continue
                while not cursor.goto_next_sibling():
                    if not cursor.goto_parent() or cursor.node is None or cursor.node.id == root.id:
                        reached_root = True
                        break
                if cursor.node is not None and cursor.node.id == root.id:
                    reached_root = True
        # Innermost first: every call is evaluated with the full shallow depth, and an enclosing
        # call finds the value of the calls inside it already known.
        self.deep_values = {}
        saved = self.depth
        try:
            for node in reversed(calls):
                if self.steps >= self.budget:
                    break
                self.depth = MAX_DEPTH - _SHALLOW
                self.value(node)
        finally:
            self.depth = saved
            self.deep_values = None


def _error_lines(root: Any) -> list[int]:
    lines: list[int] = []
    cursor = root.walk()
    while len(lines) < 20:
        node = cursor.node
        descend = node is not None and node.has_error
        if node is not None and (node.type == "ERROR" or node.is_missing):
            lines.append(int(node.start_point[0]) + 1)
            descend = False
        if descend and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return sorted(set(lines))
    return sorted(set(lines))


_HANDLERS: dict[str, Callable[[Walk, Any], Value]] = {
    "program": Walk.block,
    "statement_block": Walk.block,
    "class_body": Walk.block,
    "lexical_declaration": Walk.declaration,
    "variable_declaration": Walk.declaration,
    "import_statement": Walk.import_statement,
    "for_in_statement": Walk.for_in,
    "return_statement": Walk.return_statement,
    "class_declaration": Walk.class_declaration,
    "class": Walk.class_declaration,
    "abstract_class_declaration": Walk.class_declaration,
    "function_declaration": Walk._declare_function,
    "generator_function_declaration": Walk._declare_function,
    "ERROR": Walk.error,
    "string": Walk.string,
    "template_string": Walk.template,
    "number": Walk.number,
    "true": Walk.boolean,
    "false": Walk.boolean,
    "identifier": Walk.identifier,
    "shorthand_property_identifier": Walk.identifier,
    "binary_expression": Walk.binary,
    "ternary_expression": Walk.ternary,
    "unary_expression": Walk.unary,
    "update_expression": Walk.unary,
    "sequence_expression": Walk.sequence,
    "member_expression": Walk.member_expression,
    "subscript_expression": Walk.subscript,
    "object": Walk.object,
    "array": Walk.array,
    "assignment_expression": Walk.assignment,
    "augmented_assignment_expression": Walk.augmented,
    "call_expression": Walk.call,
    "new_expression": Walk.new,
}
