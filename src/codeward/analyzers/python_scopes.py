"""Read a Python module once: parse it (tolerantly), then index what each name is bound to, where.

The index is what the Python analyzer reasons over instead of the tree: bindings per scope (so a
name can be folded to the constant it holds), every call with its enclosing loops, conditions and
function, and the few other nodes the rules look at. Building it is the analyzer's only walk over
the AST. Nothing here executes or compiles the code to bytecode.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import re2

_FENCE = re.compile(r"^\s*```[\w+-]*\s*$")
_CONTINUATION = re.compile(r"^(?:else|elif|except|finally|case)\b|^[)\]}]")
# RE2 for the Python 2 repairs: they read whole source lines, which may be megabytes long, and in
# `re` the lazy group before trailing spaces is quadratic (`except` + spaces: cubic).
_PY2_PRINT = re2.compile(r"^(\s*)print\s+((?:[^\s(=.,].*?)?)\s*$")
_PY2_PRINT_BARE = re.compile(r"^(\s*)print\s*$")
_PY2_EXCEPT = re2.compile(r"^(\s*except\s+[\w.()\s,]+?)\s*,\s*(\w+)\s*:")
_PY2_EXEC = re2.compile(r"^(\s*)exec\s+((?:[^\s(=].*?)?)\s*$")
MAX_STRING_BLOBS = 32
MAX_REPAIRS = 40
PROTECTED_KEYS = frozenset(
    {
        "race",
        "racial",
        "ethnicity",
        "ethnic",
        "ethnic_group",
        "gender",
        "sex",
        "religion",
        "religious",
        "faith",
        "age",
        "age_group",
        "disability",
        "nationality",
        "national_origin",
        "sexual_orientation",
        "marital_status",
        "pregnancy",
        "pregnant",
        "skin_color",
        "skin_colour",
        "caste",
    }
)
MUTATORS = frozenset(
    {
        "append",
        "extend",
        "add",
        "update",
        "insert",
        "write",
        "writelines",
        "set_content",
        "attach",
        "set_payload",
    }
)
"""Methods that put data into the object they are called on (`body.append(secret)` taints `body`)."""
_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


@dataclass(slots=True)
class Binding:
    """One binding of a name: `value` evaluated in `scope`; `element` when the name takes the items of `value`."""

    value: ast.expr
    scope: Scope
    line: int
    column: int
    element: bool = False
    index: int | None = None
    """For `a, b = pair`: the position of this name in the unpacked value."""


@dataclass(slots=True, eq=False)
class Scope:
    kind: str
    """module, function or class."""
    name: str
    node: ast.AST | None
    parent: Scope | None
    params: list[str] = field(default_factory=list)
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)
    """Local name -> dotted origin (`o` -> `os`, `s` -> `os.system`)."""
    star_imports: list[str] = field(default_factory=list)
    returns: list[ast.expr] = field(default_factory=list)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    @property
    def is_method(self) -> bool:
        return self.kind == "function" and self.parent is not None and self.parent.kind == "class"


class CallSite(NamedTuple):
    """One call in the module (a named tuple: the index makes one per call, and a tuple is built in a
    fifth of the time a frozen dataclass takes)."""

    node: ast.Call
    scope: Scope
    loops: tuple[ast.AST, ...]
    """Enclosing for/while loops and comprehensions, innermost last, within the same function."""
    guards: tuple[ast.expr, ...] = ()
    """Tests of the enclosing `if`/`while` statements, within the same function."""

    @property
    def line(self) -> int:
        return self.node.lineno


@dataclass(slots=True)
class ModuleIndex:
    """What one walk over the module found."""

    module: Scope
    lines: list[str]
    body: list[ast.stmt] = field(default_factory=list)
    """The parsed statements, for the rare shape that reads expressions no call holds."""
    calls: list[CallSite] = field(default_factory=list)
    functions: dict[str, list[Scope]] = field(default_factory=dict)
    classes: dict[str, tuple[ast.ClassDef, Scope]] = field(default_factory=dict)
    attributes: dict[str, list[Binding]] = field(default_factory=dict)
    """Dotted targets such as `self.sock` -> their bindings (shared across methods)."""
    infinite_loops: list[tuple[ast.While, Scope]] = field(default_factory=list)
    xor_in_loops: list[int] = field(default_factory=list)
    comparisons: list[tuple[ast.Compare, Scope]] = field(default_factory=list)
    protected_subscripts: list[tuple[ast.Subscript, Scope]] = field(default_factory=list)
    string_blobs: list[tuple[str, int]] = field(default_factory=list)
    mutations: dict[tuple[int, str], list[ast.expr]] = field(default_factory=dict)
    """(id of scope, name) -> values put into that name's object by a mutator call or item assignment."""
    scopes: list[Scope] = field(default_factory=list)
    """Every scope, the module's first."""
    _callers: dict[str, list[CallSite]] | None = None
    _bound: frozenset[str] | None = None
    _assigned: frozenset[str] | None = None

    def bound_names(self) -> frozenset[str]:
        """Every name some scope binds, imports or takes as a parameter. A name outside this set means
        the same thing everywhere in the module (a local function, a builtin or nothing), so reading it
        needs no walk up the scopes. Computed once the index is complete."""
        if self._bound is None:
            assigned: set[str] = set()
            imported: set[str] = set()
            for scope in self.scopes:
                assigned.update(scope.bindings)
                assigned.update(scope.params)
                imported.update(scope.imports)
            self._assigned = frozenset(assigned)
            self._bound = self._assigned | imported
        return self._bound

    def assigned_names(self) -> frozenset[str]:
        """The names some scope binds or takes as a parameter; a bound name outside it is only imported,
        so what it refers to depends on the scope it is read in, not on where in that scope."""
        if self._assigned is None:
            self.bound_names()
        return self._assigned  # type: ignore[return-value]

    def release(self) -> None:
        """Drop every scope's bindings once the analysis is over. A binding points back at its scope, so
        without this the index and the whole tree wait for a full garbage collection (tens of ms on a
        service's heap) instead of being freed when the analysis returns."""
        for scope in self.scopes:
            scope.bindings.clear()

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1].strip()
        return ""

    def callers(self, name: str) -> list[CallSite]:
        """Calls that may reach a function or method called `name` (`name(…)` or `x.name(…)`)."""
        if self._callers is None:
            table: dict[str, list[CallSite]] = {}
            for site in self.calls:
                func = site.node.func
                key = (
                    func.id
                    if isinstance(func, ast.Name)
                    else func.attr
                    if isinstance(func, ast.Attribute)
                    else None
                )
                if key is not None:
                    table.setdefault(key, []).append(site)
            self._callers = table
        return self._callers.get(name, [])


