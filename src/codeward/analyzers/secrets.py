"""Hard-coded secrets: keys, tokens and passwords written into the code itself.

The shapes live in `codeward.redaction` (one list, shared with the masking of everything stored),
so everything reported here is masked in the audit log (which also masks the placeholders that are
not reported). Evidence never quotes a secret: the
line is shown with the secret replaced by `[REDACTED:<kind>]`.
"""

from __future__ import annotations

from codeward.analyzers.rulebook import RuleBook
from codeward.model import Context, Finding, Subject
from codeward.redaction import find_secrets, redact, shape_named

MAX_FINDINGS = 50


class SecretsAnalyzer:
    """One `cred.hardcoded` finding per secret, through the rules of `rules/any/secrets/`."""

    name = "secrets"
    languages = frozenset({"*"})

    def __init__(self, rulebook: RuleBook) -> None:
        self._rulebook = rulebook

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        text = subject.content
        findings: list[Finding] = []
        for name, start, _ in find_secrets(text, placeholders=False)[:MAX_FINDINGS]:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line = text[line_start : line_end if line_end != -1 else len(text)]
            if len(line) > 240:
                offset = start - line_start
                line = line[max(0, offset - 60) : offset + 180]
            findings.append(
                self._rulebook.finding(
                    f"any.secrets.{shape_named(name).family}",
                    lines=[text.count("\n", 0, start) + 1],
                    evidence=redact(line),
                    target=name,
                    language=subject.language,
                )
            )
        return findings
