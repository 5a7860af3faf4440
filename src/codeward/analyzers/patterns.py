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

    def __init__(
        self,
        rulebook: RuleBook,
        parsed_languages: frozenset[str] = frozenset(),
        *,
        parse_limit: int | None = None,
    ) -> None:
        """`parsed_languages` have an AST analyzer: `any` rules (languages `*`) do not run on them,
        because a parser knows a string from a command and a pattern does not — unless the input is
        longer than `parse_limit`, which no parser reads."""
        self._rulebook = rulebook
        self._parsed = parsed_languages
        self._parse_limit = parse_limit
        self._sets: dict[tuple[str, bool], tuple[Any, list[Rule], list[Any]]] = {}

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        language = subject.language or "text"
        unparsed = self._beyond_parse_limit(subject.content)
        matcher, rules, compiled = self._set_for(language, unparsed)
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

    def _beyond_parse_limit(self, text: str) -> bool:
        limit = self._parse_limit
        if limit is None or len(text) * 4 <= limit:
            return False
        return len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit

    def _set_for(self, language: str, unparsed: bool = False) -> tuple[Any, list[Rule], list[Any]]:
        cached = self._sets.get((language, unparsed))
        if cached is None:
            rules = [
                rule
                for rule in self._rulebook.patterns(language)
                if language in rule.languages or language not in self._parsed or unparsed
            ]
            options = re2.Options()
            matcher = re2.Set.SearchSet(options)
            for rule in rules:
                matcher.Add(rule.pattern)
            matcher.Compile()
            cached = (matcher, rules, [re2.compile(rule.pattern) for rule in rules])
            self._sets[(language, unparsed)] = cached
        return cached


def _line_text(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end != -1 else len(text)]
