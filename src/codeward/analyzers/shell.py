"""The shell analyzer: parses bash/sh with tree-sitter and judges each command as the shell would run it.

Parsing, not pattern matching, is what tells `rm -rf /` from `echo "rm -rf /"`. The walk follows
the script in order: it remembers constant assignments (`T=/; rm -rf $T`), sees through wrappers
(`sudo env timeout 5 /bin/rm`), descends into code that runs nested (`bash -c`, `eval`, `$(…)`,
`find -exec`, `xargs`, heredocs fed to `sh`, functions at their call sites), and follows data along
pipelines (a credential read flowing into `nc`, a download flowing into `sh`). Work is bounded:
nesting depth, re-walks of function bodies and decoded bytes all have limits, and the analyzer says
so when it hits one.
"""

from __future__ import annotations

import posixpath
import time
from dataclasses import dataclass, replace
from typing import Any

import re2
import tree_sitter_bash
from tree_sitter import Language, Parser

from codeward.analyzers import shell_files, shell_network, shell_streams, shell_system, targets
from codeward.analyzers.rulebook import RuleBook
from codeward.analyzers.shell_files import read_file, write_file
from codeward.analyzers.shell_network import remote_shell, send
from codeward.analyzers.shell_programs import (
    INTERPRETERS,
    SHELLS,
    Call,
    parse_options,
    program_name,
    strip_wrappers,
)
from codeward.analyzers.shell_streams import fork_bomb, interpreter, shell
from codeward.analyzers.shell_words import (
    ENVIRONMENT,
    NOTHING,
    REMOTE,
    SOCKET,
    Environment,
    Stream,
    Taint,
    Value,
    WordReader,
    brace_expansion,
    endless_source,
    literal,
    without_endless,
)
from codeward.model import Confidence, Context, Finding, Payload, Severity, Subject

_HANDLERS = {
    **shell_files.HANDLERS,
    **shell_network.HANDLERS,
    **shell_system.HANDLERS,
    **shell_streams.HANDLERS,
}

_STATEMENTS = frozenset(
    {
        "command",
        "redirected_statement",
        "pipeline",
        "list",
        "compound_statement",
        "subshell",
        "variable_assignment",
        "variable_assignments",
        "declaration_command",
        "unset_command",
        "function_definition",
        "if_statement",
        "elif_clause",
        "else_clause",
        "while_statement",
        "for_statement",
        "c_style_for_statement",
        "case_statement",
        "negated_command",
        "test_command",
        "do_group",
        "program",
        "ERROR",
    }
)
_WORDS = frozenset(
    {
        "word",
        "string",
        "raw_string",
        "concatenation",
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "number",
        "ansi_c_string",
        "translated_string",
        "arithmetic_expansion",
        "brace_expression",
        "array",
    }
)
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})


def _kind_ids(language: Language, kinds: frozenset[str]) -> frozenset[int]:
    """The grammar's symbol ids whose name is in `kinds`: `node.kind_id in ids` answers what
    `node.type in kinds` does without building a string for every node the walk looks at."""
    ids = {i for i in range(language.node_kind_count) if language.node_kind_for_id(i) in kinds}
    if "ERROR" in kinds:
        ids.add(_ERROR_ID)
    return frozenset(ids)


_ERROR_ID = 0xFFFF
"""tree-sitter's symbol for a part that did not parse (outside the grammar's own table)."""
_BASH = Language(tree_sitter_bash.language())
_STATEMENT_IDS = _kind_ids(_BASH, _STATEMENTS)
_BACKGROUND_IDS = _kind_ids(_BASH, frozenset({"&"}))
_EFFECT_VARIABLES = frozenset({"HISTFILE", "HISTSIZE", "HISTFILESIZE", "SAVEHIST", "LD_PRELOAD"})
_ENDLESS_PASSERS = frozenset(
    {"yes", "cat", "tee", "pv", "tr", "rev", "cut", "base64", "gzip", "bzip2", "xz", "zstd", "dd"}
)
"""Programs whose output goes on as long as their endless input does; any other reader is taken to
stop it (`yes | head -n 5`, `yes | apt-get install`) or to hold it (`yes | sort`)."""
_LOOP_BRAKES = frozenset({"break", "exit", "return", "logout", "sleep", "read"})
_MKDIR_VALUED = frozenset({"-m", "--mode", "-Z", "--context"})
_INFINITE = frozenset({"true", ":", "/bin/true", "[ 1 ]", "[[ 1 ]]", "((1))", "(( 1 ))"})

_SHELL_SETUP = re2.compile(
    r'^"?\$\(\s*(?:[\w./-]*/)?([a-z][\w.-]*)(?:\s+--?[\w-]+)*\s+(?:init|env|shellenv|hook|completions?|activate)\b[^()`;|&]*\)"?$'
    r'|^"?\$\(\s*(ssh-agent|gpg-agent|dircolors)(?:\s+-[\w-]+)*\s*\)"?$'
)
"""`eval "$(pyenv init -)"`, `eval "$(brew shellenv)"`, `eval "$(ssh-agent -s)"`: a locally installed tool
printing its own shell set-up, the documented way to install it; reported low, not as unknown code."""

MAX_NESTING = 6
"""Levels of code inside code (bash -c inside eval inside $(…)) that are walked."""
MAX_CALL_DEPTH = 4
MAX_NESTED_BYTES = 1_000_000
MAX_RECURSION = 60
"""Syntax-tree depth walked recursively; deeper input is reported as partly analysed."""
MAX_LOOP_VALUES = 4
MAX_FINDINGS = 300
MAX_SECONDS = 1.0
"""Wall-clock budget of one analysis: beyond it the walk stops and the finding says so (huge inputs only)."""
MAX_RECOVERED_LINES = 2_000
"""Lines of unparsed parts that are re-read one by one."""
MAX_REPAIRS = 32
"""How many times a script is re-parsed to undo tree-sitter-bash joining two lines into one command."""


