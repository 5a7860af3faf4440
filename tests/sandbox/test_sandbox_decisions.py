"""The sandbox's evidence in decisions: the engine's second pass, `codeward check --sandbox`, `codeward sandbox run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeward.adapters.cli import main
from codeward.engine import Guard
from codeward.model import Action, Context, FindingSource, Mode, Project, Subject, SubjectKind
from codeward.sandbox import Sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.timeout(90), pytest.mark.usefixtures("host_unchanged")]


def command(content: str) -> Subject:
    return Subject(kind=SubjectKind.COMMAND, content=content, language="bash", mode=Mode.EXECUTE)


def test_the_same_evidence_allows_cleaning_the_build_and_stops_an_empty_variable(
    box: Sandbox, project: Path
) -> None:
    guard = Guard(sandbox=box, sandbox_mode="always")
    context = Context(project=Project(path=str(project)))
    build = guard.check(command("rm -rf ./build"), context)
    empty = guard.check(command('rm -rf "$EMPTY/"*'), context)
    assert build.action <= Action.NOTICE and empty.action == Action.BLOCK
    assert build.sandbox is not None and "would delete 312 file(s) under ./build" in build.sandbox["preview"]
    assert any(f.source is FindingSource.SANDBOX and f.target == "./build" for f in build.findings)
    assert empty.sandbox is not None and "sandbox.fs.delete-home" in {f.rule_id for f in empty.findings}
    assert len(list((project / "build").iterdir())) == 312  # the preview changed nothing


def test_auto_runs_the_sandbox_only_when_the_policy_asks(box: Sandbox) -> None:
    guard = Guard(sandbox=box, sandbox_mode="auto")
    plain = guard.check(command("ls -la"), Context())
    decoded = guard.check(command("echo cm0gLXJmIH4vLmNhY2hl | base64 -d | sh"), Context())
    assert plain.sandbox is None
    assert decoded.sandbox is not None and decoded.sandbox["ran"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_check_with_sandbox_always_shows_what_was_observed(
    capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "audit.db")
    code, out, _ = run(
        capsys, "check", "-c", "rm -rf ./build", "--lang", "bash", "--project", str(project),
        "--sandbox", "always", "--db", db, "--no-color",
    )  # fmt: skip
    assert code == 0
    assert "Observed behaviour (sandbox)" in out and "would delete 312 file(s) under ./build" in out
    assert "not proof of safety" in out


def test_sandbox_run_prints_the_behaviour_report_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "sandbox",
        "run",
        "-c",
        "cat ~/.aws/credentials; echo hi",
        "--lang",
        "bash",
        "--format",
        "json",
    )
    report = json.loads(out)
    assert code == 0 and report["stdout"].endswith("hi\n")
    assert "AKIA" not in report["stdout"]  # a decoy value, masked in what the report quotes
    assert "sandbox.cred.read-decoy" in {f["rule_id"] for f in report["findings"]}
    assert report["isolation"]["network"] == "none" and report["limits"]


def test_sandbox_run_refuses_a_language_it_cannot_run_with_a_clear_word(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "sandbox", "run", "-c", "console.log(1)", "--lang", "javascript")
    assert code == 2 and "javascript" in err and "Traceback" not in err + out


@pytest.mark.parametrize("view", ["overlay", "copy"])
def test_both_project_views_preview_the_same_changes_and_keep_the_project(project: Path, view: str) -> None:
    snippet = (
        "import os, shutil\n"
        "shutil.rmtree('build')\n"
        "shutil.rmtree('src')\n"
        "os.mkdir('src')\n"  # deleted and made again: an opaque folder in an overlay
        "open('src/new.py', 'w').write('x = 1\\n')\n"
        "open('README.md', 'a').write('more\\n')\n"
    )
    with Sandbox(project_view=view) as box:
        ok, problem = box.available()
        if not ok:
            pytest.skip(f"the sandbox cannot run here: {problem}")
        report = box.run_code(snippet, "python", project=str(project))
    assert report.isolation.project_view in (
        {"overlay", "idmapped-overlay"} if view == "overlay" else {"copy"}
    )
    assert "would delete 312 file(s) under ./build" in report.preview
    assert "would delete ./src/ (1 file)" in report.preview
    assert any(sentence.startswith("would create 1 file(s)") for sentence in report.preview)
    assert any(sentence.startswith("would modify 1 file(s): ./README.md") for sentence in report.preview)
    assert len(list((project / "build").iterdir())) == 312 and (project / "src" / "app.py").exists()
    assert (project / "README.md").read_text() == "# demo\n"
