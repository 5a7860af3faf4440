"""Mask secrets in text before it is logged, stored or quoted back.

One list of secret shapes, used by the secrets analyzer (to find them) and by the store and the
reports (to mask them). A masked secret keeps its kind and length class, never its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SecretShape:
    name: str
    pattern: re.Pattern[str]
    group: int = 0
    """The regex group that holds the secret itself (0: the whole match)."""


SECRET_SHAPES: tuple[SecretShape, ...] = (
    SecretShape(
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )?PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )?PRIVATE KEY-----|$)"
        ),
    ),
    SecretShape(
        "aws-access-key-id", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b")
    ),
    SecretShape(
        "aws-secret-access-key",
        re.compile(r"(?i)aws_?secret_?access_?key\s*[=:]\s*[\"']?([A-Za-z0-9/+=]{40})"),
        1,
    ),
    SecretShape(
        "github-token",
        re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}\b"),
    ),
    SecretShape("gitlab-token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b")),
    SecretShape("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
    SecretShape("stripe-key", re.compile(r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b")),
    SecretShape("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    SecretShape("openai-key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}\b")),
    SecretShape("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b")),
    SecretShape("url-credentials", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:([^/\s@]{3,})@"), 1),
    SecretShape(
        "password-assignment",
        re.compile(
            r"(?i)\b(?:password|passwd|pwd|secret|api_?key|access_?token|auth_?token|client_?secret)\b"
            r"[\"']?\s*[:=]\s*[\"']([^\"'\s]{6,})[\"']"
        ),
        1,
    ),
)


def find_secrets(text: str) -> list[tuple[str, int, int]]:
    """(shape name, start, end) for every secret in `text`, by offsets of the secret itself."""
    found: list[tuple[str, int, int]] = []
    for shape in SECRET_SHAPES:
        for match in shape.pattern.finditer(text):
            start, end = match.span(shape.group)
            if start >= 0 and end > start:
                found.append((shape.name, start, end))
    found.sort(key=lambda item: (item[1], -item[2]))
    merged: list[tuple[str, int, int]] = []
    for item in found:
        if merged and item[1] < merged[-1][2]:
            continue
        merged.append(item)
    return merged


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
