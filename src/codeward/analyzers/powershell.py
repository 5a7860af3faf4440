"""PowerShell's encoded commands, decoded: `powershell -EncodedCommand <base64 of UTF-16LE>` in any language.

PowerShell is not parsed here (its rules are the pattern tier, and the engine says so), and the
pattern tier cannot see inside base64. This analyzer decodes `-EncodedCommand` (every abbreviation,
from any shell, script or program that starts PowerShell) and `FromBase64String('…')` strings that a
PowerShell script runs, and hands the decoded script back to the engine as a PowerShell payload.
It reads every language because the command line that starts PowerShell can be written in any.
"""

from __future__ import annotations

from typing import Any

import re2

from codeward.analyzers.decoding import decode_step
from codeward.analyzers.rulebook import RuleBook
from codeward.model import Context, Finding, Payload, Subject

_RULE = "powershell.exec.encoded_command"
_FLAG = r"-(?:ec|e(?:n(?:c(?:o(?:d(?:e(?:d(?:c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?)?)?)?)?)?)?)?)"
_ENCODED = re2.compile(
    r"(?i)\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]{0,300}?\s[-/]"
    + _FLAG[1:]
    + r"\s+['\"]?([A-Za-z0-9+/]{12,}={0,2})"
)
_FROM_BASE64 = re2.compile(
    r"(?i)(?:\b(?:iex|Invoke-Expression)\b|ScriptBlock\]::Create|&\s*\(|\|\s*(?:iex|Invoke-Expression)\b)"
    r"[^\n]{0,300}?(?:(Unicode|UTF8|ASCII|Default|UTF32)\.GetString\()?\s*\[(?:System\.)?Convert\]::FromBase64String\(\s*['\"]([A-Za-z0-9+/]{12,}={0,2})['\"]"
)
_HINT = re2.compile(r"(?i)powershell|pwsh|FromBase64String")
MAX_DECODED = 200_000


class PowerShellAnalyzer:
    """Decodes PowerShell's encoded commands wherever they are written (rule powershell.exec.encoded_command)."""

    name = "powershell"
    languages = frozenset({"*"})

    def __init__(self, rulebook: RuleBook, parsed_languages: frozenset[str] = frozenset()) -> None:
        """`parsed_languages` are left to their parser, which hands a PowerShell command line it finds
        to the shell analyzer (which decodes -EncodedCommand itself)."""
        self._rulebook = rulebook
        self._parsed = parsed_languages

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        text = subject.content
        if subject.language in self._parsed or not _HINT.search(text):
            return []
        findings = [
            self._finding(text, match, match.group(1), "utf-16-le", "-EncodedCommand")
            for match in _ENCODED.finditer(text)
        ]
        if subject.language == "powershell":
            for match in _FROM_BASE64.finditer(text):
                encoding = "utf-16-le" if (match.group(1) or "").lower() == "unicode" else "utf-8"
                findings.append(self._finding(text, match, match.group(2), encoding, "FromBase64String"))
        return findings[:50]

    def _finding(self, text: str, match: Any, blob: str, encoding: str, how: str) -> Finding:
        line = text.count("\n", 0, match.start()) + 1
        script = decode_script(blob, encoding)
        evidence = text[match.start() : match.end()]
        if script is None:
            return self._rulebook.finding(
                _RULE,
                lines=[line],
                evidence=evidence,
                target=how,
                detail="the base64 text does not decode to a script; what it runs is unknown",
                language="powershell",
            )
        return self._rulebook.finding(
            _RULE,
            lines=[line],
            evidence=f"{how}: {script}",
            target=how,
            detail=f"decodes to: {script[:160]}",
            language="powershell",
            payload=Payload(language="powershell", content=script, origin=f"{how} (base64, {encoding})"),
        )


def decode_script(blob: str, encoding: str) -> str | None:
    """The script inside base64 `blob` (UTF-16LE for -EncodedCommand), or None when it is not text."""
    steps = [out for name, out in decode_step(blob.encode("ascii")) if name == "base64"]
    if not steps:
        return None
    raw = steps[0][: 2 * MAX_DECODED]
    try:
        script = raw.decode(encoding)
    except UnicodeDecodeError:
        return None
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in script)
    if not script.strip() or printable < 0.9 * len(script):
        return None
    return script
