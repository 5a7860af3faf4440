"""Signing keys of an OIDC issuer: a JWKS read from a file or fetched from a URL, cached, rotated.

A token naming a `kid` that is not cached makes the URL source refetch (the issuer rotated its
keys), but no more often than the refresh floor, so a flood of made-up `kid`s cannot turn codeward
into a load generator against the issuer. When a refetch fails, keys already known keep working.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import jwt

from codeward.errors import IdentityError

MAX_JWKS_BYTES = 512 * 1024
Fetch = Callable[[str], bytes]
"""Gets a URL's body; raises OSError (urllib's errors are OSErrors) when it cannot."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A published public key, with the algorithm and type its JWK declared."""

    kid: str
    key: Any
    """The `cryptography` public key object."""
    key_type: str
    algorithm: str | None

    def fits(self, algorithm: str) -> bool:
        if self.algorithm is not None:
            return self.algorithm == algorithm
        family = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}.get(algorithm[:2])
        return family == self.key_type


class KeySource(Protocol):
    def key_for(self, kid: str | None, algorithm: str) -> SigningKey:
        """The public key that signed a token with this `kid` and algorithm, or IdentityError."""
        ...


def fetch_url(url: str, *, timeout: float = 5.0) -> bytes:
    """GET a JWKS or discovery document with the standard library (identity is not an adapter)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "codeward"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise OSError(f"{url} returned more than {MAX_JWKS_BYTES:,} bytes")
    return body


def check_url(url: str) -> str:
    """Keys must come over https; plain http only from this machine (tests, a local issuer)."""
    parsed = urllib.parse.urlsplit(url)
    local = parsed.hostname in ("localhost", "127.0.0.1", "::1")
    if parsed.scheme == "https" or (parsed.scheme == "http" and local):
        return url
    raise IdentityError(f"JWKS and issuer URLs must use https (got {url!r})")


def parse_jwks(body: bytes | str, where: str) -> dict[str, SigningKey]:
    """kid -> key for every usable signing key; keys of unknown types are skipped, not fatal."""
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise IdentityError(f"{where} is not a JSON Web Key Set (invalid JSON)") from None
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise IdentityError(f"{where} is not a JSON Web Key Set (no `keys` list)")
    keys: dict[str, SigningKey] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        if entry.get("kty") == "oct":
            continue  # a shared secret has no place in a published key set
        try:
            parsed = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            continue
        kid = str(entry.get("kid", f"#{index}"))
        declared = entry.get("alg")
        keys[kid] = SigningKey(kid, parsed.key, str(entry.get("kty")), str(declared) if declared else None)
    if not keys:
        raise IdentityError(f"{where} holds no usable signing key")
    return keys


def select(keys: dict[str, SigningKey], kid: str | None, algorithm: str, where: str) -> SigningKey | None:
    """The key for `kid` (or the only key when the token names none) that may sign with `algorithm`."""
    if kid is None:
        candidates = [k for k in keys.values() if k.fits(algorithm)]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return None
        raise IdentityError(f"the token names no key (kid) and {where} has {len(candidates)} that could fit")
    key = keys.get(kid)
    if key is None:
        return None
    if not key.fits(algorithm):
        raise IdentityError(f"key {kid!r} in {where} is not a key for {algorithm}")
    return key


class JwksFile:
    """A JWKS on disk, reread when the file changes (rotation by replacing the file)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._stamp: tuple[float, int] | None = None
        self._keys: dict[str, SigningKey] = {}
        self._lock = threading.Lock()

    def key_for(self, kid: str | None, algorithm: str) -> SigningKey:
        with self._lock:
            try:
                stat = self.path.stat()
            except OSError:
                raise IdentityError(f"the JWKS file {self.path} cannot be read") from None
            stamp = (stat.st_mtime, stat.st_size)
            if stamp != self._stamp:
                if stat.st_size > MAX_JWKS_BYTES:
                    raise IdentityError(f"the JWKS file {self.path} is larger than {MAX_JWKS_BYTES:,} bytes")
                try:
                    body = self.path.read_bytes()
                except OSError:
                    raise IdentityError(f"the JWKS file {self.path} cannot be read") from None
                self._keys = parse_jwks(body, str(self.path))
                self._stamp = stamp
            key = select(self._keys, kid, algorithm, str(self.path))
        if key is None:
            raise IdentityError(f"signing key {kid!r} is not in the JWKS file {self.path}")
        return key


class JwksUrl:
    """A JWKS fetched over https, cached for `ttl` seconds and refetched on an unknown `kid`."""

    def __init__(
        self,
        url: str,
        *,
        ttl: float = 300.0,
        refresh_floor: float = 30.0,
        fetch: Fetch = fetch_url,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = check_url(url)
        self._ttl = ttl
        self._floor = refresh_floor
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key_for(self, kid: str | None, algorithm: str) -> SigningKey:
        with self._lock:
            now = self._clock()
            if self._fetched_at is None or now - self._fetched_at >= self._ttl:
                self._refresh(now)
            key = select(self._keys, kid, algorithm, self.url)
            if key is None and self._fetched_at is not None and now - self._fetched_at >= self._floor:
                self._refresh(now)
                key = select(self._keys, kid, algorithm, self.url)
        if key is None:
            raise IdentityError(f"signing key {kid!r} is not in the issuer's key set {self.url}")
        return key

    def _refresh(self, now: float) -> None:
        try:
            keys = parse_jwks(self._fetch(self.url), self.url)
        except (OSError, IdentityError) as error:
            if not self._keys:
                raise IdentityError(f"cannot fetch the issuer's key set {self.url}: {error}") from None
            self._fetched_at = now  # keep the known keys; retry after the floor, not on every token
            return
        self._keys = keys
        self._fetched_at = now


def discover_jwks_uri(issuer: str, fetch: Fetch = fetch_url) -> str:
    """The `jwks_uri` of an OIDC issuer, from its discovery document."""
    url = check_url(issuer.rstrip("/") + "/.well-known/openid-configuration")
    try:
        document: Any = json.loads(fetch(url))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise IdentityError(f"cannot read the issuer's discovery document {url}: {error}") from None
    jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
    if not isinstance(jwks_uri, str):
        raise IdentityError(f"the discovery document {url} names no jwks_uri")
    return check_url(jwks_uri)


def key_source(
    jwks: str | None, issuer: str | None, *, ttl: float, refresh_floor: float, fetch: Fetch = fetch_url
) -> KeySource:
    """A file path, an https URL, or (when omitted) the issuer's discovered key set."""
    if jwks is None:
        if issuer is None:
            raise IdentityError("no JWKS configured: set CODEWARD_JWKS (a file or an https URL)")
        return JwksUrl(discover_jwks_uri(issuer, fetch), ttl=ttl, refresh_floor=refresh_floor, fetch=fetch)
    if "://" in jwks:
        if jwks.startswith("file://"):
            return JwksFile(urllib.parse.urlsplit(jwks).path)
        return JwksUrl(jwks, ttl=ttl, refresh_floor=refresh_floor, fetch=fetch)
    return JwksFile(jwks)


__all__ = [
    "Fetch",
    "JwksFile",
    "JwksUrl",
    "KeySource",
    "SigningKey",
    "discover_jwks_uri",
    "fetch_url",
    "key_source",
    "parse_jwks",
]
