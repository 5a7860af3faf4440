"""Evaluate a compiled policy over the findings of one request.

Each finding gets the action of the first rule that matches it (or the policy's default for its
mode and severity); the request's action is the highest of them, raised by risk thresholds,
the session's graduated response and internal failures. The result records which rule decided,
so the decision can be explained and replayed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from codeward.capabilities import capability_matches
from codeward.model import (
    Action,
    Confidence,
    Context,
    Finding,
    FindingSource,
    Intent,
    Mode,
    Severity,
    Subject,
)
from codeward.policy.cel import Bound, bind
from codeward.policy.loader import CompiledRule, Policy

_SEVERITY_ORDER = [Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]
_CONFIDENCE_ORDER = [Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH]
GENERAL = "general"


@dataclass(slots=True)
class Verdict:
    """The action the policy gives one finding, and why."""

    finding: Finding
    action: Action
    rule_id: str
    rule: CompiledRule | None
    note: str = ""


@dataclass(slots=True)
class Evaluation:
    action: Action
    risk: int
    verdicts: list[Verdict]
    decisive: Verdict | None
    escalations: list[str] = field(default_factory=list)
    allow_listed: str | None = None
    session_stops: float = 0.0


@dataclass(slots=True)
class Request:
    """The request as the policy sees it."""

    subject: Subject
    context: Context
    intent: Intent
    findings: list[Finding]
    mode: Mode
    language: str
    now: float = field(default_factory=time.time)


def intent_key(intent: Intent) -> str:
    """The intent a rule's `intents` table is read with: a trusted intent, or `general`."""
    return intent.name if intent.authorized else GENERAL


def evaluate(policy: Policy, request: Request) -> Evaluation:
    base = _activation(request)
    key = intent_key(request.intent)
    capable: dict[str, list[CompiledRule]] = {}
    verdicts = [_verdict(policy, request, finding, key, base, capable) for finding in request.findings]

    allow_listed = _allow_listed(policy, request)
    if allow_listed is not None:
        for verdict in verdicts:
            capped = allow_listed.entry.action
            if (verdict.rule is None or not verdict.rule.rule.final) and verdict.action > capped:
                verdict.action = capped
                verdict.note = f"allow list entry {allow_listed.entry.id}"

    risk = combined_risk(request.findings)
    action = Action.ALLOW
    decisive: Verdict | None = None
    for verdict in verdicts:
        if verdict.action > action or (decisive is None and verdict.action >= action):
            action, decisive = verdict.action, verdict

    escalations: list[str] = []
    for threshold in policy.thresholds:
        applies = threshold.modes is None or request.mode in threshold.modes
        if applies and risk >= threshold.risk and threshold.action > action:
            escalations.append(
                f"risk {risk} reaches the policy threshold {threshold.risk}: {threshold.action.value}"
            )
            action = threshold.action

    stops = session_stops(policy, request)
    if stops >= policy.session.threshold and allow_listed is None:
        raised = policy.session.escalate.get(action)
        if raised is not None and raised > action:
            escalations.append(
                f"this session has had {stops:.1f} recent stopped snippets (threshold "
                f"{policy.session.threshold:g}), so friction is raised from {action.value} to {raised.value} "
                f"for this session only; it decays with a half-life of {policy.session.half_life_minutes:g} min"
            )
            action = raised

    return Evaluation(
        action=action,
        risk=risk,
        verdicts=verdicts,
        decisive=decisive,
        escalations=escalations,
        allow_listed=allow_listed.entry.id if allow_listed else None,
        session_stops=stops,
    )


def action_for(policy: Policy, request: Request, finding: Finding, key: str) -> Verdict:
    """The verdict for one finding under an intent key (used to compute remedies)."""
    return _verdict(policy, request, finding, key, _activation(request), {})


def verdicts_under(
    policy: Policy, request: Request, key: str, findings: Iterable[Finding] | None = None
) -> Iterator[Verdict]:
    """The verdict of each finding (all of the request's by default) under an intent key, one at a time,
    the request's activation built once (building it per finding made remedies quadratic)."""
    base = _activation(request)
    capable: dict[str, list[CompiledRule]] = {}
    for finding in request.findings if findings is None else findings:
        yield _verdict(policy, request, finding, key, base, capable)


def combined_risk(findings: list[Finding]) -> int:
    """The highest finding risk, plus a little for each further independent high-risk capability."""
    if not findings:
        return 0
    risks = sorted((f.risk for f in findings), reverse=True)
    distinct = len({f.capability for f in findings if f.risk >= 40})
    bonus = 4 * max(0, min(distinct - 1, 3))
    return min(100, risks[0] + bonus)