@dataclass(frozen=True, slots=True)
class _Frame:
    """The text being walked: the script itself, or code found inside it (a `bash -c` string, a heredoc)."""

    source: bytes
    offset: int = 0
    fixed: list[int] | None = None
    """Lines every finding in this frame is reported on (code inside a string on those lines)."""
    via: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Function:
    body: Any
    frame: _Frame
    node: Any


class ShellAnalyzer:
    """Findings for bash and sh, every one through a documented rule of `rules/bash/`."""

    name = "shell"
    languages = frozenset({"bash", "sh"})

    def __init__(self, rulebook: RuleBook) -> None:
        self._rulebook = rulebook
        # the analyzer holds the Language itself: the parser alone does not keep it alive
        self._language = _BASH
        self._parser = Parser(self._language)

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        walk = _Walk(self._rulebook, self._parser, subject.language or "bash")
        try:
            return walk.run(subject.content)
        finally:
            walk.release()


class _Walk:
    """One analysis: the state of the script as it would run (variables, functions, downloads, sockets)."""

    def __init__(self, rulebook: RuleBook, parser: Parser, language: str) -> None:
        self.rulebook = rulebook
        self.parser = parser
        self.language = language
        self.original_lines: list[bytes] = []
        self.top_source = b""
        self.deadline = 0.0
        self._reset(b"")

    def _reset(self, source: bytes) -> None:
        self.findings: list[Finding] = []
        self._seen: set[tuple[str, str | None, str | None, tuple[int, ...]]] = set()
        self.environment = Environment()
        self.top_source = source
        self.frame = _Frame(source)
        self._ascii: dict[bytes, str | None] = {}
        self._nested_trees: dict[bytes, Any] = {}
        self.reader = WordReader(source, self.environment, self._substitute, self._ascii_text(source))
        self.functions: dict[str, _Function] = {}
        self.called: set[str] = set()
        self.stack: list[str] = []
        self.downloads: dict[str, str] = {}
        self.encrypted: dict[str, str] = {}
        self.sockets: dict[str, str] = {}
        self.loop_calls: list[Call] | None = None
        """The commands run by the body of the endless loop being walked, if any."""
        self.depth = 0
        self.recursion = 0
        self.steps = 0
        self.budget = 20_000 + len(source)
        self.nested_bytes = 0
        self.limits_hit: set[str] = set()

    def release(self) -> None:
        """Drop the word reader, which holds a method of this walk: the cycle would otherwise keep
        every walk (tree, frames, values) alive until the next full garbage collection."""
        self.__dict__.pop("reader", None)

    def run(self, content: str) -> list[Finding]:
        self.deadline = time.perf_counter() + MAX_SECONDS
        source = content.encode("utf-8", "replace")
        self.original_lines = source.split(b"\n")
        if not source.endswith(b"\n"):
            source += b"\n"  # the grammar recovers better from errors at the end of a line
        for _ in range(MAX_REPAIRS):
            self._reset(source)
            tree = self.parser.parse(_parser_safe(source))
            try:
                self._sequence(tree.root_node, NOTHING)
                self._walk_uncalled()
                break
            except _Misparsed as misparse:
                if misparse.source is not source:
                    raise
                source = misparse.repaired()
        else:
            self.limits_hit.add("the parser kept merging lines; the analysis may be incomplete")
        root = tree.root_node
        if root.has_error:
            self._recover_lines(root)
            self._partial(root, "parts of the script did not parse; the rest was analysed", Severity.INFO)
        if self.limits_hit:
            self._partial(root, "; ".join(sorted(self.limits_hit)), Severity.LOW)
        return self.findings

    def _recover_lines(self, root: Any) -> None:
        """Re-read, one by one, the lines of the parts that did not parse: an unbalanced `if` or quote
        above must not hide the `rm -rf /` below it. A line that parses on its own is walked as a script."""
        rows = _error_rows(root)
        for row in sorted(rows)[:MAX_RECOVERED_LINES]:
            if row >= len(self.original_lines) or time.perf_counter() > self.deadline:
                break
            line = self.original_lines[row].strip()
            if not line or line.startswith(b"#"):
                continue
            source = line + b"\n"
            tree = self.parser.parse(_parser_safe(source))
            if tree.root_node.has_error:
                continue
            self._enter(_Frame(source, offset=row))
            try:
                self._sequence(tree.root_node, NOTHING)
            except _Misparsed:
                continue
            finally:
                self._enter(_Frame(self.top_source))

    # ------------------------------------------------------------------ what checks may ask (Scan)
    def report(
        self,
        rule_id: str,
        call: Call,
        *,
        target: str | None = None,
        scope: str | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        capability: str | None = None,
        detail: str | None = None,
        payload: Payload | None = None,
        evidence: str | None = None,
    ) -> None:
        key = (
            rule_id,
            capability,
            detail if rule_id == "bash.analysis.partial" else target,
            tuple(call.lines),
        )
        if key in self._seen:
            return
        if len(self.findings) >= MAX_FINDINGS and rule_id != "bash.analysis.partial":
            self.limits_hit.add(f"only the first {MAX_FINDINGS} findings are listed")
            return
        self._seen.add(key)
        self.findings.append(
            self.rulebook.finding(
                rule_id,
                lines=call.lines,
                evidence=evidence or call.evidence or self._evidence(call.node),
                target=target,
                scope=scope,
                severity=severity,
                confidence=confidence,
                capability=capability,
                detail=detail,
                language=self.language,
                payload=payload,
            )
        )

    def run_code(self, call: Call, code: Value | Stream, language: str, origin: str) -> None:
        if isinstance(code, Stream):
            taints, content, decoded, line = code.taints, code.content, code.decoded, code.line
        else:
            taints, content, decoded, line = (
                code.taints,
                code.text if code.known else None,
                code.decoded,
                None,
            )
        remote = next((t for t in taints if t.kind == REMOTE), None)
        if remote is not None:
            self.report(
                "bash.exec.remote_code",
                call,
                target=remote.detail,
                scope=targets.remote_scope(remote.detail),
                detail=f"{call.program} runs what {remote.detail} sends, before anyone has read it",
            )
            return
        socket = next((t for t in taints if t.kind == SOCKET), None)
        if socket is not None:
            remote_shell(
                self,
                call,
                socket.detail,
                listening=socket.detail.startswith(":"),
                runs=call.program,
            )
            return
        if content is None:
            if isinstance(code, Value) and not code.known:
                setup = _SHELL_SETUP.match(code.raw)
                self.report(
                    "bash.exec.dynamic",
                    call,
                    target=code.raw[:120],
                    severity=Severity.LOW if setup else None,
                    detail=f"{origin} runs the shell set-up that {setup.group(1)} prints"
                    if setup
                    else f"{origin} runs a command line only known at run time ({code.raw[:80]})",
                )
            elif decoded:
                self.report(
                    "bash.exec.obfuscated",
                    call,
                    target=origin,
                    detail=f"decodes ({' -> '.join(decoded)}) and runs the result",
                )
            return
        if not content.strip():
            return
        if decoded:
            chain = " -> ".join(decoded)
            self.report(
                "bash.exec.obfuscated",
                call,
                target=origin,
                evidence=content,
                detail=f"decodes it ({chain}) and runs it with {call.program}",
                payload=Payload(language=language, content=content, origin=chain),
            )
            return
        if language in ("bash", "sh"):
            self._nested(content, call, origin, line)
            return
        self.report(
            "bash.exec.inline_code",
            call,
            target=language,
            detail=f"{origin} runs {language} code given on the command line",
            payload=Payload(language=language, content=content, origin=origin),
        )

    def run_argv(self, call: Call, argv: list[Value], via: str, items: list[Value] | None = None) -> Stream:
        if self.depth >= MAX_NESTING:
            self.limits_hit.add(f"commands nested deeper than {MAX_NESTING} levels were not analysed")
            return NOTHING
        argv, wrappers = strip_wrappers(argv)
        if not argv:
            return NOTHING
        head = argv[0]
        nested = Call(
            program=program_name(head.text),
            path=head.text,
            args=argv[1:],
            lines=call.lines,
            evidence=call.evidence,
            node=call.node,
            via=(*call.via, via, *wrappers),
            name=head,
            items=items,
        )
        self.depth += 1
        try:
            return self._dispatch(nested)
        finally:
            self.depth -= 1

    def record_download(self, path: str, url: str) -> None:
        self.downloads[targets.normalise(path).removeprefix("./")] = url

    def record_encryption(self, path: str, tool: str) -> None:
        self.encrypted[targets.normalise(path).removeprefix("./")] = tool

    def encrypted_with(self, path: str) -> str | None:
        if not self.encrypted:
            return None
        return self.encrypted.get(targets.normalise(path).removeprefix("./"))

    def downloaded_from(self, path: str) -> str | None:
        if not self.downloads:
            return None
        return self.downloads.get(targets.normalise(path).removeprefix("./"))

    def assign(self, name: str, value: Value) -> None:
        self.environment.variables[name] = value

    def variable(self, name: str) -> Value | None:
        return self.environment.variables.get(name)

    def absolute(self, value: Value) -> Value:
        cwd = self.environment.variables.get("PWD")
        text = value.text
        if cwd is None or not value.known or text.startswith(("/", "~", "$")) or not text:
            return value
        if not cwd.known:
            return replace(value, text=f"$PWD/{text}", known=False, leading=None)
        if cwd.text in (".", ""):
            return value
        return value.changed(text=posixpath.join(cwd.text, text))

    def enclosing_text(self, call: Call) -> str:
        node = call.node
        outer = None
        while node is not None:
            if node.type in (
                "for_statement",
                "while_statement",
                "function_definition",
                "c_style_for_statement",
            ):
                outer = node
            node = node.parent
        return self.reader.text(outer)[:8000] if outer is not None else ""

    # ------------------------------------------------------------------ frames and positions
    def _enter(self, frame: _Frame) -> None:
        self.frame = frame
        self.reader = WordReader(
            frame.source, self.environment, self._substitute, self._ascii_text(frame.source)
        )

    def _parse_nested(self, source: bytes) -> Any:
        """The tree of code found inside the script, parsed once per walk however often it runs (a
        `bash -c` string in a loop or in a function called several times)."""
        tree = self._nested_trees.get(source)
        if tree is None:
            tree = self._nested_trees[source] = self.parser.parse(_parser_safe(source))
        return tree

    def _ascii_text(self, source: bytes) -> str | None:
        """`source` decoded once per walk when it is ASCII, for `WordReader.text` to slice."""
        try:
            return self._ascii[source]
        except KeyError:
            text = source.decode("ascii") if source.isascii() else None
            self._ascii[source] = text
            return text

    def _lines(self, node: Any) -> list[int]:
        fixed = self.frame.fixed
        if fixed is not None:
            return fixed
        return [node.start_point[0] + 1 + self.frame.offset]

    def _evidence(self, node: Any) -> str:
        if node is None:
            return ""
        source = self.frame.source
        if self.frame.fixed is not None:
            return source[node.start_byte : min(node.end_byte, node.start_byte + 300)].decode(
                "utf-8", "replace"
            )
        if source is self.top_source:
            row: int = node.start_point[0]
            if row < len(self.original_lines):
                return self.original_lines[row][:400].decode("utf-8", "replace")
        start = source.rfind(b"\n", 0, node.start_byte) + 1
        end = source.find(b"\n", node.start_byte)
        end = len(source) if end == -1 else end
        return source[start : min(end, start + 400)].decode("utf-8", "replace")

    def _bare(self, node: Any, program: str = "") -> Call:
        return Call(
            program=program,
            path=program,
            args=[],
            lines=self._lines(node),
            evidence="",
            node=node,
            via=self.frame.via,
        )

    def _partial(self, root: Any, message: str, severity: Severity) -> None:
        line = 1
        if severity is Severity.INFO:
            error = _first_error(root)
            line = min(error.start_point[0] + 1, len(self.original_lines)) if error is not None else 1
        call = Call(program="", path="", args=[], lines=[line], evidence=message, node=None)
        self.report(
            "bash.analysis.partial", call, target=None, severity=severity, detail=message, evidence=message
        )

    # ------------------------------------------------------------------ statements
    def _sequence(self, node: Any, stdin: Stream) -> Stream:
        out = NOTHING
        children = node.children
        count = len(children)
        for index in range(count):
            child = children[index]
            if child.kind_id not in _STATEMENT_IDS:
                continue
            background = index + 1 < count and children[index + 1].kind_id in _BACKGROUND_IDS
            out = out.union(self._statement(child, stdin, background))
        return out

    def _statement(self, node: Any, stdin: Stream, background: bool = False) -> Stream:
        self.steps += 1
        if self.steps > self.budget:
            self.limits_hit.add(
                "the script needed more analysis steps than its size allows; the rest was skipped"
            )
            return NOTHING
        if not self.steps & 63 and time.perf_counter() > self.deadline:
            self.budget = self.steps  # stop here, and for the rest of this walk
            self.limits_hit.add(
                f"analysis stopped after {MAX_SECONDS:g} s; the rest of the script was not analysed"
            )
            return NOTHING
        if self.recursion > MAX_RECURSION:
            self.limits_hit.add(f"statements nested deeper than {MAX_RECURSION} levels were not analysed")
            return NOTHING
        self.recursion += 1
        try:
            return self._dispatch_statement(node, stdin, background)
        finally:
            self.recursion -= 1

    def _dispatch_statement(self, node: Any, stdin: Stream, background: bool) -> Stream:
        kind = node.type
        if kind == "command":
            return self._command(node, stdin, [], background)
        if kind == "redirected_statement":
            return self._redirected(node, stdin, background)
        if kind == "pipeline":
            return self._stages(node, stdin, background)
        if kind == "variable_assignment":
            name, value = self._assignment(node)
            self._set(name, value, node)
            return NOTHING
        if kind == "declaration_command" or kind == "variable_assignments":
            for child in node.named_children:
                if child.type == "variable_assignment":
                    name, value = self._assignment(child)
                    self._set(name, value, node)
            return NOTHING
        if kind == "unset_command":
            self._unset(node)
            return NOTHING
        if kind == "function_definition":
            self._define(node)
            return NOTHING
        if kind == "while_statement":
            return self._while(node, stdin)
        if kind == "for_statement":
            return self._for(node, stdin)
        if kind == "c_style_for_statement":
            return self._c_for(node, stdin)
        if kind == "subshell":
            saved = dict(self.environment.variables)
            out = self._sequence(node, stdin)
            self.environment.variables = saved
            self.reader.environment = self.environment
            return out
        if kind == "compound_statement" and node.has_error:
            text = self.reader.text(node).strip()
            if "," in text and not any(ch in text for ch in " \t\n;"):
                # `{rm,-rf,/}` is a command line after brace expansion; the grammar sees a broken group
                return self.run_argv(self._bare(node), brace_expansion(literal(text)), "brace expansion")
        if kind == "case_statement":
            out = NOTHING
            for child in node.named_children:
                if child.type == "case_item":
                    out = out.union(self._sequence(child, stdin))
            return out
        if kind == "test_command":
            for child in node.named_children:
                if child.type in ("command", "redirected_statement"):
                    self._statement(child, NOTHING)  # only a misparse puts commands here; it gets repaired
            self._substitutions(node)
            return NOTHING
        return self._sequence(node, stdin)

    def _stages(self, node: Any, stdin: Stream, background: bool = False) -> Stream:
        stages = [child for child in node.named_children if child.type in _STATEMENTS]
        stream = stdin
        last = len(stages) - 1
        for index, stage in enumerate(stages):
            stream = self._statement(stage, stream, background and index == last)
        return stream

    def _substitutions(self, node: Any) -> None:
        """Commands inside `$(…)` anywhere in a node that is not itself a command ([[ … ]], (( … )))."""
        pending = [node]
        visited = 0
        while pending and visited < 5000:
            current = pending.pop()
            visited += 1
            if current.type in ("command_substitution", "process_substitution"):
                self._substitute(current, current.type == "process_substitution")
                continue
            pending.extend(current.named_children)

    def _substitute(self, node: Any, process: bool) -> Stream:
        return self._sequence(node, NOTHING)

    # ------------------------------------------------------------------ commands
    def _command(self, node: Any, stdin: Stream, redirects: list[Any], background: bool) -> Stream:
        argv: list[Value] = []
        prefix: list[tuple[str, Value]] = []
        named = False
        redirects = list(redirects)
        if self.frame.source.find(b"\n", node.start_byte, node.end_byte) != -1:  # it spans lines
            _check_lines(self.frame.source, node.children)
        reader = self.reader
        for child in node.children:
            kind = child.type
            if kind == "command_name":
                named = True
                inner = child.named_children
                if inner:
                    _add_words(argv, reader, inner[0])
            elif kind == "variable_assignment" and not named:
                prefix.append(self._assignment(child))
            elif kind in _REDIRECTS:
                redirects.append(child)
            elif named and kind == "word":
                _add_words(argv, reader, child)
            elif named and kind in _WORDS:
                if kind == "number" and redirects and redirects[0].start_byte == child.end_byte:
                    continue  # `sh 0</tmp/p`: the grammar reads the descriptor as an argument
                argv.extend(reader.words(child))
        if not named:
            for name, value in prefix:
                self._set(name, value, node)
            return NOTHING
        for name, value in prefix:
            if name in _EFFECT_VARIABLES:
                shell_system.variable_effects(self, self._bare(node), name, value)
        socket_in = socket_out = None
        writes: list[tuple[Value, bool, bool]] = []
        continuations: list[Any] = []
        if redirects:
            stdin, socket_in, socket_out, writes, continuations, extra = self._redirections(
                redirects, stdin, self._bare(node)
            )
            argv.extend(extra)
        original = argv[0] if argv else None
        argv, via = strip_wrappers(argv)
        if not argv:
            return self._without_command(node, self._bare(node), via, socket_in or socket_out)
        head = argv[0]
        frame = self.frame
        call = Call(
            program_name(head.text),
            head.text,
            argv[1:],
            frame.fixed if frame.fixed is not None else [node.start_point[0] + 1 + frame.offset],
            "",
            node,
            stdin,
            (*frame.via, *via) if via else frame.via,
            socket_in,
            socket_out,
            head,
            background,
        )
        if head.disguised or (original is not None and original.disguised and original is not head):
            shown = head if head.disguised else original
            assert shown is not None
            self.report(
                "bash.exec.obfuscated",
                call,
                target=shown.text,
                severity=Severity.HIGH,
                confidence=Confidence.MEDIUM,
                detail=f"the command name is written {shown.raw} to hide that it is {shown.text}",
            )
        if not head.known:
            stdout = self._dynamic_command(call, head)
        else:
            if socket_in is not None and call.program not in SHELLS:
                call.stdin = Stream(frozenset({Taint(SOCKET, socket_in)}))
            stdout = self._dispatch(call)
        if stdout.taints and endless_source(stdout) is not None:
            stdout = self._endless_output(call, stdout, redirects, bool(writes) or socket_out is not None)
        for value, append, errors_only in writes:
            write_file(self, call, value, NOTHING if errors_only else stdout, append=append)
        if socket_out is not None and call.program not in SHELLS and head.known:
            self.report("bash.net.raw_connect", call, target=socket_out, scope=targets.REMOTE)
            send(self, call, socket_out, stdout.taints)
        for continuation in continuations:
            if continuation.type == "pipeline":
                stdout = self._stages(continuation, stdout)
            else:
                self._statement(continuation, NOTHING)
        if writes or socket_out is not None:
            return NOTHING
        return stdout

    def _endless_output(self, call: Call, stdout: Stream, redirects: list[Any], written: bool) -> Stream:
        """Output that never ends (`yes`, `cat /dev/zero`): a reader that stops ends it (`yes | head`),
        a file fills up (write_file judges that), and thrown away in the background or into /dev/null
        it keeps a CPU busy until someone kills it."""
        if call.program not in _ENDLESS_PASSERS:
            return without_endless(stdout)
        if written or _piped_onward(call.node) or "timeout" in call.via:  # timeout: it ends
            return stdout
        discarded = _discards_output(redirects, self.reader)
        if call.background or discarded:
            self.report(
                "bash.sys.resource_exhaustion",
                call,
                target=call.program,
                detail=f"{call.program} runs without end"
                + (" in the background" if call.background else "")
                + (", its output thrown away" if discarded else "")
                + ": it keeps a CPU busy until someone kills it",
            )
        return stdout

    def _without_command(self, node: Any, base: Call, via: list[str], socket: str | None) -> Stream:
        """Only wrappers and redirections: `exec 3<>/dev/tcp/h/p` opens a socket, bare `env` dumps variables."""
        if socket is not None:
            self.report("bash.net.raw_connect", base, target=socket, scope=targets.REMOTE)
        if via and via[-1] == "env":
            return Stream(frozenset({Taint(ENVIRONMENT, "the environment")}))
        return NOTHING

    def _dynamic_command(self, call: Call, head: Value) -> Stream:
        """The program name is a variable the analyzer cannot resolve (`$line`, `$0`)."""
        socket = (
            call.socket_in
            or call.socket_out
            or next((t.detail for t in head.taints if t.kind == SOCKET), None)
        )
        if socket is not None:
            remote_shell(
                self, call, socket, listening=socket.startswith(":"), runs="a loop running each line it reads"
            )
        elif any(t.kind == REMOTE for t in head.taints):
            self.run_code(
                call, Value(text=head.raw, raw=head.raw, known=False, taints=head.taints), "bash", "$(…)"
            )
        elif head.raw.strip("\"'") in ("$0", "${0}") and (
            call.background or call.node.parent.type == "pipeline"
        ):
            fork_bomb(
                self, call, "the script starts itself again, in the background or a pipeline, without end"
            )
        return NOTHING

    def _dispatch(self, call: Call) -> Stream:
        if self.loop_calls is not None:
            self.loop_calls.append(call)
        function = self.functions.get(call.path)
        if function is not None:
            return self._call_function(call.path, function, call)
        if self.downloads and ("/" in call.path or call.path in self.downloads):
            url = self.downloaded_from(self.absolute(call.name).text)
            if url is not None:
                self.report(
                    "bash.exec.remote_code",
                    call,
                    target=url,
                    scope=targets.remote_scope(url),
                    detail=f"runs {call.path}, downloaded from {url} earlier in the script, without anyone reading it",
                )
                return NOTHING
        program = call.program
        handler = _HANDLERS.get(program)
        if handler is not None:
            return handler(self, call)
        if program in SHELLS:
            return shell(self, call)
        if program in INTERPRETERS:
            return interpreter(self, call)
        if program.startswith("mkfs"):
            return shell_files.disk_tool(self, call)
        return NOTHING

    def _redirections(
        self, redirects: list[Any], stdin: Stream, base: Call
    ) -> tuple[Stream, str | None, str | None, list[tuple[Value, bool, bool]], list[Any], list[Value]]:
        """Standard input, sockets, files written, statements a heredoc line continues with, and
        words the grammar took as extra redirect targets (`rm 2>/dev/null -rf /`: they are arguments)."""
        arguments: list[Value] = []
        socket_in = socket_out = None
        writes: list[tuple[Value, bool, bool]] = []
        continuations: list[Any] = []
        pending = list(redirects)
        while pending:
            redirect = pending.pop(0)
            kind = redirect.type
            if kind == "herestring_redirect":
                words = redirect.named_children
                if words:
                    value = self.reader.value(words[-1])
                    stdin = Stream(value.taints, value.text + "\n" if value.known else None, value.decoded)
                continue
            if kind == "heredoc_redirect":
                stdin = self._heredoc(redirect)
                for child in redirect.named_children:
                    if child.type in _REDIRECTS:
                        pending.append(child)
                    elif child.type in _STATEMENTS:
                        continuations.append(child)
                continue
            operator, descriptor, destinations = _redirect_parts(redirect, self.reader)
            if not destinations:
                continue
            destination = destinations[0]
            for extra in destinations[1:]:
                _check_same_line(self.frame.source, destination, extra)
                if extra.type != "number":
                    arguments.extend(self.reader.words(extra))
            value = self.reader.value(destination)
            text = value.text
            socket = _device_socket(text)
            if operator in ("<", "<>"):
                if socket is not None:
                    socket_in = socket
                    if operator == "<>":
                        socket_out = socket
                        if descriptor:
                            self.sockets[descriptor] = socket
                else:
                    stdin = read_file(self, base, value)
                continue
            if operator == "<&":
                socket_in = self.sockets.get(text, socket_in)
                continue
            if destination.type == "number" or (operator.endswith("&") and text.isdigit()):
                socket_out = self.sockets.get(text, socket_out)
                continue
            if socket is not None:
                socket_out = socket
                if descriptor and descriptor not in ("1", "2"):
                    self.sockets[descriptor] = socket
                continue
            if text in ("/dev/null", "-") or operator.endswith("-"):
                continue
            writes.append((value, operator in (">>", "&>>"), descriptor == "2"))
        return stdin, socket_in, socket_out, writes, continuations, arguments

    def _heredoc(self, redirect: Any) -> Stream:
        start = next((c for c in redirect.children if c.type == "heredoc_start"), None)
        body = next((c for c in redirect.children if c.type == "heredoc_body"), None)
        if body is None:
            return Stream(content="")
        quoted = start is not None and any(ch in self.reader.text(start) for ch in "'\"\\")
        line = body.start_point[0] + 1 + self.frame.offset if self.frame.fixed is None else None
        if quoted or body.named_child_count == 0:
            return Stream(content=self.reader.text(body), line=line)
        pieces: list[str] = []
        taints: frozenset[Taint] = frozenset()
        known = True
        position = body.start_byte
        source = self.frame.source
        for child in body.named_children:
            pieces.append(source[position : child.start_byte].decode("utf-8", "replace"))
            if child.type == "heredoc_content":
                pieces.append(self.reader.text(child))
            else:
                value = self.reader.value(child)
                pieces.append(value.text)
                taints |= value.taints
                known = known and value.known
            position = child.end_byte
        pieces.append(source[position : body.end_byte].decode("utf-8", "replace"))
        return Stream(taints, "".join(pieces), line=line)

    def _redirected(self, node: Any, stdin: Stream, background: bool) -> Stream:
        body = node.child_by_field_name("body")
        redirects = [child for child in node.children if child.type in _REDIRECTS]
        if body is not None and body.type == "command":
            return self._command(body, stdin, redirects, background)
        base = self._bare(node)
        inner, socket_in, socket_out, writes, continuations, _ = self._redirections(redirects, stdin, base)
        if socket_in is not None:
            inner = Stream(frozenset({Taint(SOCKET, socket_in)}))
        out = self._statement(body, inner, background) if body is not None else Stream(content="")
        for value, append, errors_only in writes:
            write_file(self, base, value, NOTHING if errors_only else out, append=append)
        if socket_out is not None:
            send(self, base, socket_out, out.taints)
        for continuation in continuations:
            out = (
                self._stages(continuation, out)
                if continuation.type == "pipeline"
                else self._statement(continuation, NOTHING)
            )
        return NOTHING if writes else out

    # ------------------------------------------------------------------ variables
    def _assignment(self, node: Any) -> tuple[str, Value]:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        name = self.reader.text(name_node) if name_node is not None else ""
        if name_node is not None and name_node.type == "subscript":
            name = ""
        if value_node is None:
            return name, Value(text="", raw="")
        value = self.reader.value(value_node)
        if value_node.type == "array":
            value = Value(text=value.raw, raw=value.raw, known=False)
        if any(child.type == "+=" for child in node.children):
            current = self.environment.variables.get(name)
            if current is not None and current.known and value.known:
                value = replace(value, text=current.text + value.text)
            else:
                value = replace(value, known=False, text=f"${name}")
        return name, value

    def _set(self, name: str, value: Value, node: Any) -> None:
        if not name:
            return
        self.environment.variables[name] = value
        if name in _EFFECT_VARIABLES:
            shell_system.variable_effects(self, self._bare(node), name, value)

    def _unset(self, node: Any) -> None:
        for child in node.named_children:
            name = self.reader.text(child)
            self.environment.variables.pop(name, None)
            if name in _EFFECT_VARIABLES:
                shell_system.variable_effects(
                    self, self._bare(node), name, Value(text="", raw=""), unset=True
                )

    # ------------------------------------------------------------------ functions
    def _define(self, node: Any) -> None:
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name_node is None or body is None:
            return
        name = self.reader.text(name_node)
        self.functions[name] = _Function(body, self.frame, node)
        if _calls_itself_in_parallel(name, body, self.reader):
            fork_bomb(
                self,
                self._bare(node, name),
                f"function {name} starts two copies of itself each time it runs",
                Confidence.HIGH,
            )

    def _call_function(self, name: str, function: _Function, call: Call) -> Stream:
        self.called.add(name)
        if name in self.stack or len(self.stack) >= MAX_CALL_DEPTH:
            return NOTHING
        return self._walk_function(name, function, list(call.args), call.stdin)

    def _walk_function(
        self, name: str, function: _Function, positional: list[Value] | None, stdin: Stream
    ) -> Stream:
        saved_environment, saved_frame = self.environment, self.frame
        self.environment = saved_environment.child(positional)
        self._enter(function.frame)
        self.stack.append(name)
        try:
            return self._statement(function.body, stdin)
        finally:
            self.stack.pop()
            self.environment = saved_environment
            self._enter(saved_frame)

    def _walk_uncalled(self) -> None:
        for name, function in list(self.functions.items()):
            if name not in self.called:
                self.called.add(name)
                self._walk_function(name, function, None, NOTHING)

    # ------------------------------------------------------------------ loops
    def _while(self, node: Any, stdin: Stream) -> Stream:
        until = node.children[0].type == "until" if node.children else False
        conditions = [c for c in node.children_by_field_name("condition") if c.type in _STATEMENTS]
        for condition in conditions:
            self._statement(condition, stdin)
        body = node.child_by_field_name("body")
        if body is None:
            return NOTHING
        texts = [self.reader.text(c).strip() for c in conditions]
        infinite = len(texts) == 1 and (
            texts[0] in _INFINITE if not until else texts[0] in ("false", "/bin/false")
        )
        if infinite:
            return self._endless_loop(node, body, stdin)
        return self._statement(body, stdin)

    def _c_for(self, node: Any, stdin: Stream) -> Stream:
        body = node.child_by_field_name("body")
        if body is None:
            return NOTHING
        if node.child_by_field_name("condition") is None:
            return self._endless_loop(node, body, stdin)
        return self._statement(body, stdin)

    def _endless_loop(self, node: Any, body: Any, stdin: Stream) -> Stream:
        """Walk the body of a loop that never ends by itself, then judge what every pass leaves behind."""
        outer, self.loop_calls = self.loop_calls, []
        try:
            out = self._statement(body, stdin)
            calls = self.loop_calls
        finally:
            self.loop_calls = outer
        if outer is not None:
            outer.extend(calls)  # an inner loop's commands run on every pass of the outer one too
        self._spawns_without_end(node, body)
        self._grows_without_end(node, calls)
        return out

    def _grows_without_end(self, node: Any, calls: list[Call]) -> None:
        """`while true; do mkdir x; cd x; done`: a new directory on every pass, without a way out, until
        the file system has no inodes or space left. A loop that can stop (break, exit, return), waits
        (sleep) or is fed (read), or recreates the same directory, is not reported."""
        programs = {call.program for call in calls}
        if programs & _LOOP_BRAKES:
            return
        made = [
            value
            for call in calls
            if call.program == "mkdir"
            for value in parse_options(call.args, _MKDIR_VALUED).operands
        ]
        if not made:
            return
        descends = bool(programs & {"cd", "pushd"})
        if not descends and all(value.known for value in made):
            return
        self.report(
            "bash.sys.resource_exhaustion",
            self._bare(node, "loop"),
            target=made[0].shown,
            severity=Severity.HIGH,
            detail="an endless loop creates a directory on every pass"
            + (" and enters it" if descends else "")
            + ": it runs until the file system has no inodes or space left",
        )

    def _spawns_without_end(self, node: Any, body: Any) -> None:
        children = body.children
        for index, child in enumerate(children[:-1]):
            if child.type in _STATEMENTS and children[index + 1].type == "&":
                fork_bomb(
                    self,
                    self._bare(node, "loop"),
                    "an endless loop starts a background process on every pass",
                )
                return

    def _for(self, node: Any, stdin: Stream) -> Stream:
        variable = node.child_by_field_name("variable")
        body = node.child_by_field_name("body")
        if variable is None or body is None:
            return NOTHING
        name = self.reader.text(variable)
        words: list[Value] = []
        for value_node in node.children_by_field_name("value"):
            words.extend(self.reader.words(value_node))
        if words and len(words) <= MAX_LOOP_VALUES and all(w.known for w in words):
            out = NOTHING
            for word in words:
                self.environment.variables[name] = word
                out = out.union(self._statement(body, stdin))
            return out
        taints: frozenset[Taint] = frozenset().union(*(w.taints for w in words)) if words else frozenset()
        self.environment.variables[name] = Value(text=f"${name}", raw=f"${name}", known=False, taints=taints)
        return self._statement(body, stdin)

    # ------------------------------------------------------------------ nested code
    def _nested(self, content: str, call: Call, origin: str, line: int | None) -> None:
        if self.depth >= MAX_NESTING or self.nested_bytes + len(content) > MAX_NESTED_BYTES:
            self.limits_hit.add(
                f"code nested deeper than {MAX_NESTING} levels or beyond the byte budget was not analysed"
            )
            return
        self.nested_bytes += len(content)
        source = content.encode("utf-8", "replace")
        saved = self.frame
        self.depth += 1
        try:
            for _ in range(MAX_REPAIRS):
                if line is not None and saved.fixed is None:
                    frame = _Frame(source, offset=line - 1, via=(*call.via, origin))
                else:
                    frame = _Frame(source, fixed=call.lines, via=(*call.via, origin))
                self._enter(frame)
                try:
                    self._sequence(self._parse_nested(source).root_node, NOTHING)
                    return
                except _Misparsed as misparse:
                    if misparse.source is not source:
                        raise
                    source = misparse.repaired()
        finally:
            self.depth -= 1
            self._enter(saved)


