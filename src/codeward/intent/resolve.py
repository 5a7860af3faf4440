"""Decide which intent governs a request, and whether the actor may use it.

Inferred intent can lower friction for benign work but never unlock what the actor's role is not
cleared for: an intent is trusted only when a cleared role (verified, unless the policy says to
trust unverified roles) stands behind it, or when everyone is cleared for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from codeward.intent.infer import Inference
from codeward.model import Actor, Confidence, Context, Finding, FindingSource, Intent, Severity

EVERYONE = "*"
INFERENCE_THRESHOLD = 0.5
"""An inferred intent below this confidence is reported as evidence but does not govern."""


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
    findings: list[Finding] = []
    evidence: list[str] = []
    distribution: dict[str, float] = {}
    inferred_name: str | None = None
    if inference is not None:
        distribution = dict(inference.distribution)
        inferred_name = inference.name
        evidence.extend(inference.evidence)

    declared = context.declared_intent
    if declared:
        if not clearances.known(declared):
            findings.append(_finding("intent.unauthorized", f"unknown intent {declared!r}", declared))
            return (
                Intent(
                    name=declared,
                    source="declared",
                    authorized=False,
                    confidence=0.0,
                    declared=declared,
                    inferred=inferred_name,
                    evidence=[f"{declared!r} is not an intent this policy knows", *evidence],
                    distribution=distribution,
                ),
                findings,
            )
        authorized, why = clearances.cleared(declared, context.actor)
        if not authorized:
            findings.append(_finding("intent.unauthorized", f"declared intent not trusted: {why}", declared))
        return (
            Intent(
                name=declared,
                source="declared",
                authorized=authorized,
                confidence=1.0 if authorized else 0.0,
                declared=declared,
                inferred=inferred_name,
                evidence=[f"declared: {why}", *evidence],
                distribution=distribution,
            ),
            findings,
        )

    if inference is not None and inference.name and inference.confidence >= INFERENCE_THRESHOLD:
        authorized, why = clearances.cleared(inference.name, context.actor)
        return (
            Intent(
                name=inference.name,
                source="inferred",
                authorized=authorized,
                confidence=inference.confidence,
                inferred=inference.name,
                evidence=[*evidence, f"inferred: {why}"],
                distribution=distribution,
            ),
            findings,
        )
    return (
        Intent(
            name="general",
            source="default",
            authorized=True,
            confidence=inference.confidence if inference and inference.name == "general" else 0.0,
            inferred=inferred_name,
            evidence=evidence or ["no declared intent and no strong evidence from the context"],
            distribution=distribution,
        ),
        findings,
    )


def _finding(capability: str, message: str, target: str) -> Finding:
    return Finding(
        rule_id=f"intent.{capability.split('.')[-1]}",
        capability=capability,
        target=target,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        source=FindingSource.INTENT,
        message=message,
        evidence=message,
    )