def session_stops(policy: Policy, request: Request) -> float:
    """The session's recent review/block decisions, each decaying with the policy's half-life."""
    half_life = policy.session.half_life_minutes * 60.0
    total = 0.0
    for event in request.context.session.history:
        if event.action in _WITHHELD:
            age = max(0.0, request.now - event.at)
            total += math.pow(0.5, age / half_life)
    return total


_WITHHELD = frozenset(action for action in Action if action.withheld)
"""Looked up by hash: the property costs a call per event of a history read a hundred at a time."""


def should_sandbox(policy: Policy, request: Request, evaluation: Evaluation) -> bool:
    if policy.sandbox_when is None:
        return False
    activation = _activation(request)
    activation["risk"] = evaluation.risk
    activation["variables"] = _variables(policy, activation)
    return policy.sandbox_when.evaluate(activation)


def deny_list_hits(policy: Policy, subject: Subject, mode: Mode, language: str) -> list[tuple[Any, int]]:
    """Deny-list entries that match the content, each with the first line it matched on."""
    hits = []
    for compiled in policy.deny:
        entry = compiled.entry
        if not _list_entry_applies(entry, subject, mode, language):
            continue
        match = compiled.regex.search(subject.content)
        if match:
            hits.append((compiled, subject.content.count("\n", 0, match.start()) + 1))
    return hits


def _allow_listed(policy: Policy, request: Request) -> Any:
    content = request.subject.content.strip()
    for compiled in policy.allow:
        entry = compiled.entry
        if not _list_entry_applies(entry, request.subject, request.mode, request.language):
            continue
        found = compiled.regex.fullmatch(content) if entry.fullmatch else compiled.regex.search(content)
        if found:
            return compiled
    return None


def _list_entry_applies(entry: Any, subject: Subject, mode: Mode, language: str) -> bool:
    if entry.kinds is not None and subject.kind not in entry.kinds:
        return False
    if entry.languages is not None and language not in entry.languages:
        return False
    return entry.modes is None or mode in entry.modes


_FAIL_ACTIONS = {"open": Action.NOTICE, "confirm": Action.CONFIRM, "closed": Action.BLOCK}


def fail_action(policy: Policy) -> Action:
    """What an internal failure becomes under the policy's `fail`: never `allow`, even when open."""
    return _FAIL_ACTIONS[policy.fail]


def _verdict(
    policy: Policy,
    request: Request,
    finding: Finding,
    key: str,
    base: dict[str, Any],
    capable: dict[str, list[CompiledRule]],
) -> Verdict:
    """Final rules are floors (every matching one counts, later layers cannot lower them); among the
    other rules the first match decides, top layer first; with no match, the mode/severity default.
    A rule whose condition fails at run time is skipped, and the verdict is at least the `fail` action.
    `capable` remembers, per capability, the rules whose capabilities match it (in policy order)."""
    if finding.capability == "analysis.error":
        return Verdict(finding, _FAIL_ACTIONS[policy.fail], f"fail.{policy.fail}", None)
    activation: Bound | None = None
    floor: Verdict | None = None
    chosen: Verdict | None = None
    failures: list[str] = []
    rules = capable.get(finding.capability)
    if rules is None:
        rules = capable[finding.capability] = _rules_for(policy, finding.capability)
    for compiled in rules:
        final = compiled.rule.final
        if (chosen is not None and not final) or not _static_match(compiled, request, finding):
            continue
        if compiled.when is not None:
            try:
                if activation is None:  # converted inside the try: a failure is this rule's, as before
                    values = dict(base)
                    values["finding"] = _finding_view(finding)
                    values["intent"] = dict(base["intent"], key=key)
                    activation = _bound(policy, values)
                holds = compiled.when.evaluate(activation)
            except Exception as error:
                failures.append(
                    f"the condition of rule {compiled.rule.id} failed ({type(error).__name__}: {error})"
                )
                continue
            if not holds:
                continue
        rule = compiled.rule
        verdict = Verdict(finding, rule.intents.get(key, rule.action), rule.id, compiled)
        if final:
            if floor is None or verdict.action > floor.action:
                floor = verdict
        else:
            chosen = verdict
    if chosen is None:
        default = policy.defaults[request.mode].get(finding.severity, Action.CONFIRM)
        chosen = Verdict(finding, default, f"defaults.{request.mode.value}.{finding.severity.value}", None)
    decided = floor if floor is not None and floor.action >= chosen.action else chosen
    return _with_failures(policy, decided, failures) if failures else decided


