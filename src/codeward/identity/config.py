"""How codeward verifies identities: the OIDC issuer, audience, JWKS, algorithms and API-key registry.

Read from the environment (`CODEWARD_OIDC_ISSUER`, `CODEWARD_OIDC_AUDIENCE`, `CODEWARD_JWKS`,
`CODEWARD_OIDC_ALGORITHMS`, `CODEWARD_API_KEYS`) over an optional `$CODEWARD_HOME/identity.yaml`.
Symmetric algorithms and `none` are refused here: a JWKS publishes public keys, and a public key
used as an HMAC secret is the classic forgery.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from codeward.errors import IdentityError
from codeward.home import home as codeward_home

ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
DEFAULT_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")


class IdentityConfig(BaseModel):
    """Where tokens come from and how their claims become roles (the policy's `identity` section)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str | None = None
    audience: list[str] = Field(default_factory=list)
    jwks: str | None = None
    """A JWKS file path or an https URL; discovered from the issuer when omitted."""
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    leeway_seconds: float = Field(default=30.0, ge=0, le=300)
    """Clock skew tolerated on exp, nbf and iat."""
    max_token_bytes: int = Field(default=16 * 1024, gt=0, le=1024 * 1024)
    jwks_cache_seconds: float = Field(default=300.0, gt=0)
    jwks_refresh_floor_seconds: float = Field(default=30.0, ge=0)
    """An unknown `kid` refetches the JWKS (key rotation), at most this often."""
    role_claims: tuple[str, ...] = ("roles", "groups")
    role_map: dict[str, list[str]] = Field(default_factory=dict)
    api_keys: str | None = None
    """A file of hashed service-account keys (see `ApiKeyRegistry`)."""

    @field_validator("algorithms")
    @classmethod
    def _asymmetric_only(cls, algorithms: tuple[str, ...]) -> tuple[str, ...]:
        refused = [a for a in algorithms if a not in ASYMMETRIC_ALGORITHMS]
        if refused:
            raise ValueError(
                f"algorithms {refused} are not allowed: only asymmetric signatures verified against a "
                f"JWKS ({', '.join(ASYMMETRIC_ALGORITHMS)})"
            )
        if not algorithms:
            raise ValueError("at least one algorithm must be allowed")
        return algorithms

    @property
    def verifies_tokens(self) -> bool:
        return self.issuer is not None

    def with_role_mapping(
        self, role_claims: list[str] | tuple[str, ...], role_map: Mapping[str, list[str]]
    ) -> IdentityConfig:
        """The same configuration with the policy's claim -> role mapping."""
        return self.model_copy(update={"role_claims": tuple(role_claims), "role_map": dict(role_map)})

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, home: str | Path | None = None
    ) -> IdentityConfig:
        """`$CODEWARD_HOME/identity.yaml` (if present), overridden by `CODEWARD_*` variables."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        home_dir = Path(home).expanduser() if home else codeward_home(environ)
        file = home_dir / "identity.yaml"
        if file.is_file():
            try:
                loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as error:
                raise IdentityError(f"{file}: cannot read the identity configuration: {error}") from None
            if not isinstance(loaded, dict):
                raise IdentityError(f"{file}: the identity configuration is a YAML mapping")
            values.update(loaded)
        overrides = {
            "issuer": environ.get("CODEWARD_OIDC_ISSUER"),
            "audience": environ.get("CODEWARD_OIDC_AUDIENCE"),
            "jwks": environ.get("CODEWARD_JWKS"),
            "algorithms": environ.get("CODEWARD_OIDC_ALGORITHMS"),
            "api_keys": environ.get("CODEWARD_API_KEYS"),
        }
        for key, value in overrides.items():
            if value:
                values[key] = value
        if values.get("api_keys") is None and (home_dir / "api_keys.json").is_file():
            values["api_keys"] = str(home_dir / "api_keys.json")
        for key in ("audience", "algorithms"):
            if isinstance(values.get(key), str):
                values[key] = [part.strip() for part in values[key].replace(",", " ").split() if part.strip()]
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in item['loc']) or 'config'}: {item['msg']}"
                for item in error.errors()
            )
            raise IdentityError(f"invalid identity configuration: {problems}") from None
