"""`codeward scan` and `codeward precommit`: a tree or a commit judged file by file, reported for people
(a table), programs (JSON) and code-scanning UIs (SARIF 2.1.0)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from codeward.adapters.cli import cli
from codeward.adapters.precommit import Addition, parse_diff

DENY_MARKER = "codeward: 1\nid: team\ndeny:\n  - {id: no-marker, pattern: 'FORBIDDEN_MARKER', reason: the team forbids the marker}\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ok.py").write_text("print('hello')\n")
    (tmp_path / "src" / "bad.sh").write_text("#!/bin/sh\necho start\necho FORBIDDEN_MARKER\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "dep.js").write_text("FORBIDDEN_MARKER\n")
    (tmp_path / "README.md").write_text("FORBIDDEN_MARKER in prose is not code\n")
    (tmp_path / "policy.yaml").write_text(DENY_MARKER)
    return tmp_path


def scan(tree: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["scan", str(tree / "src"), "--policy", str(tree / "policy.yaml"), *args]
    )
    return result.exit_code, result.output


def test_scan_prints_a_summary_table_and_exits_like_check(tree: Path) -> None:
    code, output = scan(tree)
    assert code == 4, output
    assert "Scanned 2 file(s)" in output
    assert "block         1" in output and "allow         1" in output
    assert "bad.sh:3" in output, "the flagged line is named"


def test_scan_skips_vendored_folders_and_prose(tree: Path) -> None:
    result = CliRunner().invoke(
        cli, ["scan", str(tree), "--policy", str(tree / "policy.yaml"), "--format", "json"]
    )
    paths = [entry["path"] for entry in json.loads(result.output)["files"]]
    assert sorted(paths) == ["src/bad.sh", "src/ok.py"]


def test_scan_json_carries_every_decision(tree: Path) -> None:
    code, output = scan(tree, "--format", "json")
    assert code == 4
    report = json.loads(output)
    assert report["summary"]["block"] == 1
    by_path = {entry["path"]: entry["decision"] for entry in report["files"]}
    assert by_path["bad.sh"]["action"] == "block"
    assert by_path["ok.py"]["action"] == "allow"


def test_scan_sarif_is_sarif_2_1_0_with_a_located_result(tree: Path) -> None:
    code, output = scan(tree, "--format", "sarif")
    assert code == 4
    sarif = json.loads(output)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "codeward"
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    (result,) = run["results"]
    assert result["ruleId"] in rules
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "bad.sh"
    assert location["region"]["startLine"] == 3
    assert result["properties"]["action"] == "block" and result["properties"]["decision_id"]


def test_scan_writes_the_report_to_a_file(tree: Path) -> None:
    target = tree / "out.sarif"
    code, _ = scan(tree, "--format", "sarif", "-o", str(target))
    assert code == 4
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_a_diff_yields_added_lines_with_their_numbers_in_the_new_file() -> None:
    diff = (
        "diff --git a/x.sh b/x.sh\n--- a/x.sh\n+++ b/x.sh\n@@ -1,0 +2,2 @@\n+echo one\n+echo two\n"
        "@@ -9 +11 @@\n-old\n+new\n"
        "diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
    )
    (addition,) = list(parse_diff(diff))
    assert addition == Addition("x.sh", ["echo one", "echo two", "new"], [2, 3, 11])


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def precommit(repo: Path, policy: Path) -> tuple[int, str]:
    previous = Path.cwd()
    os.chdir(repo)
    try:
        result = CliRunner().invoke(cli, ["precommit", "--policy", str(policy)])
    finally:
        os.chdir(previous)
    return result.exit_code, result.output


def test_precommit_fails_only_when_the_staged_additions_are_blocked(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    policy = tmp_path / "policy.yaml"
    policy.write_text(DENY_MARKER)
    git(repo, "init", "-q")
    (repo / "old.sh").write_text("echo FORBIDDEN_MARKER\n")
    git(repo, "add", "old.sh")
    git(repo, "commit", "-q", "-m", "old")

    (repo / "new.py").write_text("print('fine')\n")
    git(repo, "add", "new.py")
    assert precommit(repo, policy)[0] == 0, "existing lines are not judged again"

    (repo / "new.sh").write_text("echo a\necho FORBIDDEN_MARKER\n")
    git(repo, "add", "new.sh")
    code, output = precommit(repo, policy)
    assert code == 1
    assert "new.sh:2: block" in output
