"""Service-account API keys: kept only as their SHA-256, looked up through any table."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeward.errors import IdentityError
from codeward.identity import ApiKeyRegistry, ApiKeyVerifier, key_hash, new_api_key
from codeward.model import Actor


def test_a_registered_key_becomes_its_verified_service_account(tmp_path: Path) -> None:
    registry = ApiKeyRegistry(tmp_path / "api_keys.json")
    key = registry.create("ci-bot", ["developer"])
    actor = registry.verifier().actor(key)
    assert (actor.id, actor.roles, actor.verified, actor.method) == ("ci-bot", ["developer"], True, "api_key")


def test_only_the_hash_of_a_key_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "api_keys.json"
    key = ApiKeyRegistry(path).create("ci-bot", [])
    stored = path.read_text(encoding="utf-8")
    assert key not in stored
    assert key_hash(key) in stored
    assert path.stat().st_mode & 0o077 == 0


def test_a_revoked_key_is_refused(tmp_path: Path) -> None:
    registry = ApiKeyRegistry(tmp_path / "api_keys.json")
    key = registry.create("ci-bot", [])
    assert registry.revoke("ci-bot") == 1
    with pytest.raises(IdentityError, match="unknown or revoked"):
        registry.verifier().actor(key)


def test_any_table_can_hold_the_keys_through_a_lookup_function() -> None:
    key = new_api_key()
    table = {key_hash(key): Actor(id="deploy-bot", roles=["sre"])}
    asked: list[str] = []

    def lookup(digest: str) -> Actor | None:
        asked.append(digest)
        return table.get(digest)

    actor = ApiKeyVerifier(lookup).actor(key)
    assert actor.verified and actor.roles == ["sre"]
    assert asked == [key_hash(key)]


@pytest.mark.parametrize(
    "key", ["", "cwk_short", "sk-live-0123456789abcdefghij", "cwk_" + "a" * 500, "cwk_abc def ghij klmn opqr"]
)
def test_malformed_keys_are_refused_without_a_lookup(key: str) -> None:
    def lookup(digest: str) -> Actor | None:
        raise AssertionError("a malformed key must not reach the table")

    with pytest.raises(IdentityError, match="malformed"):
        ApiKeyVerifier(lookup).actor(key)


def test_a_corrupt_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "api_keys.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(IdentityError, match="is not valid"):
        ApiKeyRegistry(path).lookup("0" * 64)
