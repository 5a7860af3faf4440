"""`codeward review` and `codeward audit` against the local store (the one `codeward check` records to)
and against a running service (`--server`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from codeward.adapters.cli import cli
from servicecases import HELD_SNIPPET, running_service, write_policy


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for variable in ("CODEWARD_DB", "CODEWARD_SERVER", "CODEWARD_TOKEN", "CODEWARD_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("CODEWARD_HOME", str(tmp_path))
    return tmp_path


def run(*arguments: str, key: str | None = None) -> Result:
    environment = {"CODEWARD_API_KEY": key} if key else {}
    return CliRunner().invoke(cli, list(arguments), env=environment)


def new_key(account: str, role: str) -> str:
    created = run("api-key", "create", account, "--role", role)
    assert created.exit_code == 0
    return created.stdout.strip().splitlines()[0]


def test_check_records_and_review_approves_by_decision_id(home: Path) -> None:
    policy = str(write_policy(home))
    held = run("check", "-c", HELD_SNIPPET, "--policy", policy, "--format", "json")
    assert held.exit_code == 3
    decision = json.loads(held.stdout)
    listed = run("review", "list")
    assert decision["review_id"] in listed.stdout and "policy.deny_list" in listed.stdout

    nobody = run("review", "approve", decision["decision_id"], "-m", "fine", "--policy", policy)
    assert nobody.exit_code != 0
    rita = new_key("rita", "reviewer")
    approved = run("review", "approve", decision["decision_id"], "-m", "fine", "--policy", policy, key=rita)
    assert approved.exit_code == 0 and "approved by rita" in approved.stdout
    shown = run("review", "show", decision["review_id"])
    assert ">    3 | echo HOLD_FOR_REVIEW" in shown.stdout and "approved by rita: fine" in shown.stdout


def test_an_upheld_appeal_is_exported_as_a_policy_test_that_codeward_policy_test_runs(home: Path) -> None:
    policy = write_policy(home)
    stopped = json.loads(
        run("check", "-c", "echo STOP_HERE", "--policy", str(policy), "--format", "json").stdout
    )
    filed = run("review", "appeal", stopped["decision_id"], "--why", "a fixture", "--expect", "allow")
    assert filed.exit_code == 0 and "review r" in filed.stdout
    rita = new_key("rita", "reviewer")
    assert run("review", "approve", stopped["decision_id"], "-m", "agreed", key=rita).exit_code == 0

    exported = home / "appeals.yaml"
    assert run("review", "export-tests", "-o", str(exported), "--layer", str(policy)).exit_code == 0
    assert "echo STOP_HERE" in exported.read_text()
    failing = run("policy", "test", str(exported))
    assert failing.exit_code != 0 and "expected allow, got block" in failing.stdout

    fixed = home / "fixed.yaml"
    fixed.write_text(
        policy.read_text().replace(
            "  - {id: stop-marker, pattern: 'STOP_HERE', reason: the test policy stops this}\n", ""
        )
    )
    exported.write_text(exported.read_text().replace(str(policy), str(fixed)))
    assert run("policy", "test", str(exported)).exit_code == 0


def test_audit_verify_export_and_tail(home: Path) -> None:
    for command in ("ls", "pwd"):
        run("check", "-c", command)
    verified = run("audit", "verify")
    assert verified.exit_code == 0 and verified.stdout.startswith("intact: 2 record(s)")
    exported = home / "audit.jsonl"
    assert run("audit", "export", "-o", str(exported)).exit_code == 0
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [r["body"]["subject"]["content"] for r in lines] == ["ls", "pwd"]
    tail = run("audit", "tail", "-n", "1")
    assert tail.stdout.count("\n") == 1 and "decision" in tail.stdout

    import sqlite3

    with sqlite3.connect(home / "codeward.db") as connection:
        connection.execute("UPDATE audit SET body = replace(body, '\"pwd\"', '\"rm\"') WHERE seq = 2")
    broken = run("audit", "verify")
    assert broken.exit_code == 1 and "BROKEN at record 2" in broken.stdout


def test_review_and_audit_against_a_running_service(home: Path) -> None:
    import httpx

    policy = write_policy(home)
    rita = new_key("rita", "reviewer")
    with running_service("--policy", str(policy), home=home) as url:
        held = httpx.post(f"{url}/v1/check", json={"subject": {"content": HELD_SNIPPET}}, timeout=30).json()
        listed = run("review", "list", "--server", url, key=rita)
        assert listed.exit_code == 0 and held["review_id"] in listed.stdout
        denied = run("review", "deny", held["decision_id"], "-m", "no thanks", "--server", url, key=rita)
        assert denied.exit_code == 0 and "denied by rita" in denied.stdout
        verified = run("audit", "verify", "--server", url, key=rita)
        assert verified.exit_code == 0 and "intact" in verified.stdout
        tail = run("audit", "tail", "-n", "1", "--server", url, key=rita)
        assert "review.denied" in tail.stdout and "no thanks" in tail.stdout
        refused = run("audit", "verify", "--server", url)
        assert refused.exit_code != 0
