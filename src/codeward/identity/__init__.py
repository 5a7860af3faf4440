"""Who is asking: tokens and API keys -> a verified Actor.

`Authenticator(config).authenticate(authorization=..., api_key=...)` is what every door calls.
"""

from codeward.identity.api_keys import ApiKeyRegistry, ApiKeyVerifier, key_hash, new_api_key
from codeward.identity.authenticator import Authenticator
from codeward.identity.config import IdentityConfig
from codeward.identity.jwks import JwksFile, JwksUrl, KeySource, SigningKey
from codeward.identity.tokens import TokenVerifier, claim_values, map_roles

__all__ = [
    "ApiKeyRegistry",
    "ApiKeyVerifier",
    "Authenticator",
    "IdentityConfig",
    "JwksFile",
    "JwksUrl",
    "KeySource",
    "SigningKey",
    "TokenVerifier",
    "claim_values",
    "key_hash",
    "map_roles",
    "new_api_key",
]