def _with_failures(policy: Policy, verdict: Verdict, failures: list[str]) -> Verdict:
    """A verdict reached with some rule conditions failing: raised to the policy's `fail` action."""
    note = "; ".join([*failures, f"policy fail: {policy.fail}"])
    failed = _FAIL_ACTIONS[policy.fail]
    if failed > verdict.action:
        return Verdict(verdict.finding, failed, f"fail.{policy.fail}", None, note=note)
    verdict.note = f"{verdict.note}; {note}" if verdict.note else note
    return verdict


def _rules_for(policy: Policy, capability: str) -> list[CompiledRule]:
    """The policy's rules (in order) that match `capability`: a decision's findings share a few
    capabilities, so each is matched against every rule once instead of once per finding."""
    return [
        compiled
        for compiled in policy.rules
        if any(capability_matches(pattern, capability) for pattern in compiled.rule.match.capabilities)
    ]


def _static_match(compiled: CompiledRule, request: Request, finding: Finding) -> bool:
    """Everything but the capability (`_rules_for` matched that) and the `when` condition."""
    match = compiled.rule.match
    if match.scopes is not None and finding.scope not in match.scopes:
        return False
    if match.targets is not None and (
        finding.target is None or not any(fnmatchcase(finding.target, t) for t in match.targets)
    ):
        return False
    if match.modes is not None and request.mode not in match.modes:
        return False
    if match.kinds is not None and request.subject.kind not in match.kinds:
        return False
    if match.languages is not None and (finding.language or request.language) not in match.languages:
        return False
    if match.sources is not None and finding.source not in match.sources:
        return False
    if match.environments is not None and request.context.environment not in match.environments:
        return False
    if match.min_severity is not None and _SEVERITY_ORDER.index(finding.severity) < _SEVERITY_ORDER.index(
        match.min_severity
    ):
        return False
    return not (
        match.min_confidence is not None
        and _CONFIDENCE_ORDER.index(finding.confidence) < _CONFIDENCE_ORDER.index(match.min_confidence)
    )


def _bound(policy: Policy, activation: dict[str, Any]) -> Bound:
    """The activation converted to CEL once, with the policy's variables computed over it in order
    (each may use the ones before it)."""
    values: dict[str, Any] = {}
    activation["variables"] = values
    bound = bind(activation)
    for name, expression in policy.variables.items():
        try:
            values[name] = expression.value(bound)
        except Exception:
            values[name] = None
        bound.add_variable("variables", values)
    return bound


def _variables(policy: Policy, activation: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, expression in policy.variables.items():
        activation["variables"] = values
        try:
            values[name] = expression.value(activation)
        except Exception:
            values[name] = None
    return values


def _finding_view(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "capability": finding.capability,
        "target": finding.target or "",
        "scope": finding.scope or "",
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "source": finding.source.value,
        "risk": finding.risk,
    }


def _activation(request: Request) -> dict[str, Any]:
    subject, context, intent = request.subject, request.context, request.intent
    project = context.project
    return {
        "subject": {
            "kind": subject.kind.value,
            "mode": request.mode.value,
            "language": request.language,
            "path": subject.path or "",
            "lines": subject.content.count("\n") + 1,
            "size": len(subject.content),
        },
        "actor": {
            "id": context.actor.id,
            "roles": list(context.actor.roles),
            "groups": list(context.actor.groups),
            "verified": context.actor.verified,
        },
        "intent": {
            "name": intent.name,
            "key": intent_key(intent),
            "source": intent.source,
            "authorized": intent.authorized,
            "confidence": intent.confidence,
            "declared": intent.declared or "",
            "inferred": intent.inferred or "",
        },
        "environment": context.environment.value if context.environment else "",
        "finding": _finding_view(_SAMPLE_FINDING),
        "capabilities": sorted({f.capability for f in request.findings}),
        "risk": combined_risk(request.findings),
        "project": {
            "path": (project.path or "") if project else "",
            "files": len(project.files) if project else 0,
            "dependencies": list(project.dependencies) if project else [],
        },
        "tool": context.tool or "",
        "session": {"id": context.session.id or "", "events": len(context.session.history)},
        "variables": {},
    }


_SAMPLE_FINDING = Finding(
    rule_id="none",
    capability="analysis.incomplete",
    severity=Severity.INFO,
    confidence=Confidence.LOW,
    source=FindingSource.ENGINE,
)


def sample_activation() -> dict[str, Any]:
    """A fully populated request, used to type-check conditions when a policy loads."""
    request = Request(
        subject=Subject(content="true", language="bash"),
        context=Context(),
        intent=Intent(),
        findings=[_SAMPLE_FINDING],
        mode=Mode.EXECUTE,
        language="bash",
    )
    return _activation(request)
