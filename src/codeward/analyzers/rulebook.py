"""Analyzer rules as data: one YAML file per rule id under `codeward/rules/<language>/<family>/`.

A rule says what a finding means (capability, default severity and confidence, a message for the
person who reads it). Pattern-tier rules also carry an RE2 pattern. AST analyzers emit findings by
rule id, so that every finding, whatever produced it, is documented and has a fixture file.
A duplicate id is a hard error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from codeward import capabilities
from codeward.errors import RuleError
from codeward.model import Confidence, Finding, FindingSource, Payload, Severity

RULE_ROOT = "rules"
_REQUIRED = ("id", "capability", "severity", "confidence", "message")
_ALLOWED = frozenset(_REQUIRED) | {"languages", "pattern", "description", "references", "scope", "target"}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    capability: str
    severity: Severity
    confidence: Confidence
    message: str
    languages: tuple[str, ...]
    pattern: str | None
    description: str
    path: str
    scope: str | None = None
    target: str | None = None


class RuleBook:
    """Every analyzer rule, by id. Built once per Guard and shared by its analyzers."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            if rule.id in self._rules:
                raise RuleError(
                    f"duplicate rule id {rule.id!r} in {rule.path} and {self._rules[rule.id].path}"
                )
            self._rules[rule.id] = rule

    @classmethod
    def builtin(cls) -> RuleBook:
        root = resources.files("codeward") / RULE_ROOT
        return cls(load_rules(Path(str(root))))

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Any:
        return iter(self._rules.values())

    def get(self, rule_id: str) -> Rule:
        try:
            return self._rules[rule_id]
        except KeyError:
            raise RuleError(f"an analyzer used the unknown rule id {rule_id!r}") from None

    def patterns(self, language: str) -> list[Rule]:
        return [
            r
            for r in self._rules.values()
            if r.pattern is not None and (language in r.languages or "*" in r.languages)
        ]

    def finding(
        self,
        rule_id: str,
        *,
        lines: list[int],
        evidence: str,
        source: FindingSource = FindingSource.AST,
        target: str | None = None,
        scope: str | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        capability: str | None = None,
        detail: str | None = None,
        language: str | None = None,
        payload: Payload | None = None,
    ) -> Finding:
        """A finding for `rule_id`; analyzers override the rule's defaults only with what they know better."""
        rule = self.get(rule_id)
        message = rule.message.replace("{target}", target or rule.target or "?")
        if detail:
            message = f"{message}: {detail}"
        return Finding(
            rule_id=rule.id,
            capability=capability or rule.capability,
            target=target if target is not None else rule.target,
            scope=scope if scope is not None else rule.scope,
            severity=severity or rule.severity,
            confidence=confidence or rule.confidence,
            source=source,
            lines=sorted(set(lines)),
            evidence=_clip(evidence),
            message=message,
            language=language,
            payload=payload,
        )


def _clip(text: str, limit: int = 300) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_rules(root: Path) -> list[Rule]:
    rules = []
    for path in sorted(root.rglob("*.yaml")):
        rules.append(parse_rule(path, root))
    return rules


def parse_rule(path: Path, root: Path) -> Rule:
    relative = path.relative_to(root)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RuleError(f"{relative}: cannot read rule: {error}") from None
    if not isinstance(data, dict):
        raise RuleError(f"{relative}: a rule file is a YAML mapping")
    missing = [key for key in _REQUIRED if key not in data]
    unknown = sorted(set(data) - _ALLOWED)
    if missing or unknown:
        raise RuleError(f"{relative}: missing {missing} / unknown keys {unknown}")
    parts = relative.with_suffix("").parts
    expected_id = ".".join(parts)
    if data["id"] != expected_id:
        raise RuleError(f"{relative}: rule id {data['id']!r} must be {expected_id!r} (its path)")
    if not capabilities.exists(data["capability"]):
        raise RuleError(f"{relative}: unknown capability {data['capability']!r}")
    try:
        severity = Severity(data["severity"])
        confidence = Confidence(data["confidence"])
    except ValueError as error:
        raise RuleError(f"{relative}: {error}") from None
    pattern = data.get("pattern")
    if pattern is not None:
        _check_pattern(relative, pattern)
    languages = data.get("languages") or [parts[0] if parts[0] != "any" else "*"]
    return Rule(
        id=data["id"],
        capability=data["capability"],
        severity=severity,
        confidence=confidence,
        message=str(data["message"]).strip(),
        languages=tuple(languages),
        pattern=pattern,
        description=str(data.get("description", "")).strip(),
        path=str(relative),
        scope=data.get("scope"),
        target=data.get("target"),
    )


def _check_pattern(relative: Path, pattern: str) -> None:
    import re2

    try:
        re2.compile(pattern)
    except Exception as error:
        raise RuleError(f"{relative}: RE2 cannot compile the pattern: {error}") from None
