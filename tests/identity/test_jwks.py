"""Key sets: fetched over https and cached, refetched when the issuer rotates, reread when a file changes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jwt
import pytest
from issuer import Issuer

from codeward.errors import IdentityError
from codeward.identity import IdentityConfig
from codeward.identity.jwks import JwksFile, JwksUrl, discover_jwks_uri, key_source, parse_jwks
from codeward.identity.tokens import TokenVerifier


class FakeIssuer:
    """Serves a JWKS that the test can rotate, counting how often it is fetched."""

    def __init__(self, issuer: Issuer) -> None:
        self.document = issuer.jwks()
        self.fetches = 0
        self.down = False

    def fetch(self, url: str) -> bytes:
        self.fetches += 1
        if self.down:
            raise OSError("connection refused")
        return json.dumps(self.document).encode()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_key_set_is_fetched_once_and_cached(issuer: Issuer) -> None:
    server, clock = FakeIssuer(issuer), Clock()
    keys = JwksUrl("https://issuer.example.test/jwks", ttl=300, fetch=server.fetch, clock=clock)
    for _ in range(5):
        keys.key_for("rsa-1", "RS256")
    assert server.fetches == 1
    clock.now += 301
    keys.key_for("rsa-1", "RS256")
    assert server.fetches == 2


def test_a_rotated_key_is_found_by_refetching(issuer: Issuer) -> None:
    server, clock = FakeIssuer(issuer), Clock()
    keys = JwksUrl(
        "https://issuer.example.test/jwks", ttl=300, refresh_floor=30, fetch=server.fetch, clock=clock
    )
    keys.key_for("rsa-1", "RS256")
    rotated = Issuer()
    server.document = {"keys": [*server.document["keys"], {**rotated.jwks()["keys"][0], "kid": "rsa-2"}]}
    clock.now += 31
    assert keys.key_for("rsa-2", "RS256").kid == "rsa-2"
    assert server.fetches == 2


def test_made_up_key_ids_cannot_make_codeward_hammer_the_issuer(issuer: Issuer) -> None:
    server, clock = FakeIssuer(issuer), Clock()
    keys = JwksUrl(
        "https://issuer.example.test/jwks", ttl=300, refresh_floor=30, fetch=server.fetch, clock=clock
    )
    keys.key_for("rsa-1", "RS256")
    for index in range(50):
        with pytest.raises(IdentityError, match="not in the issuer's key set"):
            keys.key_for(f"forged-{index}", "RS256")
    assert server.fetches == 1


def test_known_keys_keep_working_while_the_issuer_is_down(issuer: Issuer) -> None:
    server, clock = FakeIssuer(issuer), Clock()
    keys = JwksUrl("https://issuer.example.test/jwks", ttl=300, fetch=server.fetch, clock=clock)
    keys.key_for("rsa-1", "RS256")
    server.down = True
    clock.now += 400
    assert keys.key_for("rsa-1", "RS256").kid == "rsa-1"


def test_an_unreachable_issuer_with_no_known_keys_is_a_clear_error(issuer: Issuer) -> None:
    server = FakeIssuer(issuer)
    server.down = True
    keys = JwksUrl("https://issuer.example.test/jwks", fetch=server.fetch)
    with pytest.raises(IdentityError, match=r"cannot fetch the issuer.s key set .*connection refused"):
        keys.key_for("rsa-1", "RS256")


def test_keys_come_only_over_https_or_from_this_machine() -> None:
    with pytest.raises(IdentityError, match="https"):
        JwksUrl("http://issuer.example.test/jwks")
    JwksUrl("http://127.0.0.1:8080/jwks")


def test_the_key_set_is_discovered_from_the_issuer(issuer: Issuer) -> None:
    documents = {
        "https://issuer.example.test/.well-known/openid-configuration": {
            "jwks_uri": "https://issuer.example.test/keys"
        },
        "https://issuer.example.test/keys": issuer.jwks(),
    }
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return json.dumps(documents[url]).encode()

    assert discover_jwks_uri("https://issuer.example.test/", fetch) == "https://issuer.example.test/keys"
    source = key_source(None, "https://issuer.example.test", ttl=60, refresh_floor=5, fetch=fetch)
    assert source.key_for("ec-1", "ES256").key_type == "EC"


def test_a_replaced_jwks_file_is_reread(tmp_path: Path, issuer: Issuer) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(issuer.jwks(kids=("rsa-1",))), encoding="utf-8")
    keys = JwksFile(path)
    keys.key_for("rsa-1", "RS256")
    with pytest.raises(IdentityError):
        keys.key_for("ec-1", "ES256")
    path.write_text(json.dumps(issuer.jwks()), encoding="utf-8")
    os.utime(path, (1, 2_000_000_000))
    assert keys.key_for("ec-1", "ES256").kid == "ec-1"


def test_shared_secrets_in_a_key_set_are_ignored() -> None:
    document = {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"}]}
    with pytest.raises(IdentityError, match="no usable signing key"):
        parse_jwks(json.dumps(document), "the test set")


def test_a_key_is_used_only_with_the_algorithm_it_declares(issuer: Issuer, tmp_path: Path) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(issuer.jwks()), encoding="utf-8")
    config = IdentityConfig(issuer="https://issuer.example.test", audience=["codeward"], jwks=str(path))
    token = jwt.encode(issuer.claims(), issuer.rsa, algorithm="PS256", headers={"kid": "rsa-1"})
    with pytest.raises(IdentityError, match="not a key for PS256"):
        TokenVerifier(config).actor(token)


def test_a_broken_key_set_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match="invalid JSON"):
        parse_jwks(b"{", "the test set")
    with pytest.raises(IdentityError, match="no `keys` list"):
        parse_jwks(b"[]", "the test set")
    with pytest.raises(IdentityError, match="cannot be read"):
        JwksFile(tmp_path / "missing.json").key_for("x", "RS256")
