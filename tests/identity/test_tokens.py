"""Bearer tokens: a valid one becomes a verified actor; every forgery is refused with a clear reason."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from issuer import AUDIENCE, ISSUER, Issuer

from codeward.errors import IdentityError
from codeward.identity import IdentityConfig, TokenVerifier, claim_values, map_roles


def b64(data: bytes | dict[str, Any]) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_valid_token_becomes_a_verified_actor_with_mapped_roles(
    issuer: Issuer, authenticate: Callable[[str], Any]
) -> None:
    actor = authenticate(issuer.token())
    assert actor.id == "alice@example.test"
    assert actor.verified is True
    assert actor.method == "token"
    assert actor.roles == ["security-engineer"]
    assert actor.groups == ["sec-team"]


def test_roles_come_from_a_dotted_claim_path_too(issuer: Issuer, authenticate: Callable[[str], Any]) -> None:
    actor = authenticate(issuer.token(groups=None, realm_access={"roles": ["teachers", "sre"]}))
    assert actor.roles == ["instructor", "sre"]


def test_an_elliptic_curve_key_from_the_same_set_verifies(
    issuer: Issuer, authenticate: Callable[[str], Any]
) -> None:
    assert authenticate(issuer.token(kid="ec-1", algorithm="ES256")).verified


def test_a_little_clock_skew_is_tolerated(issuer: Issuer, authenticate: Callable[[str], Any]) -> None:
    now = int(time.time())
    assert authenticate(issuer.token(iat=now + 10, nbf=now + 10)).verified
    assert authenticate(issuer.token(exp=now - 10)).verified


def test_claim_values_read_literal_keys_before_dotted_paths() -> None:
    claims = {"https://example.test/roles": ["a"], "realm_access": {"roles": ["b", 7]}, "scope": "c d"}
    assert claim_values(claims, ["https://example.test/roles", "realm_access.roles", "scope"]) == [
        "a",
        "b",
        "c",
        "d",
    ]
    assert map_roles(["a", "b"], {"a": ["admin", "reviewer"]}) == ["admin", "reviewer", "b"]


# ---------------------------------------------------------------------------- attacks
def _reject(authenticate: Callable[[str], Any], token: str, reason: str) -> None:
    with pytest.raises(IdentityError, match=reason) as raised:
        authenticate(token)
    assert token not in str(raised.value), "the error must not echo the token"


def test_alg_none_is_refused(issuer: Issuer, authenticate: Callable[[str], Any]) -> None:
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(issuer.claims())}."
    _reject(authenticate, token, r"unsigned tokens \(alg none\) are not accepted")
    signed_shape = f"{b64({'alg': 'none', 'kid': 'rsa-1'})}.{b64(issuer.claims())}.{b64(b'x')}"
    _reject(authenticate, signed_shape, "alg none")


def test_hs256_signed_with_the_rsa_public_key_is_refused(
    issuer: Issuer, authenticate: Callable[[str], Any]
) -> None:
    public_pem = issuer.rsa.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{b64({'alg': 'HS256', 'kid': 'rsa-1', 'typ': 'JWT'})}.{b64(issuer.claims())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    _reject(authenticate, f"{signing_input}.{b64(signature)}", "algorithm HS256 is not allowed")


def test_an_expired_token_is_refused(issuer: Issuer, authenticate: Callable[[str], Any]) -> None:
    now = int(time.time())
    _reject(authenticate, issuer.token(iat=now - 7200, nbf=now - 7200, exp=now - 3600), "expired")


def test_a_token_not_yet_valid_is_refused(issuer: Issuer, authenticate: Callable[[str], Any]) -> None:
    now = int(time.time())
    _reject(authenticate, issuer.token(nbf=now + 3600, exp=now + 7200), "not valid yet")
    _reject(authenticate, issuer.token(iat=now + 3600, nbf=None, exp=now + 7200), "not valid yet")


def test_a_token_from_another_issuer_is_refused(issuer: Issuer, authenticate: Callable[[str], Any]) -> None:
    _reject(authenticate, issuer.token(iss="https://evil.example.test"), "issuer is not")


def test_a_token_for_another_audience_is_refused(issuer: Issuer, authenticate: Callable[[str], Any]) -> None:
    _reject(authenticate, issuer.token(aud="another-service"), "audience does not include codeward")


def test_an_unknown_key_id_is_refused(issuer: Issuer, authenticate: Callable[[str], Any]) -> None:
    _reject(authenticate, issuer.token(kid="rotated-away"), "signing key 'rotated-away' is not in the JWKS")


def test_a_tampered_payload_is_refused(issuer: Issuer, authenticate: Callable[[str], Any]) -> None:
    header, _, signature = issuer.token(groups=["developers"]).split(".")
    forged = f"{header}.{b64(issuer.claims(groups=['sec-team', 'admin']))}.{signature}"
    _reject(authenticate, forged, "signature does not verify")


def test_malformed_base64_is_refused(issuer: Issuer, authenticate: Callable[[str], Any]) -> None:
    header, payload, signature = issuer.token().split(".")
    _reject(authenticate, f"{header}.{payload}!!.{signature}", "malformed")
    _reject(authenticate, f"{header}.{payload[:-1]}.{signature}", r"malformed \(Invalid payload padding")
    _reject(authenticate, f"e30.{payload}.{signature}", "token rejected")
    _reject(authenticate, f"{b64(b'not json')}.{payload}.{signature}", r"malformed \(Invalid header")
    _reject(authenticate, "only.two", "malformed")


def test_a_one_megabyte_token_is_refused_before_it_is_parsed(
    issuer: Issuer, authenticate: Callable[[str], Any]
) -> None:
    huge = issuer.token(padding="A" * (1024 * 1024))
    assert len(huge) > 1024 * 1024
    _reject(authenticate, huge, "over the 16,384-byte limit")


def test_a_token_without_expiry_or_subject_is_refused(
    issuer: Issuer, authenticate: Callable[[str], Any]
) -> None:
    _reject(authenticate, issuer.token(exp=None), "required claim 'exp' is missing")
    _reject(authenticate, issuer.token(sub=None), "required claim 'sub' is missing")


def test_symmetric_algorithms_cannot_even_be_configured(config: IdentityConfig) -> None:
    with pytest.raises(ValueError, match="HS256"):
        IdentityConfig(issuer=ISSUER, audience=[AUDIENCE], algorithms=("RS256", "HS256"))
    with pytest.raises(ValueError, match="none"):
        IdentityConfig(issuer=ISSUER, audience=[AUDIENCE], algorithms=("none",))


def test_verification_needs_an_issuer_and_an_audience(config: IdentityConfig) -> None:
    with pytest.raises(IdentityError, match="audience"):
        TokenVerifier(config.model_copy(update={"audience": []}))
    with pytest.raises(IdentityError, match="issuer"):
        TokenVerifier(config.model_copy(update={"issuer": None}))


def test_a_token_signed_by_another_key_with_a_known_kid_is_refused(
    authenticate: Callable[[str], Any],
) -> None:
    other = Issuer()
    _reject(
        authenticate,
        jwt.encode(other.claims(), other.rsa, algorithm="RS256", headers={"kid": "rsa-1"}),
        "signature",
    )
