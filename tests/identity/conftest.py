"""Fixtures: one test issuer per session, its JWKS as a file, and an authenticator configured for it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from issuer import AUDIENCE, ISSUER, Issuer

from codeward.identity import Authenticator, IdentityConfig


@pytest.fixture(scope="session")
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def jwks_file(tmp_path: Path, issuer: Issuer) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(issuer.jwks()), encoding="utf-8")
    return path


@pytest.fixture
def config(jwks_file: Path) -> IdentityConfig:
    return IdentityConfig(
        issuer=ISSUER,
        audience=[AUDIENCE],
        jwks=str(jwks_file),
        role_claims=("groups", "realm_access.roles"),
        role_map={"sec-team": ["security-engineer"], "teachers": ["instructor"]},
    )


@pytest.fixture
def authenticate(config: IdentityConfig) -> Callable[[str], Any]:
    authenticator = Authenticator(config)
    return lambda token: authenticator.authenticate(authorization=f"Bearer {token}")