_ASCII_ONLY = bytes(range(128)) + b"x" * 128


def _parser_safe(source: bytes) -> bytes:
    """The bytes tree-sitter-bash may safely read: every non-ASCII byte becomes `x`.

    Its external scanner calls C `isalpha()` on Unicode code points above 255, which is undefined
    behaviour and crashes the process on some inputs. Bash treats those bytes as word characters,
    as it does `x`; offsets and lines are unchanged, and all text is read from the original bytes.
    """
    return source.translate(_ASCII_ONLY) if not source.isascii() else source


class _Misparsed(Exception):
    """tree-sitter-bash joined two lines into one command (upstream issues #347, #316): a `;` at `at` separates them."""

    def __init__(self, source: bytes, at: int) -> None:
        super().__init__(at)
        self.source = source
        self.at = at

    def repaired(self) -> bytes:
        return self.source[: self.at] + b";" + self.source[self.at :]


def _check_lines(source: bytes, children: list[Any]) -> None:
    previous = None
    for child in children:
        if child.type == "comment":
            continue
        _check_same_line(source, previous, child)
        previous = child


def _check_same_line(source: bytes, previous: Any, child: Any) -> None:
    """Words of one command never span an unescaped newline; if the tree says they do, it misparsed."""
    if previous is None or child.start_point[0] == previous.end_point[0]:
        return
    start = previous.end_byte
    gap = source[start : child.start_byte]
    index = gap.find(b"\n")
    while index != -1:
        if index == 0 or gap[index - 1 : index] != b"\\":
            raise _Misparsed(source, start + index)
        index = gap.find(b"\n", index + 1)