@dataclass(slots=True, frozen=True)
class ParseGap:
    """Lines that could not be parsed, and why."""

    first: int
    last: int
    reason: str


@dataclass(slots=True)
class ParsedModule:
    body: list[ast.stmt]
    gaps: list[ParseGap]
    lines: list[str]
    repaired: int = 0
    """How many Python 2 lines (print/exec statements, `except E, e:`) were read as their Python 3 form."""


def parse(source: str) -> ParsedModule:
    """Parse `source`; on a syntax error, parse each top-level block on its own and keep what parses."""
    lines = source.splitlines()
    cleaned = _without_fences(lines, source)
    text = "\n".join(cleaned)
    try:
        return ParsedModule(ast.parse(text).body, [], lines)
    except _PARSE_ERRORS as error:
        whole_error: BaseException = error.with_traceback(None)  # its traceback would hold this frame
    body: list[ast.stmt] = []
    gaps: list[ParseGap] = []
    repaired = 0
    for first, last in _top_level_blocks(cleaned):
        statements, gap, repairs = _parse_block(cleaned, first, last)
        body.extend(statements)
        repaired += repairs
        if gap is not None:
            gaps.append(gap)
    if not gaps and not repaired:  # every block parses alone but not together (e.g. a dangling `else:`)
        gaps.append(ParseGap(1, max(1, len(lines)), _reason(whole_error)))
    return ParsedModule(body, gaps, lines, repaired)


