"""`codeward check` as a user meets it: verdicts, JSON, exit statuses and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codeward.adapters.cli import main

REQUIRED_DECISION_FIELDS = {
    "decision_id",
    "action",
    "risk",
    "reasons",
    "findings",
    "intent",
    "policy",
    "remedies",
    "latency_ms",
}
REQUIRED_FINDING_FIELDS = {
    "rule_id",
    "capability",
    "target",
    "severity",
    "confidence",
    "source",
    "lines",
    "evidence",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_json_output_is_exactly_one_decision_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "-c", "ls -la", "--format", "json")
    decision = json.loads(out)
    assert set(decision) >= REQUIRED_DECISION_FIELDS
    assert set(decision["intent"]) >= {"name", "source", "authorized", "confidence", "evidence"}
    assert set(decision["policy"]) >= {"id", "version", "rule"}
    for finding in decision["findings"]:
        assert set(finding) >= REQUIRED_FINDING_FIELDS
    assert code == 0


def test_a_file_is_judged_in_generate_mode_and_a_command_in_execute_mode(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = tmp_path / "tool.py"
    script.write_text("print('hello')\n")
    _, out, _ = run(capsys, "check", str(script), "--format", "json")
    assert json.loads(out)["mode"] == "generate" and json.loads(out)["language"] == "python"
    _, out, _ = run(capsys, "check", "-c", "echo hi", "--format", "json")
    assert json.loads(out)["mode"] == "execute" and json.loads(out)["kind"] == "command"


def test_usage_errors_exit_2_with_a_message(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "check")
    assert code == 2 and "exactly one of" in err
    code, _, err = run(capsys, "check", str(tmp_path / "missing.sh"))
    assert code == 2 and "no such file" in err and "Traceback" not in err
    code, _, err = run(capsys, "check", "-c", "ls", "--policy", str(tmp_path / "nope.yaml"))
    assert code == 2 and "no such policy file" in err


def test_an_invalid_policy_points_at_its_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    policy = tmp_path / "team.yaml"
    policy.write_text("codeward: 1\nid: team\nrules:\n  - id: x\n    action: sometimes\n")
    code, _, err = run(capsys, "policy", "lint", str(policy))
    assert code == 2 and f"{policy}:5:" in err


def test_cases_are_judged_in_order_with_their_ids(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    records = [
        {"id": "a", "kind": "command", "content": "ls", "mode": "execute"},
        {
            "id": "b",
            "kind": "code",
            "language": "python",
            "content": "print(1)",
            "mode": "generate",
            "context": {
                "declared_intent": "education",
                "roles": ["instructor"],
                "project": {"files": ["lessons/1.md"]},
            },
        },
    ]
    cases.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    code, out, _ = run(capsys, "check", "--cases", str(cases), "--format", "json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [d["id"] for d in lines] == ["a", "b"]
    assert lines[1]["intent"]["name"] == "education" and lines[1]["intent"]["authorized"] is True
    assert code == 0


def test_a_bad_record_is_reported_and_the_rest_still_judged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "ok", "content": "ls", "kind": "command"}\nnot json\n{"id": "x"}\n')
    code, out, _ = run(capsys, "check", "--cases", str(cases), "--format", "json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["id"] == "ok" and "action" in lines[0]
    assert "invalid JSON" in lines[1]["error"] and "content" in lines[2]["error"]
    assert code == 2


def test_text_output_explains_the_decision(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "-c", "ls", "--no-color")
    assert "Why" in out and "Intent" in out and "decision " in out


def test_roles_from_the_command_line_are_unverified(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys,
        "check",
        "-c",
        "ls",
        "--role",
        "security-engineer",
        "--intent",
        "security_research",
        "--format",
        "json",
    )
    intent = json.loads(out)["intent"]
    assert intent["name"] == "security_research" and intent["authorized"] is False


def test_stdin_is_read_with_a_dash() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "codeward.adapters.cli", "check", "-", "--format", "json"],
        input=b"echo hello\n",
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["content_sha256"]


def test_undecodable_bytes_still_get_a_decision(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\xff\xfe\x00\x01rm -rf /\x00\x80")
    code, out, _ = run(capsys, "check", str(blob), "--format", "json")
    decision = json.loads(out)
    assert any(f["capability"] == "analysis.incomplete" for f in decision["findings"])
    assert code in (0, 3, 4)
