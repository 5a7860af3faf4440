"""OIDC/JWT bearer tokens -> a verified Actor.

Every check happens before a claim is believed: size, shape, an algorithm from the allow-list,
a key from the issuer's JWKS, the signature, then `iss`, `aud`, `exp`, `nbf` and `iat` with a
small clock skew. Each failure is an IdentityError whose message says which check failed, never
a traceback, and never the token itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jwt

from codeward.errors import IdentityError
from codeward.identity.config import IdentityConfig
from codeward.identity.jwks import KeySource, key_source
from codeward.model import Actor

_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
"""Header, payload and signature in base64url; an empty signature gets as far as the `alg none` check."""
MAX_ROLES = 64
MAX_ROLE_LENGTH = 128


class TokenVerifier:
    """Verifies bearer tokens of one issuer. Build once: the key source caches the JWKS."""

    def __init__(self, config: IdentityConfig, keys: KeySource | None = None) -> None:
        if config.issuer is None:
            raise IdentityError("token verification needs an issuer: set CODEWARD_OIDC_ISSUER")
        if not config.audience:
            raise IdentityError("token verification needs an audience: set CODEWARD_OIDC_AUDIENCE")
        self.config = config
        self._keys = keys or key_source(
            config.jwks,
            config.issuer,
            ttl=config.jwks_cache_seconds,
            refresh_floor=config.jwks_refresh_floor_seconds,
        )

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims once every check has passed."""
        config = self.config
        size = len(token.encode("utf-8", "surrogatepass"))
        if size > config.max_token_bytes:
            raise IdentityError(
                f"token rejected: {size:,} bytes is over the {config.max_token_bytes:,}-byte limit"
            )
        if not _SHAPE.match(token):
            raise IdentityError(
                "token rejected: malformed (expected three base64url parts separated by dots)"
            )
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as error:
            raise IdentityError(f"token rejected: malformed ({_plain(error)})") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm.lower() == "none":
            raise IdentityError("token rejected: unsigned tokens (alg none) are not accepted")
        if algorithm not in config.algorithms:
            raise IdentityError(
                f"token rejected: algorithm {algorithm} is not allowed (allowed: {', '.join(config.algorithms)})"
            )
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise IdentityError("token rejected: the key id (kid) is not a string")
        try:
            key = self._keys.key_for(kid, algorithm)
        except IdentityError as error:
            raise IdentityError(f"token rejected: {error}") from None
        try:
            return jwt.decode(
                token,
                key=key.key,
                algorithms=[algorithm],
                audience=config.audience,
                issuer=config.issuer,
                leeway=config.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud", "sub"], "verify_signature": True},
            )
        except jwt.ExpiredSignatureError:
            raise IdentityError(f"token rejected: expired{_when(token, 'exp')}") from None
        except jwt.ImmatureSignatureError:
            raise IdentityError("token rejected: not valid yet (nbf or iat is in the future)") from None
        except jwt.InvalidIssuerError:
            raise IdentityError(f"token rejected: issuer is not {config.issuer}") from None
        except jwt.InvalidAudienceError:
            raise IdentityError(
                f"token rejected: audience does not include {' or '.join(config.audience)}"
            ) from None
        except jwt.MissingRequiredClaimError as error:
            raise IdentityError(f"token rejected: the required claim {error.claim!r} is missing") from None
        except jwt.InvalidSignatureError:
            raise IdentityError(
                "token rejected: the signature does not verify (tampered, or another key)"
            ) from None
        except jwt.InvalidTokenError as error:
            raise IdentityError(f"token rejected: {_plain(error)}") from None

    def actor(self, token: str) -> Actor:
        claims = self.verify(token)
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise IdentityError("token rejected: `sub` must be a non-empty string")
        values = claim_values(claims, self.config.role_claims)
        return Actor(
            id=subject[:256],
            roles=map_roles(values, self.config.role_map),
            groups=claim_values(claims, ("groups",)),
            verified=True,
            method="token",
        )


def claim_values(claims: Mapping[str, Any], paths: tuple[str, ...] | list[str]) -> list[str]:
    """Strings found at each claim path: a literal key first (`https://example.com/roles`), else dotted."""
    found: list[str] = []
    for path in paths:
        value: Any = claims.get(path) if path in claims else _dotted(claims, path)
        if isinstance(value, str):
            found.extend(value.split())
        elif isinstance(value, list):
            found.extend(item for item in value if isinstance(item, str))
    unique = list(dict.fromkeys(v for v in found if 0 < len(v) <= MAX_ROLE_LENGTH))
    return unique[:MAX_ROLES]


def map_roles(values: list[str], role_map: Mapping[str, list[str]]) -> list[str]:
    """Claim values become codeward roles: mapped through `role_map`, unmapped values kept as named."""
    roles: list[str] = []
    for value in values:
        roles.extend(role_map.get(value, [value]))
    return list(dict.fromkeys(roles))[:MAX_ROLES]


def _dotted(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _when(token: str, claim: str) -> str:
    try:
        value: Any = jwt.decode(token, options={"verify_signature": False}).get(claim)
        moment = datetime.fromtimestamp(float(value), tz=UTC)
    except (jwt.InvalidTokenError, TypeError, ValueError, OverflowError, OSError):
        return ""
    return f" at {moment:%Y-%m-%d %H:%M:%S} UTC"


def _plain(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text[:200]
