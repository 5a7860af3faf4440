"""Analyzers: one module per language or concern, each a small class with one method.

`builtin_analyzers` is the one registration path: it lists every built-in analyzer explicitly.
Nothing registers itself on import.
"""

from __future__ import annotations

from codeward.analyzers.javascript import JavaScriptAnalyzer
from codeward.analyzers.npm_manifest import NpmManifestAnalyzer
from codeward.analyzers.patterns import PatternAnalyzer
from codeward.analyzers.powershell import PowerShellAnalyzer
from codeward.analyzers.prompt import PromptAnalyzer
from codeward.analyzers.python import PythonAnalyzer
from codeward.analyzers.rulebook import RuleBook
from codeward.analyzers.secrets import SecretsAnalyzer
from codeward.analyzers.shell import ShellAnalyzer
from codeward.analyzers.shell_dockerfile import DockerfileAnalyzer
from codeward.protocols import Analyzer


def builtin_analyzers(rulebook: RuleBook, *, parse_limit: int = 1_000_000) -> list[Analyzer]:
    """Every built-in analyzer. `parse_limit` is the engine's: above it the parsers are skipped, so the
    pattern tier reads the input as it reads a language without a parser."""
    parsers: list[Analyzer] = [
        ShellAnalyzer(rulebook),
        PythonAnalyzer(rulebook),
        JavaScriptAnalyzer(rulebook),
    ]
    parsed = frozenset(language for analyzer in parsers for language in analyzer.languages) - {"*"}
    return [
        *parsers,
        PromptAnalyzer(rulebook),
        PatternAnalyzer(rulebook, parsed, parse_limit=parse_limit),
        SecretsAnalyzer(rulebook),
        NpmManifestAnalyzer(rulebook),
        DockerfileAnalyzer(rulebook),
        PowerShellAnalyzer(rulebook, parsed),
    ]