def _redirect_parts(redirect: Any, reader: WordReader) -> tuple[str, str | None, list[Any]]:
    operator = ""
    descriptor = None
    for child in redirect.children:
        if child.type == "file_descriptor":
            descriptor = reader.text(child)
        elif child.type == "ERROR":
            operator += reader.text(child)
        elif not child.is_named:
            operator += child.type
    return operator, descriptor, redirect.children_by_field_name("destination")


def _add_words(argv: list[Value], reader: WordReader, node: Any) -> None:
    """Append what `node` expands to. A plain word (the most common argument) is itself: what
    `reader.words` would say, without its calls and list."""
    if node.type == "word":
        raw = reader.text(node)
        if "\\" not in raw and not ("{" in raw and "," in raw):
            argv.append(Value(raw, raw))
            return
    argv.extend(reader.words(node))


def _piped_onward(node: Any) -> bool:
    """Whether the command's output goes into a later stage of its pipeline (`yes | head`)."""
    current, parent = node, node.parent
    while parent is not None and parent.type == "redirected_statement":
        current, parent = parent, parent.parent
    if parent is None or parent.type != "pipeline":
        return False
    return any(
        stage.start_byte >= current.end_byte and stage.kind_id in _STATEMENT_IDS
        for stage in parent.named_children
    )


