"""The pattern tier: RE2 rules over raw text, for every language.

It is the floor under the AST analyzers (which see through quoting and obfuscation) and the only
tier for languages without a parser here. RE2 runs in linear time, so no input can make it hang;
one RE2 set per language finds which rules match in a single pass.
"""

from __future__ import annotations

from typing import Any

import re2

from codeward.analyzers.rulebook import Rule, RuleBook
from codeward.model import Context, Finding, FindingSource, Subject

_MAX_HITS_PER_RULE = 20


class PatternAnalyzer:
    name = "patterns"
    languages = frozenset({"*"})

    def __init__(self, rulebook: RuleBook, parsed_languages: frozenset[str] = frozenset()) -> None:
        """`parsed_languages` have an AST analyzer: `any` rules (languages `*`) do not run on them,
        because a parser knows a string from a command and a pattern does not."""
        self._rulebook = rulebook
        self._parsed = parsed_languages
        self._sets: dict[str, tuple[Any, list[Rule], list[Any]]] = {}

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        language = subject.language or "text"
        matcher, rules, compiled = self._set_for(language)
        if not rules:
            return []
        text = subject.content
        findings: list[Finding] = []
        for index in sorted(matcher.Match(text) or ()):  # RE2's Set.Match gives None, not [], for no match
            rule, regex = rules[index], compiled[index]
            for count, match in enumerate(regex.finditer(text)):
                if count >= _MAX_HITS_PER_RULE:
                    break
                line = text.count("\n", 0, match.start()) + 1
                findings.append(
                    self._rulebook.finding(
                        rule.id,
                        lines=[line],
                        evidence=_line_text(text, match.start()),
                        source=FindingSource.PATTERN,
                        language=language,
                    )
                )
        return findings

    def _set_for(self, language: str) -> tuple[Any, list[Rule], list[Any]]:
        cached = self._sets.get(language)
        if cached is None:
            rules = [
                rule
                for rule in self._rulebook.patterns(language)
                if language in rule.languages or language not in self._parsed
            ]
            options = re2.Options()
            matcher = re2.Set.SearchSet(options)
            for rule in rules:
                matcher.Add(rule.pattern)
            matcher.Compile()
            cached = (matcher, rules, [re2.compile(rule.pattern) for rule in rules])
            self._sets[language] = cached
        return cached


def _line_text(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end != -1 else len(text)]
