"""The one entry point every door uses: a credential (or none) -> the Actor who is asking.

No credential is not an error: the actor is anonymous and unverified, and the policy decides
what unverified roles may do. A credential that is presented and fails is always an
IdentityError, so a bad token can never quietly become an anonymous request.
"""

from __future__ import annotations

from codeward.errors import IdentityError
from codeward.identity.api_keys import ApiKeyRegistry, ApiKeyVerifier
from codeward.identity.config import IdentityConfig
from codeward.identity.jwks import KeySource
from codeward.identity.tokens import TokenVerifier
from codeward.model import Actor


class Authenticator:
    """Verifies bearer tokens (OIDC/JWT) and service-account API keys."""

    def __init__(
        self,
        config: IdentityConfig,
        *,
        api_keys: ApiKeyVerifier | None = None,
        keys: KeySource | None = None,
    ) -> None:
        self.config = config
        self._keys = keys
        self._tokens: TokenVerifier | None = None
        if api_keys is None and config.api_keys:
            api_keys = ApiKeyRegistry(config.api_keys).verifier()
        self._api_keys = api_keys

    def authenticate(self, authorization: str | None = None, api_key: str | None = None) -> Actor:
        """`authorization` is an HTTP Authorization value (`Bearer <token>`); `api_key` a service key."""
        if authorization is not None and not authorization.strip():
            authorization = None
        if api_key is not None and not api_key.strip():
            api_key = None
        if authorization is not None and api_key is not None:
            raise IdentityError("present one credential, a bearer token or an API key, not both")
        if authorization is not None:
            return self.token_actor(_bearer(authorization))
        if api_key is not None:
            if self._api_keys is None:
                raise IdentityError("an API key was presented but no API key registry is configured")
            return self._api_keys.actor(api_key)
        return Actor()

    def token_actor(self, token: str) -> Actor:
        if self._tokens is None:
            if not self.config.verifies_tokens:
                raise IdentityError(
                    "a bearer token was presented but no issuer is configured "
                    "(set CODEWARD_OIDC_ISSUER, CODEWARD_OIDC_AUDIENCE and CODEWARD_JWKS)"
                )
            self._tokens = TokenVerifier(self.config, self._keys)
        return self._tokens.actor(token)


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise IdentityError("the Authorization header must be `Bearer <token>`")
    return token.strip()