def _parse_block(lines: list[str], first: int, last: int) -> tuple[list[ast.stmt], ParseGap | None, int]:
    """Parse lines first..last; repair Python 2 lines, else keep the largest parseable prefix."""
    block = lines[first - 1 : last]
    repairs = 0
    while True:
        chunk = "\n" * (first - 1) + "\n".join(block)
        try:
            return ast.parse(chunk).body, None, repairs
        except _PARSE_ERRORS as error:
            failure: BaseException = error.with_traceback(None)
        line = getattr(failure, "lineno", None)
        if not isinstance(failure, SyntaxError) or line is None or not first <= line <= last:
            break
        fixed = _python2_repair(block[line - first]) if repairs < MAX_REPAIRS else None
        if fixed is None:
            break
        block[line - first] = fixed
        repairs += 1
    error_line = getattr(failure, "lineno", None)
    if isinstance(error_line, int) and first < error_line <= last:
        prefix = "\n" * (first - 1) + "\n".join(block[: error_line - first])
        try:
            return ast.parse(prefix).body, ParseGap(error_line, last, _reason(failure)), repairs
        except _PARSE_ERRORS:
            pass
    return [], ParseGap(first, last, _reason(failure)), repairs


def _python2_repair(line: str) -> str | None:
    for pattern, shape in ((_PY2_PRINT, "{0}print({1})"), (_PY2_EXEC, "{0}exec({1})")):
        match = pattern.match(line)
        if match and not match.group(2).endswith(":"):
            return shape.format(match.group(1), match.group(2).rstrip(","))
    if _PY2_PRINT_BARE.match(line):
        return line.rstrip() + "()"
    match = _PY2_EXCEPT.match(line)
    if match:
        return f"{match.group(1)} as {match.group(2)}:" + line[match.end() :]
    return None


def _reason(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return f"syntax error: {error.msg}"
    if isinstance(error, RecursionError | MemoryError):
        return "nested too deeply for the parser"
    return f"unparseable: {str(error)[:80]}"


def _without_fences(lines: list[str], source: str) -> list[str]:
    """Blank out Markdown code fences (```python … ```) that model output often keeps, keeping line numbers."""
    if "```" not in source or not any(_FENCE.match(line) for line in lines):
        return lines
    return ["" if _FENCE.match(line) else line for line in lines]


def _top_level_blocks(lines: list[str]) -> Iterator[tuple[int, int]]:
    """(first, last) line numbers of each top-level statement with its indented body."""
    start: int | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        starts_block = (
            stripped
            and not line[0].isspace()
            and not stripped.startswith("#")
            and not _CONTINUATION.match(stripped)
            and not stripped.startswith("@")
        )
        if starts_block and start is not None and not lines[number - 2].rstrip().endswith(("\\", ",", "(")):
            yield start, _last_code_line(lines, start, number - 1)
            start = None
        if start is None and stripped and not stripped.startswith("#"):
            start = number
    if start is not None:
        yield start, _last_code_line(lines, start, len(lines))


def _last_code_line(lines: list[str], first: int, last: int) -> int:
    while last > first and not lines[last - 1].strip():
        last -= 1
    return last


_Context = tuple[tuple[ast.AST, ...], tuple[ast.expr, ...]]
"""(enclosing loops, enclosing guards) within the current function."""
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})
_LEAVES = frozenset(
    {type(None), str}
    | {
        kind
        for base in (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
        for kind in base.__subclasses__()
    }
)
"""Field values the walk pops and drops at once: contexts, operators, missing parts, identifiers."""
_AST = ast.AST
_LEAF_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "conversion", "kind", "type_comment", "is_async"}
)
"""Fields that never hold a node the walk wants: contexts, operators, identifiers, flags."""
_COMMON = (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.keyword)
"""Nine in ten expression nodes (in ordinary code), in the order the index walk tests them."""
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
"""Node type -> the fields the walk descends into, in `_fields` order (filled as types are met)."""


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = tuple(name for name in kind._fields if name not in _LEAF_FIELDS)  # type: ignore[attr-defined]
    _CHILD_FIELDS[kind] = fields
    return fields


