"""Decide which intent governs a request, and whether the actor may use it.

Inferred intent can lower friction for benign work but never unlock what the actor's role is not
cleared for: an intent is trusted only when a cleared role (verified, unless the policy says to
trust unverified roles) stands behind it, or when everyone is cleared for it. A declared intent
that strong project evidence contradicts (declared `education` inside a production service with
deploy files) is reported as an `intent.mismatch` finding and is not trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from codeward.intent.infer import Inference
from codeward.intent.lexicon import DS, EDU, GENERAL, OPS, PROD, RE, SEC
from codeward.model import Actor, Confidence, Context, Finding, FindingSource, Intent, Severity

EVERYONE = "*"
INFERENCE_THRESHOLD = 0.5
"""An inferred intent below this confidence is reported as evidence but does not govern."""
MISMATCH_CONFIDENCE = 0.75
"""How sure the project alone must be of another intent before a declaration counts as contradicted."""
MISMATCH_SUPPORT = 2
"""How many distinct project signals must back that other intent."""
CONTRADICTS: Mapping[str, frozenset[str]] = {
    PROD: frozenset({EDU}),
    OPS: frozenset({EDU}),
    EDU: frozenset({PROD, OPS}),
    SEC: frozenset({PROD, OPS, DS}),
    RE: frozenset({PROD, OPS, DS}),
}
"""What the project looks like -> declared intents it contradicts. Security work happens in any
code base and courses teach every subject, so those declarations are contradicted only by little."""


@dataclass(frozen=True, slots=True)
class Clearances:
    """Which roles may use which intent, as the policy says."""

    roles_by_intent: Mapping[str, frozenset[str]]
    trust_unverified: bool = False

    def known(self, intent: str) -> bool:
        return intent in self.roles_by_intent

    def cleared(self, intent: str, actor: Actor) -> tuple[bool, str]:
        """Whether `actor` may use `intent`, with the sentence that says why."""
        roles = self.roles_by_intent.get(intent, frozenset())
        if EVERYONE in roles:
            return True, f"every actor is cleared for {intent}"
        held = sorted(set(actor.roles) & roles)
        needed = ", ".join(sorted(roles)) or "no role"
        if not held:
            return False, f"{intent} needs one of the roles: {needed}"
        if actor.verified or self.trust_unverified:
            how = "verified" if actor.verified else "unverified, trusted by policy"
            return True, f"role {held[0]} ({how}) is cleared for {intent}"
        return False, f"role {held[0]} is cleared for {intent} but was not verified (sign in with a token)"


def resolve_intent(
    context: Context, clearances: Clearances, inference: Inference | None
) -> tuple[Intent, list[Finding]]:
    """The governing intent (declared, inferred or general) and any finding about the declaration."""
    distribution = _catalogue_distribution(inference, clearances)
    inferred = max(distribution, key=lambda name: distribution[name]) if distribution else None
    evidence = list(inference.evidence) if inference is not None else []
    declared = context.declared_intent
    if declared:
        return _declared(context, clearances, inference, declared, inferred, distribution, evidence)

    if inferred is not None and inferred != GENERAL and distribution[inferred] >= INFERENCE_THRESHOLD:
        authorized, why = clearances.cleared(inferred, context.actor)
        return (
            Intent(
                name=inferred,
                source="inferred",
                authorized=authorized,
                confidence=distribution[inferred],
                inferred=inferred,
                evidence=[*evidence, f"inferred: {why}"],
                distribution=distribution,
            ),
            [],
        )
    return (
        Intent(
            name=GENERAL,
            source="default",
            authorized=True,
            confidence=distribution.get(GENERAL, 0.0),
            inferred=inferred,
            evidence=evidence or ["no declared intent and no strong evidence from the context"],
            distribution=distribution,
        ),
        [],
    )


def _declared(
    context: Context,
    clearances: Clearances,
    inference: Inference | None,
    declared: str,
    inferred: str | None,
    distribution: dict[str, float],
    evidence: list[str],
) -> tuple[Intent, list[Finding]]:
    findings: list[Finding] = []
    if not clearances.known(declared):
        findings.append(_finding("intent.unauthorized", f"unknown intent {declared!r}", declared))
        why = f"{declared!r} is not an intent this policy knows"
        authorized = False
    else:
        authorized, why = clearances.cleared(declared, context.actor)
        if not authorized:
            findings.append(_finding("intent.unauthorized", f"declared intent not trusted: {why}", declared))
    contradiction = contradicted_by(declared, inference)
    if contradiction is not None:
        findings.append(_finding("intent.mismatch", contradiction, declared, severity=Severity.MEDIUM))
        if authorized:
            why = f"{why}, but {contradiction}"
        authorized = False
    return (
        Intent(
            name=declared,
            source="declared",
            authorized=authorized,
            confidence=1.0 if authorized else 0.0,
            declared=declared,
            inferred=inferred,
            evidence=[f"declared: {why}", *evidence],
            distribution=distribution,
        ),
        findings,
    )


def contradicted_by(declared: str, inference: Inference | None) -> str | None:
    """The sentence saying how the project contradicts `declared`, or None when it does not."""
    if inference is None or inference.project_name is None:
        return None
    seen = inference.project_name
    if declared not in CONTRADICTS.get(seen, frozenset()):
        return None
    if inference.project_confidence < MISMATCH_CONFIDENCE or inference.project_support < MISMATCH_SUPPORT:
        return None
    return (
        f"the declared intent {declared} contradicts the project, which looks like {seen} "
        f"({inference.project_confidence:.0%} from {inference.project_support} signals)"
    )


def _catalogue_distribution(inference: Inference | None, clearances: Clearances) -> dict[str, float]:
    """The inferred distribution over the policy's intent catalogue, renormalised: an intent the policy
    does not know gets no share, one the lexicon has no signal for gets 0."""
    if inference is None:
        return {}
    known = {name: inference.distribution.get(name, 0.0) for name in clearances.roles_by_intent}
    total = sum(known.values())
    if total <= 0:
        return {}
    return {name: round(p / total, 4) for name, p in known.items()}


def _finding(capability: str, message: str, target: str, *, severity: Severity = Severity.LOW) -> Finding:
    return Finding(
        rule_id=f"intent.{capability.split('.')[-1]}",
        capability=capability,
        target=target,
        severity=severity,
        confidence=Confidence.HIGH,
        source=FindingSource.INTENT,
        message=message,
        evidence=message,
    )
