"""Who may do what with the record: decide a review, grant an override, read the queue and the log.

The rules, from the policy and the verified identity: a reviewer needs a role the policy's
`reviewers` section names for every capability under review, and is never the requester
(four-eyes). Roles count only for a verified actor, unless the policy trusts unverified roles.
The HTTP service and `codeward review` against a local store both ask here.
"""

from __future__ import annotations

from codeward.errors import AuthorizationError
from codeward.model import Actor
from codeward.policy.loader import Policy

ADMIN = "admin"


def trusted_roles(policy: Policy, actor: Actor) -> set[str]:
    """The actor's roles that count: all of them when verified (or trusted by the policy), else none."""
    if actor.verified or policy.unverified_roles == "trust":
        return set(actor.roles)
    return set()


def readers(policy: Policy) -> set[str]:
    """Roles that may browse the queue, the decisions and the audit log: every reviewer role, and admin."""
    roles = {ADMIN}
    for reviewers in policy.reviewers:
        roles.update(reviewers.roles)
    return roles


def require_reader(policy: Policy, actor: Actor) -> None:
    if not trusted_roles(policy, actor) & readers(policy):
        raise AuthorizationError(
            f"{_who(actor)} may not read the review queue or the audit log: it needs a verified role "
            f"among {', '.join(sorted(readers(policy)))}"
        )


def require_reviewer(policy: Policy, actor: Actor, *, capabilities: list[str], requesters: set[str]) -> None:
    """Raise unless `actor` may decide for `capabilities` something that `requesters` asked for."""
    if actor.id in requesters:
        raise AuthorizationError(
            f"{actor.id} asked for this and cannot also decide it: another person must (four-eyes)"
        )
    roles = trusted_roles(policy, actor)
    if not roles:
        raise AuthorizationError(f"{_who(actor)} has no verified role: log in with a token or an API key")
    for capability in capabilities:
        allowed = policy.reviewer_roles(capability)
        if not roles & allowed:
            raise AuthorizationError(
                f"{actor.id} may not review {capability}: the policy names "
                f"{' or '.join(sorted(allowed)) or 'no role'} for it"
            )


def _who(actor: Actor) -> str:
    return "an anonymous caller" if actor.id == "anonymous" and not actor.verified else actor.id