def _discards_output(redirects: list[Any], reader: WordReader) -> bool:
    """`> /dev/null`, `&> /dev/null`: standard output is thrown away."""
    for redirect in redirects:
        if redirect.type != "file_redirect":
            continue
        operator, descriptor, destinations = _redirect_parts(redirect, reader)
        if (
            operator in (">", ">>", ">|", "&>", "&>>")
            and descriptor in (None, "1")
            and destinations
            and reader.text(destinations[0]) == "/dev/null"
        ):
            return True
    return False


def _device_socket(path: str) -> str | None:
    """`/dev/tcp/host/port` (bash's socket files) as `host:port`."""
    if not path.startswith(("/dev/tcp/", "/dev/udp/")):
        return None
    parts = path.split("/")
    return ":".join(parts[3:5]) if len(parts) >= 5 else path


def _error_rows(root: Any) -> set[int]:
    """The rows covered by the outermost parts of the tree that did not parse."""
    rows: set[int] = set()
    pending = [root]
    visited = 0
    while pending and visited < 100_000 and len(rows) < MAX_RECOVERED_LINES:
        node = pending.pop()
        visited += 1
        if node.type == "ERROR":
            rows.update(range(node.start_point[0], node.end_point[0] + 1))
        elif node.has_error:
            pending.extend(node.children)
    return rows


def _first_error(root: Any) -> Any:
    pending = [root]
    visited = 0
    while pending and visited < 100_000:
        node = pending.pop()
        visited += 1
        if node.type == "ERROR" or node.is_missing:
            return node
        if node.has_error:
            pending.extend(reversed(node.children))
    return None


def _calls_itself_in_parallel(name: str, body: Any, reader: WordReader) -> bool:
    """`:(){ :|:& };:` and its renamed variants: the function pipes into or backgrounds a call to itself."""
    pending = [body]
    visited = 0
    while pending and visited < 2000:
        node = pending.pop()
        visited += 1
        if node.type == "command":
            command_name = node.child_by_field_name("name")
            if command_name is not None and reader.text(command_name) == name:
                parent = node.parent
                following = node.next_sibling
                if (parent is not None and parent.type == "pipeline") or (
                    following is not None and following.type == "&"
                ):
                    return True
        pending.extend(node.named_children)
    return False
