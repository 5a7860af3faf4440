"""Secrets are masked wherever text is stored or quoted, and reported where code hard-codes them."""

from __future__ import annotations

import pytest

from codeward import Context, Guard, Subject
from codeward.redaction import MAX_REPORTED_PER_SHAPE, find_secrets, redact

# Each value is a made-up secret of a real shape; none of them is a live credential.
SECRETS = {
    "aws-access-key-id": "AKIAQ3EGRT7XJ2LK9PZW",
    "github-token": "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "gitlab-token": "glpat-Zx9Qw8Er7Ty6Ui5Op4As",
    "slack-token": "xoxb-2048-4096-Zx9Qw8Er7Ty6",
    "stripe-key": "sk_live_Zx9Qw8Er7Ty6Ui5Op4As3Df2",
    "google-api-key": "AIzaSyD3kL9qPz7Xw2Vn5Rt8Ym1Bc4Hf6Jg0Ks_",
    "openai-key": "sk-proj-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm",
    "npm-token": "npm_Ab3De5Gh7Jk9Mn1Pq3St5Vw7Yz9Bc1Ef3Hj5",
    "huggingface-token": "hf_Ab3De5Gh7Jk9Mn1Pq3St5Vw7Yz9Bc1Ef3Hj",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.Qm9ndXNTaWduYXR1cmVIZXJl",
}


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_a_secret_is_masked_with_its_kind_and_the_text_around_it_kept(kind: str) -> None:
    text = f"deploy --token {SECRETS[kind]} --verbose"
    assert redact(text) == f"deploy --token [REDACTED:{kind}] --verbose"


def test_only_the_secret_part_of_an_assignment_or_url_is_masked() -> None:
    text = 'password = "S3cr3t-Pa55!"\nurl = "postgres://app:Vq7pLm2Xz9@db.internal/app"'
    assert redact(text) == (
        'password = "[REDACTED:password-assignment]"\nurl = "postgres://app:[REDACTED:url-credentials]@db.internal/app"'
    )


def test_a_private_key_block_is_masked_whole_even_when_it_is_cut_off() -> None:
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7" * 3
    whole = f"key:\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\nnext"
    assert redact(whole) == "key:\n[REDACTED:private-key]\nnext"
    cut = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}"
    assert redact(cut) == "[REDACTED:private-key]"


def test_placeholders_are_masked_but_not_reported_as_secrets() -> None:
    text = 'password = "changeme"\napi_key = "<your-key>"\nkey = "AKIAIOSFODNN7EXAMPLE"'
    assert find_secrets(text, placeholders=False) == []
    masked = redact(text)
    assert "changeme" not in masked and "<your-key>" not in masked and "AKIAIOSFODNN7EXAMPLE" not in masked


def test_every_one_of_many_secrets_is_masked_beyond_the_reporting_limit() -> None:
    keys = [f"AKIAQ3EGRT7XJ2{n:06d}" for n in range(MAX_REPORTED_PER_SHAPE + 50)]
    masked = redact(" ".join(keys))
    assert not any(key in masked for key in keys)
    assert len(find_secrets(" ".join(keys), placeholders=False)) == MAX_REPORTED_PER_SHAPE


def test_text_without_secrets_is_returned_unchanged() -> None:
    text = "rm -rf ./build && echo 'token: see the vault' # sk-short"
    assert redact(text) == text


def test_a_hard_coded_token_is_reported_without_quoting_it(guard: Guard) -> None:
    token = SECRETS["github-token"]
    code = f'import requests\nrequests.get("https://api.github.com/user", headers={{"Authorization": "token {token}"}})\n'
    decision = guard.check(Subject(kind="code", content=code, language="python", mode="generate"), Context())
    secrets = [f for f in decision.findings if f.rule_id == "any.secrets.service_token"]
    assert [f.lines for f in secrets] == [[2]] and secrets[0].target == "github-token"
    assert token not in secrets[0].evidence and "[REDACTED:github-token]" in secrets[0].evidence


def test_a_hard_coded_secret_is_a_notice_not_a_stop(guard: Guard) -> None:
    code = 'DATABASE_URL = "postgres://app:Vq7pLm2Xz9@db.internal:5432/app"\n'
    for mode in ("generate", "execute"):
        decision = guard.check(Subject(kind="code", content=code, language="python", mode=mode), Context())
        assert decision.action.value == "notice", (mode, decision.reasons)
