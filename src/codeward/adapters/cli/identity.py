"""`--token` for local commands: a bearer token makes the CLI's roles verified.

The issuer, audience and key set come from `CODEWARD_OIDC_ISSUER`, `CODEWARD_OIDC_AUDIENCE` and
`CODEWARD_JWKS` (a file or an https URL), or `$CODEWARD_HOME/identity.yaml`; roles come from the
token's claims through the policy's `identity` section. Without a token, `--role` stays unverified.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from codeward.context.inputs import build_context
from codeward.identity import Authenticator, IdentityConfig
from codeward.model import Actor, Context
from codeward.policy.loader import Policy

F = TypeVar("F", bound=Callable[..., object])


def token_option(function: F) -> F:
    return click.option(
        "--token",
        envvar="CODEWARD_TOKEN",
        metavar="JWT",
        help="An OIDC bearer token (or CODEWARD_TOKEN): your roles come from it and count as verified. "
        "Issuer and keys: CODEWARD_OIDC_ISSUER, CODEWARD_OIDC_AUDIENCE, CODEWARD_JWKS.",
    )(function)


def token_actor(policy: Policy, token: str | None, roles: Sequence[str] = ()) -> Actor | None:
    """The verified actor behind `token`, or None without one; an invalid token is an IdentityError."""
    if not token or not token.strip():
        return None
    config = IdentityConfig.from_environment().with_role_mapping(
        policy.identity.role_claims, policy.identity.role_map
    )
    actor = Authenticator(config).authenticate(authorization=f"Bearer {token.strip()}")
    ignored = sorted(set(roles) - set(actor.roles))
    if ignored:
        click.echo(
            f"codeward: --role {', '.join(ignored)} ignored: with --token, your roles come from the token",
            err=True,
        )
    return actor


def actor_context(actor: Actor | None, roles: Sequence[str], **context: Any) -> Context:
    """The request's Context: the token's actor (verified) when there is one, else the unverified `--role`s."""
    if actor is None:
        return build_context(roles=tuple(roles), verified=False, method="cli", **context)
    return build_context(
        roles=actor.roles,
        verified=True,
        actor_id=actor.id,
        method=actor.method,
        groups=actor.groups,
        **context,
    )
