"""A test identity provider: RSA and EC keys, its JWKS, and tokens signed the way an OIDC issuer would."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER = "https://issuer.example.test"
AUDIENCE = "codeward"


class Issuer:
    """Signs tokens the way an OIDC provider would, and publishes its public keys as a JWKS."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())

    def jwks(self, *, kids: tuple[str, ...] = ("rsa-1", "ec-1")) -> dict[str, Any]:
        keys = []
        if "rsa-1" in kids:
            keys.append(
                {
                    **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa.public_key())),
                    "kid": "rsa-1",
                    "use": "sig",
                    "alg": "RS256",
                }
            )
        if "ec-1" in kids:
            keys.append(
                {
                    **json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.ec.public_key())),
                    "kid": "ec-1",
                    "use": "sig",
                    "alg": "ES256",
                }
            )
        return {"keys": keys}

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "alice@example.test",
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "groups": ["sec-team"],
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, *, kid: str = "rsa-1", algorithm: str = "RS256", **overrides: Any) -> str:
        key = self.rsa if algorithm.startswith(("RS", "PS")) else self.ec
        return jwt.encode(self.claims(**overrides), key, algorithm=algorithm, headers={"kid": kid})