class Indexer:
    """Builds a ModuleIndex in one pass over the statements, in source order."""

    def __init__(self, parsed: ParsedModule) -> None:
        self.module = Scope("module", "<module>", None, None)
        self.index = ModuleIndex(self.module, parsed.lines, body=parsed.body, scopes=[self.module])
        self._body = parsed.body

    def build(self) -> ModuleIndex:
        self._statements(self._body, self.module, ((), ()))
        return self.index

    # ------------------------------------------------------------------ statements
    def _statements(self, body: list[ast.stmt], scope: Scope, context: _Context) -> None:
        for statement in body:
            self._statement(statement, scope, context)

    def _statement(self, node: ast.stmt, scope: Scope, context: _Context) -> None:
        handler = _STATEMENTS.get(type(node))
        if handler is not None:
            handler(self, node, scope, context)
            return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self._expression(child, scope, context)

    def _expr_statement(self, node: ast.Expr, scope: Scope, context: _Context) -> None:
        self._expression(node.value, scope, context)

    def _assign(self, node: ast.Assign, scope: Scope, context: _Context) -> None:
        target = node.targets[0]
        if isinstance(node.value, ast.Lambda) and len(node.targets) == 1 and isinstance(target, ast.Name):
            self._function(node.value, scope, target.id)  # `run = lambda c: os.system(c)` defines run
            return
        self._expression(node.value, scope, context)
        for target in node.targets:
            self._bind_target(target, node.value, scope, context)

    def _update(self, node: ast.AnnAssign | ast.AugAssign, scope: Scope, context: _Context) -> None:
        if node.value is None:
            return
        self._expression(node.value, scope, context)
        value: ast.expr = node.value
        if isinstance(node, ast.AugAssign):  # `x += y` binds x to `x + y`
            value = ast.copy_location(ast.BinOp(_as_load(node.target), node.op, node.value), node)
        self._bind_target(node.target, value, scope, context)

    def _class(self, node: ast.ClassDef, scope: Scope, context: _Context) -> None:
        for expression in [*node.bases, *(k.value for k in node.keywords), *node.decorator_list]:
            self._expression(expression, scope, context)
        inner = Scope("class", node.name, node, scope)
        self.index.scopes.append(inner)
        self.index.classes[node.name] = (node, inner)
        self._statements(node.body, inner, ((), ()))

    def _import(self, node: ast.Import, scope: Scope, context: _Context) -> None:
        for alias in node.names:
            if alias.asname:
                scope.imports[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                scope.imports[top] = top

    def _import_from(self, node: ast.ImportFrom, scope: Scope, context: _Context) -> None:
        origin = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                scope.star_imports.append(origin)
            else:
                scope.imports[alias.asname or alias.name] = f"{origin}.{alias.name}".lstrip(".")

    def _for(self, node: ast.For | ast.AsyncFor, scope: Scope, context: _Context) -> None:
        loops, guards = context
        self._expression(node.iter, scope, context)
        self._bind_target(node.target, node.iter, scope, context, element=True)
        self._statements(node.body, scope, ((*loops, node), guards))
        self._statements(node.orelse, scope, context)

    def _while(self, node: ast.While, scope: Scope, context: _Context) -> None:
        loops, guards = context
        self._expression(node.test, scope, context)
        if _always_true(node.test) and not _breaks(node):
            self.index.infinite_loops.append((node, scope))
        self._statements(node.body, scope, ((*loops, node), (*guards, node.test)))
        self._statements(node.orelse, scope, context)

    def _if(self, node: ast.If, scope: Scope, context: _Context) -> None:
        loops, guards = context
        self._expression(node.test, scope, context)
        self._statements(node.body, scope, (loops, (*guards, node.test)))
        self._statements(node.orelse, scope, (loops, (*guards, node.test)))

    def _with(self, node: ast.With | ast.AsyncWith, scope: Scope, context: _Context) -> None:
        for item in node.items:
            self._expression(item.context_expr, scope, context)
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars, item.context_expr, scope, context)
        self._statements(node.body, scope, context)

    def _try(self, node: ast.Try | ast.TryStar, scope: Scope, context: _Context) -> None:
        self._statements(node.body, scope, context)
        for handler in node.handlers:
            self._statements(handler.body, scope, context)
        self._statements(node.orelse, scope, context)
        self._statements(node.finalbody, scope, context)

    def _match(self, node: ast.Match, scope: Scope, context: _Context) -> None:
        self._expression(node.subject, scope, context)
        for case in node.cases:
            if case.guard is not None:
                self._expression(case.guard, scope, context)
            self._statements(case.body, scope, context)

    def _return(self, node: ast.Return, scope: Scope, context: _Context) -> None:
        if node.value is not None:
            self._expression(node.value, scope, context)
            scope.returns.append(node.value)

    def _define(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope, context: _Context) -> None:
        self._function(node, scope)

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: Scope, name: str = "<lambda>"
    ) -> None:
        """A function or lambda gets its own scope; a lambda bound to a name is called by that name."""
        decorators = [] if isinstance(node, ast.Lambda) else node.decorator_list
        for expression in [*decorators, *node.args.defaults, *node.args.kw_defaults]:
            if expression is not None:
                self._expression(expression, scope, ((), ()))
        if not isinstance(node, ast.Lambda):
            name = node.name
        inner = Scope("function", name, node, scope)
        self.index.scopes.append(inner)
        arguments = node.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            inner.params.append(argument.arg)
        positional = [*arguments.posonlyargs, *arguments.args]
        for argument, default in zip(
            positional[len(positional) - len(arguments.defaults) :], arguments.defaults, strict=False
        ):
            inner.bind(argument.arg, Binding(default, scope, node.lineno, 0))
        for argument, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=False):
            if kw_default is not None:
                inner.bind(argument.arg, Binding(kw_default, scope, node.lineno, 0))
        self.index.functions.setdefault(name, []).append(inner)
        if isinstance(node, ast.Lambda):
            inner.returns.append(node.body)
            self._expression(node.body, inner, ((), ()))
        else:
            self._statements(node.body, inner, ((), ()))

    # ------------------------------------------------------------------ bindings
    def _bind_target(
        self,
        target: ast.expr,
        value: ast.expr,
        scope: Scope,
        context: _Context,
        *,
        element: bool = False,
        index: int | None = None,
    ) -> None:
        line, column = target.lineno, target.col_offset
        if isinstance(target, ast.Name):
            scope.bind(target.id, Binding(value, scope, line, column, element, index))
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, value, scope, context, element=element)
        elif isinstance(target, ast.Tuple | ast.List):
            pairs = isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts)
            for position, item in enumerate(target.elts):
                if pairs and not element and isinstance(value, ast.Tuple | ast.List):
                    self._bind_target(item, value.elts[position], scope, context)
                else:
                    self._bind_target(item, value, scope, context, element=element, index=position)
        elif isinstance(target, ast.Attribute):
            dotted = dotted_name(target)
            if dotted is not None:
                binding = Binding(value, scope, line, column, element, index)
                self.index.attributes.setdefault(dotted, []).append(binding)
            self._expression(target.value, scope, context)
        elif isinstance(target, ast.Subscript):
            if isinstance(target.value, ast.Name):
                self.index.mutations.setdefault((id(scope), target.value.id), []).append(value)
            self._expression(target, scope, context)

    # ------------------------------------------------------------------ expressions
    def _expression(self, root: ast.expr, scope: Scope, context: _Context) -> None:
        """Record calls and the few expression shapes rules need; iterative, so depth cannot overflow.

        Comprehensions recurse (with themselves as the innermost loop); their nesting is shallow."""
        loops, guards = context
        index = self.index
        calls = index.calls
        stack: list[ast.AST] = [root]
        pop, push, extend = stack.pop, stack.append, stack.extend
        name_kind, constant_kind, call_kind, attribute_kind, keyword_kind = _COMMON
        while stack:  # the commonest node types first, each handled without the generic field walk
            node = pop()
            kind = type(node)
            if kind is name_kind:
                continue
            if kind is constant_kind:
                value = node.value  # type: ignore[attr-defined]
                if (
                    type(value) in (str, bytes)
                    and len(value) >= 24
                    and len(index.string_blobs) < MAX_STRING_BLOBS
                ):
                    text = value if isinstance(value, str) else value.decode("latin-1")
                    index.string_blobs.append((text, node.lineno))  # type: ignore[attr-defined]
                continue
            if kind is call_kind:
                calls.append(CallSite(node, scope, loops, guards))  # type: ignore[arg-type]
                func = node.func  # type: ignore[attr-defined]
                arguments = node.args  # type: ignore[attr-defined]
                if type(func) is attribute_kind and type(func.value) is name_kind and func.attr in MUTATORS:
                    key = (id(scope), func.value.id)
                    index.mutations.setdefault(key, []).extend(arguments)
                push(func)
                extend(arguments)
                extend(node.keywords)  # type: ignore[attr-defined]
                continue
            if kind is attribute_kind or kind is keyword_kind:
                push(node.value)  # type: ignore[attr-defined]
                continue
            if kind in _LEAVES:
                continue
            if kind in _COMPREHENSIONS:
                inner = ((*loops, node), guards)
                for generator in node.generators:  # type: ignore[attr-defined]
                    self._bind_target(generator.target, generator.iter, scope, inner, element=True)
                    self._expression(generator.iter, scope, inner)
                    for test in generator.ifs:
                        self._expression(test, scope, inner)
                element = node.key if kind is ast.DictComp else node.elt  # type: ignore[attr-defined]
                self._expression(element, scope, inner)
                if kind is ast.DictComp:
                    self._expression(node.value, scope, inner)  # type: ignore[attr-defined]
                continue
            elif kind is ast.Subscript:
                key = node.slice  # type: ignore[attr-defined]
                if (
                    type(key) is ast.Constant
                    and isinstance(key.value, str)
                    and key.value.lower() in PROTECTED_KEYS
                ):
                    index.protected_subscripts.append((node, scope))  # type: ignore[arg-type]
            elif kind is ast.Compare:
                index.comparisons.append((node, scope))  # type: ignore[arg-type]
            elif kind is ast.BinOp:
                if type(node.op) is ast.BitXor and loops:  # type: ignore[attr-defined]
                    index.xor_in_loops.append(node.lineno)  # type: ignore[attr-defined]
            elif kind is ast.NamedExpr:
                self._bind_target(node.target, node.value, scope, context)  # type: ignore[attr-defined]
            elif kind is ast.Lambda:
                self._function(node, scope)  # type: ignore[arg-type]
                continue
            fields = _CHILD_FIELDS.get(kind)
            for name in fields if fields is not None else _child_fields(kind):
                child = getattr(node, name, None)
                if type(child) is list:
                    extend(child)
                elif isinstance(child, _AST):
                    push(child)


