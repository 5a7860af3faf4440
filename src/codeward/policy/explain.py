"""Reasons and remedies: why the policy decided what it did, and what would change the outcome.

Remedies are computed, not written by hand: the policy is evaluated again under each intent a
cleared role could declare, and under the other mode, and only real differences are offered.
"""

from __future__ import annotations

from dataclasses import replace

from codeward.model import Action, Mode
from codeward.policy.evaluate import Evaluation, Request, Verdict, intent_key, verdicts_under
from codeward.policy.loader import Policy

MAX_REASONS = 8


def reasons(policy: Policy, request: Request, evaluation: Evaluation) -> list[str]:
    shown: list[str] = []
    ordered = sorted(evaluation.verdicts, key=lambda v: (-v.action.rank, -v.finding.risk))
    seen: set[tuple[str, str]] = set()
    for verdict in ordered:
        if verdict.action is Action.ALLOW and evaluation.action is not Action.ALLOW:
            continue
        key = (verdict.finding.rule_id, verdict.finding.message)
        if key in seen:
            continue
        seen.add(key)
        shown.append(_reason(verdict))
    if len(shown) > MAX_REASONS:
        hidden = len(shown) - MAX_REASONS
        shown = [*shown[:MAX_REASONS], f"… and {hidden} more finding(s); see `findings`"]
    if not shown:
        shown.append("no risky capability found")
    intent = request.intent
    if intent.source == "declared" and not intent.authorized:
        shown.append(
            f"declared intent {intent.name!r} was not trusted ({_why(intent.evidence)}); judged as general"
        )
    elif intent.source == "inferred":
        trust = "trusted" if intent.authorized else "not cleared for this actor, so judged as general"
        shown.append(f"intent inferred as {intent.name} ({intent.confidence:.0%}, {trust})")
    if evaluation.allow_listed:
        shown.append(f"the content is on the policy's allow list ({evaluation.allow_listed})")
    shown.extend(evaluation.escalations)
    decisive = evaluation.decisive
    if decisive is not None and decisive.rule is not None and decisive.rule.rule.reason:
        shown.append(decisive.rule.rule.reason)
    return shown


def remedies(policy: Policy, request: Request, evaluation: Evaluation, decision_id: str) -> list[str]:
    action = evaluation.action
    if action is Action.ALLOW:
        return []
    offered: list[str] = []
    if action.stops:
        offered.extend(_intent_remedies(policy, request, evaluation))
        if request.mode is Mode.EXECUTE and action >= Action.REVIEW:
            generated = _action_under(
                policy, replace(request, mode=Mode.GENERATE), intent_key(request.intent), action
            )
            if generated < action:
                offered.append(
                    f"shown as code for a person to read and run themselves (mode generate), this would be "
                    f"{generated.value}"
                )
    if action is Action.NOTICE:
        offered.append("nothing to do: it may proceed; the notice is on the record")
    elif action is Action.CONFIRM:
        offered.append("confirm that you mean it, or say what it is for (--intent NAME)")
    elif action is Action.REVIEW:
        roles = _reviewer_roles(policy, evaluation)
        offered.append(
            f"ask for review: a person with the role {roles} can approve decision {decision_id} "
            f"(codeward review approve {decision_id})"
        )
    elif action is Action.BLOCK:
        offered.append(
            f"if this is wrong, appeal it: codeward review appeal {decision_id} --why '…' "
            "(only this snippet is affected; nothing else of yours is)"
        )
    return offered


def _intent_remedies(policy: Policy, request: Request, evaluation: Evaluation) -> list[str]:
    current = evaluation.action
    actor = request.context.actor
    offers: list[str] = []
    for intent in policy.intents:
        if intent == intent_key(request.intent):
            continue
        alternative = _action_under(policy, request, intent, current)
        if alternative >= current:
            continue
        roles = policy.roles_cleared_for(intent)
        if "*" in roles:
            offers.append(
                f"declaring the intent {intent} (--intent {intent}) would make this {alternative.value}"
            )
            continue
        held = sorted(set(actor.roles) & roles)
        if held and not actor.verified:
            offers.append(
                f"declare --intent {intent} with a verified identity (--token) so that your role {held[0]} counts: "
                f"this would be {alternative.value}"
            )
        else:
            offers.append(
                f"a verified {' or '.join(sorted(roles)) or 'cleared role'} declaring the intent {intent} would "
                f"get {alternative.value}"
            )
    return offers[:3]


def _action_under(policy: Policy, request: Request, key: str, ceiling: Action) -> Action:
    """The action under another intent, or any action at least `ceiling` as soon as one is found (then
    the intent would not lower the outcome); the riskiest findings are asked first."""
    action = Action.ALLOW
    riskiest_first = sorted(request.findings, key=lambda finding: finding.risk, reverse=True)
    for verdict in verdicts_under(policy, request, key, riskiest_first):
        action = max(action, verdict.action, key=lambda a: a.rank)
        if action >= ceiling:
            break
    return action


def _reviewer_roles(policy: Policy, evaluation: Evaluation) -> str:
    decisive = evaluation.decisive
    capability = decisive.finding.capability if decisive else "*"
    roles = sorted(policy.reviewer_roles(capability))
    return " or ".join(roles) if roles else "reviewer"


def _reason(verdict: Verdict) -> str:
    finding = verdict.finding
    where = ""
    if finding.lines:
        lines = finding.lines
        where = f"line {lines[0]}: " if len(lines) == 1 else f"lines {', '.join(map(str, lines[:5]))}: "
    rule = verdict.rule_id
    note = f"; {verdict.note}" if verdict.note else ""
    return f"{where}{finding.message} [{finding.rule_id} → {rule}: {verdict.action.value}{note}]"


def _why(evidence: list[str]) -> str:
    for item in evidence:
        if item.startswith("declared: "):
            return item[len("declared: ") :]
    return evidence[0] if evidence else "no clearance"
