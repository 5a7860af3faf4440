"""Decisions about files as SARIF 2.1.0, so that code-scanning UIs can show codeward's findings.

One result per finding that counted (a finding whose file's decision was not `allow`), at its first
line; the rule is the finding's rule id; the level follows the file's action. Decision ids and the
capability travel in `properties`, so that a reader can ask codeward why.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from codeward.model import Action, Decision, Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/codeward/codeward"

_LEVEL = {
    Action.ALLOW: "none",
    Action.NOTICE: "note",
    Action.CONFIRM: "warning",
    Action.REVIEW: "error",
    Action.BLOCK: "error",
}


def render_sarif(decisions: Iterable[tuple[str, Decision]], *, version: str) -> dict[str, Any]:
    """`decisions` are (path relative to the scanned root, with forward slashes; its decision)."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    artifacts: list[dict[str, Any]] = []
    for path, decision in decisions:
        artifacts.append({"location": {"uri": path}, "sourceLanguage": decision.language})
        if decision.action is Action.ALLOW:
            continue
        for finding in _counted(decision):
            rules.setdefault(finding.rule_id, _rule(finding))
            results.append(_result(path, decision, finding, len(artifacts) - 1))
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "codeward",
                        "version": version,
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                "artifacts": artifacts,
                "results": results,
            }
        ],
    }


def _counted(decision: Decision) -> list[Finding]:
    """The findings worth showing: not codeward's notes about its own coverage."""
    return [
        f
        for f in decision.findings
        if f.capability not in ("analysis.incomplete",) or f.severity.weight >= 20
    ]


def _rule(finding: Finding) -> dict[str, Any]:
    text = finding.message or finding.capability
    return {
        "id": finding.rule_id,
        "name": finding.rule_id.replace(".", "_").replace("-", "_"),
        "shortDescription": {"text": text[:200]},
        "properties": {"capability": finding.capability, "tags": [finding.capability.split(".")[0]]},
    }


def _result(path: str, decision: Decision, finding: Finding, artifact: int) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": finding.lines[0] if finding.lines else 1}
    if finding.evidence:
        region["snippet"] = {"text": finding.evidence[:500]}
    return {
        "ruleId": finding.rule_id,
        "level": _LEVEL[decision.action],
        "message": {
            "text": f"{finding.message or finding.capability} (codeward {decision.action.value}, risk {decision.risk})"
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": path, "index": artifact},
                    "region": region,
                }
            }
        ],
        "properties": {
            "decision_id": decision.decision_id,
            "action": decision.action.value,
            "capability": finding.capability,
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            "risk": decision.risk,
        },
    }
