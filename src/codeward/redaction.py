"""Mask secrets in text before it is logged, stored or quoted back.

One list of secret shapes, used by the secrets analyzer (to find them) and by the store and the
reports (to mask them). A masked secret keeps its kind, never its value. Shapes are RE2 patterns,
so a scan is linear in the size of the text whatever it contains. Obvious placeholders
(`password = "changeme"`, `"<your-key>"`, `"${DB_PASSWORD}"`, AWS's documented example key) are
not reported as secrets, but they are masked all the same: masking a placeholder costs a little
legibility, while a real secret taken for a placeholder would be stored in clear.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import re2

MAX_REPORTED_PER_SHAPE = 500
"""Beyond this many matches of one shape in one text, the rest are not reported (all are masked)."""

PLACEHOLDER_SAMPLE = 4096
"""How much of a match `is_placeholder` reads."""


@dataclass(frozen=True, slots=True)
class SecretShape:
    name: str
    """What `redact` writes: `[REDACTED:<name>]`."""
    family: str
    """The secrets rule that reports it: private_key, cloud_key, service_token, jwt, url_credentials, password."""
    source: str
    """The RE2 pattern."""
    group: int = 0
    """The regex group that holds the secret itself (0: the whole match)."""


SECRET_SHAPES: tuple[SecretShape, ...] = (
    SecretShape(
        "private-key",
        "private_key",
        r"-----BEGIN (?:[A-Z0-9]+ )?PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )?PRIVATE KEY(?: BLOCK)?-----|$)",
    ),
    SecretShape(
        "aws-access-key-id", "cloud_key", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"
    ),
    SecretShape(
        "aws-secret-access-key",
        "cloud_key",
        r"(?i)aws_?secret_?access_?key[\"']?\s*[=:]\s*[\"']?([A-Za-z0-9/+=]{40})\b",
        1,
    ),
    SecretShape("google-api-key", "cloud_key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    SecretShape("azure-storage-key", "cloud_key", r"(?i)\bAccountKey=([A-Za-z0-9+/]{86}==)", 1),
    SecretShape("digitalocean-token", "cloud_key", r"\bdo[pro]_v1_[a-f0-9]{64}\b"),
    SecretShape(
        "github-token",
        "service_token",
        r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}\b",
    ),
    SecretShape("gitlab-token", "service_token", r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
    SecretShape("slack-token", "service_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
    SecretShape(
        "slack-webhook",
        "service_token",
        r"https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]{16,}",
    ),
    SecretShape("stripe-key", "service_token", r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b"),
    SecretShape("openai-key", "service_token", r"\bsk-(?:proj-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{32,}\b"),
    SecretShape("npm-token", "service_token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    SecretShape("pypi-token", "service_token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
    SecretShape("sendgrid-key", "service_token", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
    SecretShape("huggingface-token", "service_token", r"\bhf_[A-Za-z0-9]{34,}\b"),
    SecretShape("jwt", "jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b"),
    SecretShape(
        "url-credentials",
        "url_credentials",
        r"\b[a-z][a-z0-9+.-]{0,20}://[^/\s:@]{1,128}:([^/\s@]{3,128})@",
        1,
    ),
    SecretShape(
        "password-assignment",
        "password",
        r"(?i)\b(?:password|passwd|pwd|secret|api_?key|access_?token|auth_?token|client_?secret|secret_?key)\b"
        r"[\"']?\s*[:=]\s*[\"']([^\"'\s]{6,256})[\"']",
        1,
    ),
)

_PATTERNS: tuple[Any, ...] = tuple(re2.compile(shape.source) for shape in SECRET_SHAPES)


def _prefilter() -> Any:
    matcher = re2.Set.SearchSet(re2.Options())
    for shape in SECRET_SHAPES:
        matcher.Add(shape.source)
    matcher.Compile()
    return matcher


_ANY_SHAPE = _prefilter()

_PLACEHOLDER_WORDS = re.compile(
    r"(?i)example|placeholder|change[_-]?me|your[_-]?|xxxx|\*\*\*|dummy|sample|redacted|fake|insert|replace|"
    r"todo|fixme|<|>|\$\{|\{\{|\{[\w.]*\}|\$\(|%\(|%s|\benv\b|getenv|process\.env|os\.environ"
)
_COMMON_VALUES = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "changeme",
        "123456",
        "1234567",
        "12345678",
        "123456789",
        "qwerty",
        "letmein",
        "default",
        "undefined",
        "null",
        "none",
        "hunter2",
        "testing",
        "test123",
        "password1",
        "password123",
        "secret123",
        "foobar",
        "notasecret",
    }
)
_ENVIRONMENT_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


def is_placeholder(shape: SecretShape, value: str) -> bool:
    """True when `value` is obviously not a real secret: a template, an example, a default.

    Only the first few kilobytes are looked at, so a megabyte-long match costs no more than a key.
    """
    value = value[:PLACEHOLDER_SAMPLE]
    if shape.name == "private-key":
        body = re.sub(r"-----[A-Z ]+-----|\s", "", value)
        return len(body) < 64 or len(set(body)) < 8
    if _PLACEHOLDER_WORDS.search(value):
        return True
    counts = Counter(value.lower())
    if len(counts) <= 3 or max(counts.values()) > 0.6 * len(value):
        return True
    if shape.family == "password" or shape.family == "url_credentials":
        lowered = value.lower()
        if lowered in _COMMON_VALUES or _ENVIRONMENT_NAME.match(value):
            return True
        if value.startswith(("/", "./", "~/", "http://", "https://")):
            return True
        if "test" in lowered:
            return True
    return False


def may_hold_secret(text: str) -> bool:
    """False only when no secret shape occurs anywhere in `text`: one linear scan, so a caller can
    test many strings at once (joined) and skip masking them one by one when nothing is there."""
    return bool(text) and bool(_ANY_SHAPE.Match(text))


def find_secrets(text: str, *, placeholders: bool = True) -> list[tuple[str, int, int]]:
    """(shape name, start, end) for every secret in `text`, by offsets of the secret itself.

    With `placeholders=False`, values that are obviously not real secrets are left out (for
    reporting); the default keeps them, which is what masking needs.
    """
    found_shapes = _ANY_SHAPE.Match(text) if text else None
    if not found_shapes:
        return []
    found: list[tuple[str, int, int]] = []
    for index in sorted(found_shapes):
        shape = SECRET_SHAPES[index]
        for count, match in enumerate(_PATTERNS[index].finditer(text)):
            if not placeholders and count >= MAX_REPORTED_PER_SHAPE:
                break
            start, end = match.span(shape.group)
            if start < 0 or end <= start:
                continue
            if not placeholders and is_placeholder(shape, text[start:end]):
                continue
            found.append((shape.name, start, end))
    found.sort(key=lambda item: (item[1], -item[2]))
    merged: list[tuple[str, int, int]] = []
    for item in found:
        if merged and item[1] < merged[-1][2]:
            continue
        merged.append(item)
    return merged


def shape_named(name: str) -> SecretShape:
    """The shape called `name` (a name `find_secrets` returned)."""
    for shape in SECRET_SHAPES:
        if shape.name == name:
            return shape
    raise KeyError(name)


def redact(text: str) -> str:
    """`text` with every secret replaced by `[REDACTED:<kind>]`."""
    secrets = find_secrets(text)
    if not secrets:
        return text
    parts: list[str] = []
    cursor = 0
    for name, start, end in secrets:
        parts.append(text[cursor:start])
        parts.append(f"[REDACTED:{name}]")
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)