_STATEMENTS: dict[type, Callable[[Indexer, Any, Scope, _Context], None]] = {
    ast.Expr: Indexer._expr_statement,
    ast.Assign: Indexer._assign,
    ast.AnnAssign: Indexer._update,
    ast.AugAssign: Indexer._update,
    ast.FunctionDef: Indexer._define,
    ast.AsyncFunctionDef: Indexer._define,
    ast.ClassDef: Indexer._class,
    ast.Import: Indexer._import,
    ast.ImportFrom: Indexer._import_from,
    ast.For: Indexer._for,
    ast.AsyncFor: Indexer._for,
    ast.While: Indexer._while,
    ast.If: Indexer._if,
    ast.With: Indexer._with,
    ast.AsyncWith: Indexer._with,
    ast.Try: Indexer._try,
    ast.TryStar: Indexer._try,
    ast.Match: Indexer._match,
    ast.Return: Indexer._return,
}


def index_module(parsed: ParsedModule) -> ModuleIndex:
    return Indexer(parsed).build()


def dotted_name(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of attributes on a name; None for anything else. Iterative."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _as_load(target: ast.expr) -> ast.expr:
    if isinstance(target, ast.Name):
        return ast.copy_location(ast.Name(target.id, ast.Load()), target)
    return target


def _always_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and bool(test.value)


def _breaks(loop: ast.While) -> bool:
    """True when the loop body can leave the loop (break or return outside nested loops and functions)."""
    stack: list[ast.AST] = list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Break | ast.Return | ast.Raise):
            return True
        if isinstance(node, ast.For | ast.While | ast.AsyncFor | ast.FunctionDef | ast.AsyncFunctionDef):
            stack.extend(getattr(node, "orelse", []))
            continue
        if isinstance(node, ast.expr):
            if isinstance(node, ast.Call) and dotted_name(node.func) in (
                "sys.exit",
                "exit",
                "os._exit",
                "quit",
            ):
                return True
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False
