"""API keys for service accounts, stored only as their SHA-256.

Keys are 256 random bits, so a plain SHA-256 is enough to make a stolen table useless (a slow
password hash protects low-entropy secrets; these are not). A verifier takes a lookup function
from the hash to an Actor, so any table can hold the keys: the service's store, or the
`ApiKeyRegistry` file used by the CLI.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from codeward.errors import IdentityError
from codeward.model import Actor

PREFIX = "cwk_"
_KEY_SHAPE = re.compile(r"^cwk_[A-Za-z0-9_-]{20,128}$")


def new_api_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """The SHA-256 (hex) that a key is stored and looked up under."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeyVerifier:
    """Turns a presented key into the service account's Actor, through `lookup(sha256_hex)`."""

    def __init__(self, lookup: Callable[[str], Actor | None]) -> None:
        self._lookup = lookup

    def actor(self, key: str) -> Actor:
        key = key.strip()
        if not _KEY_SHAPE.match(key):
            raise IdentityError(f"API key rejected: malformed (codeward keys look like {PREFIX}…)")
        found = self._lookup(key_hash(key))
        if found is None:
            raise IdentityError("API key rejected: unknown or revoked key")
        return found.model_copy(update={"verified": True, "method": "api_key"})


class ServiceAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    id: str = Field(min_length=1, max_length=256)
    roles: list[str] = Field(default_factory=list)
    created: float = 0.0
    revoked: bool = False


class _KeyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keys: list[ServiceAccount] = Field(default_factory=list)


class ApiKeyRegistry:
    """A JSON file of hashed keys (`$CODEWARD_HOME/api_keys.json`), reread when it changes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._stamp: tuple[float, int] | None = None
        self._accounts: dict[str, ServiceAccount] = {}
        self._lock = threading.Lock()

    def lookup(self, digest: str) -> Actor | None:
        account = self._load().get(digest)
        if account is None or account.revoked:
            return None
        return Actor(id=account.id, roles=list(account.roles), verified=True, method="api_key")

    def verifier(self) -> ApiKeyVerifier:
        return ApiKeyVerifier(self.lookup)

    def create(self, account_id: str, roles: list[str]) -> str:
        """Adds a service account and returns its key: shown once, only its hash is kept."""
        key = new_api_key()
        accounts = dict(self._load())
        entry = ServiceAccount(sha256=key_hash(key), id=account_id, roles=roles, created=time.time())
        accounts[entry.sha256] = entry
        self._save(accounts)
        return key

    def revoke(self, account_id: str) -> int:
        accounts = self._load()
        revoked = 0
        for account in accounts.values():
            if account.id == account_id and not account.revoked:
                account.revoked = True
                revoked += 1
        self._save(accounts)
        return revoked

    def _load(self) -> dict[str, ServiceAccount]:
        with self._lock:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                return {}
            except OSError as error:
                raise IdentityError(f"the API key file {self.path} cannot be read: {error}") from None
            stamp = (stat.st_mtime, stat.st_size)
            if stamp != self._stamp:
                try:
                    parsed = _KeyFile.model_validate_json(self.path.read_bytes())
                except (OSError, ValidationError) as error:
                    raise IdentityError(f"the API key file {self.path} is not valid: {error}") from None
                self._accounts = {account.sha256: account for account in parsed.keys}
                self._stamp = stamp
            return self._accounts

    def _save(self, accounts: dict[str, ServiceAccount]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = _KeyFile(keys=list(accounts.values())).model_dump(mode="json")
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1)
        os.replace(temporary, self.path)
        with self._lock:
            self._stamp = None
