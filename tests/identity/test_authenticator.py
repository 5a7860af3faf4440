"""The one entry point: no credential is anonymous, a failed credential is an error, never anonymity."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from issuer import Issuer

from codeward.errors import IdentityError
from codeward.identity import ApiKeyRegistry, Authenticator, IdentityConfig


def test_no_credential_is_an_anonymous_unverified_actor(config: IdentityConfig) -> None:
    actor = Authenticator(config).authenticate()
    assert (actor.id, actor.verified, actor.roles) == ("anonymous", False, [])
    assert Authenticator(config).authenticate(authorization="  ", api_key="").verified is False


def test_a_bearer_token_or_an_api_key_is_verified(
    config: IdentityConfig, issuer: Issuer, tmp_path: Path
) -> None:
    registry = ApiKeyRegistry(tmp_path / "keys.json")
    key = registry.create("ci-bot", ["developer"])
    authenticator = Authenticator(config, api_keys=registry.verifier())
    assert authenticator.authenticate(authorization=f"Bearer {issuer.token()}").method == "token"
    assert authenticator.authenticate(api_key=key).method == "api_key"


def test_two_credentials_at_once_are_refused(config: IdentityConfig, issuer: Issuer) -> None:
    with pytest.raises(IdentityError, match="not both"):
        Authenticator(config).authenticate(authorization=f"Bearer {issuer.token()}", api_key="cwk_x")


def test_a_credential_nobody_can_check_is_refused_not_ignored(issuer: Issuer) -> None:
    unconfigured = Authenticator(IdentityConfig())
    with pytest.raises(IdentityError, match="no issuer is configured"):
        unconfigured.authenticate(authorization=f"Bearer {issuer.token()}")
    with pytest.raises(IdentityError, match="no API key registry"):
        unconfigured.authenticate(api_key="cwk_" + "a" * 40)


@pytest.mark.parametrize("header", ["Basic YWxpY2U6c2VjcmV0", "Bearer", "token abc"])
def test_other_authorization_schemes_are_refused(config: IdentityConfig, header: str) -> None:
    with pytest.raises(IdentityError, match="Bearer <token>"):
        Authenticator(config).authenticate(authorization=header)


def test_configuration_comes_from_the_environment_over_a_home_file(tmp_path: Path) -> None:
    (tmp_path / "identity.yaml").write_text(
        "issuer: https://file.example.test\naudience: [from-file]\nleeway_seconds: 10\n", encoding="utf-8"
    )
    environ = {"CODEWARD_OIDC_AUDIENCE": "codeward, other", "CODEWARD_JWKS": "/etc/jwks.json"}
    config = IdentityConfig.from_environment(environ, home=tmp_path)
    assert config.issuer == "https://file.example.test"
    assert config.audience == ["codeward", "other"]
    assert config.jwks == "/etc/jwks.json"
    assert config.leeway_seconds == 10


def test_a_bad_configuration_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match="algorithms"):
        IdentityConfig.from_environment({"CODEWARD_OIDC_ALGORITHMS": "HS256"}, home=tmp_path)
    (tmp_path / "identity.yaml").write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(IdentityError, match="YAML mapping"):
        IdentityConfig.from_environment({}, home=tmp_path)


def test_the_policy_maps_claims_to_roles(config: IdentityConfig, issuer: Issuer) -> None:
    mapped = config.with_role_mapping(["groups"], {"sec-team": ["reviewer"]})
    actor = Authenticator(mapped).authenticate(authorization=f"Bearer {issuer.token()}")
    assert actor.roles == ["reviewer"]


def test_every_rejection_is_an_identity_error_never_a_crash(
    authenticate: Callable[[str], Any], issuer: Issuer
) -> None:
    token = issuer.token()
    variants = [token[:i] for i in range(0, len(token), 97)] + [
        token.replace(".", "..", 1),
        "\x00" * 40,
        "é.é.é",
    ]
    for variant in variants:
        if variant == token:
            continue
        with pytest.raises(IdentityError):
            authenticate(variant)
