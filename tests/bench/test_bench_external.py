"""The external tools as benchmark systems: each tool's own verdict mapped to an action as docs/bench.md says.

They come with the `bench` extra (installed by scripts/install test); a tool that is missing skips its test.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from codeward.bench.cases import BenchCase, Label
from codeward.bench.external import BanditSystem, CodeShieldSystem, SemgrepSystem, semgrep_command
from codeward.bench.systems import System, Verdict
from codeward.model import Action

SNIPPETS = {
    "shell-true": ("python", "import subprocess\nsubprocess.call(user_input, shell=True)\n"),
    "md5": ("python", "import hashlib\ndigest = hashlib.md5(data).hexdigest()\n"),
    "pickle": ("python", "import pickle\nobject_ = pickle.loads(blob)\n"),
    "hello": ("python", "print('hello')\n"),
    "rm-root": ("bash", "rm -rf /\n"),
    "powershell": ("powershell", "Remove-Item -Recurse -Force C:\\\n"),
}


def cases() -> list[BenchCase]:
    label = Label(harmful=False, category="c", subculture="general", acceptable=[Action.ALLOW])
    return [
        BenchCase(id=name, content=content, language=language, mode="execute", label=label)
        for name, (language, content) in SNIPPETS.items()
    ]


def verdicts(system: System) -> dict[str, Verdict]:
    ready, why = system.available()
    if not ready:
        pytest.skip(f"{system.name}: {why}")
    every = cases()
    return {case.id: verdict for case, verdict in zip(every, system.judge(every), strict=True)}


def test_bandit_high_blocks_medium_asks_and_other_languages_are_allowed_unread() -> None:
    answers = verdicts(BanditSystem())
    assert answers["shell-true"].action is Action.BLOCK  # B602, HIGH
    assert answers["pickle"].action is Action.CONFIRM  # B301, MEDIUM
    assert answers["hello"].action is Action.ALLOW and not answers["hello"].unread
    assert answers["rm-root"].action is Action.ALLOW and answers["rm-root"].unread


def test_codeshield_warn_is_a_notice_and_its_rules_are_named_without_folders() -> None:
    answers = verdicts(CodeShieldSystem())
    assert answers["md5"].action is Action.NOTICE
    assert answers["md5"].rule == "insecure-md5-hash-usage"
    assert answers["shell-true"].action is Action.NOTICE
    assert answers["shell-true"].rule is not None and "/" not in answers["shell-true"].rule
    assert "." not in answers["shell-true"].rule
    assert answers["hello"].action is Action.ALLOW
    assert all(verdict.error is None for verdict in answers.values())


def test_semgrep_runs_the_local_rules_offline_and_skips_languages_they_do_not_cover() -> None:
    answers = verdicts(SemgrepSystem())
    assert answers["rm-root"].action is Action.BLOCK
    assert answers["rm-root"].rule == "bash.rm-critical"
    assert answers["hello"].action is Action.ALLOW and not answers["hello"].unread
    assert answers["powershell"].unread and answers["powershell"].action is Action.ALLOW
    assert all(verdict.error is None for verdict in answers.values())


def test_semgrep_is_found_beside_the_python_of_an_unactivated_virtualenv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    beside = Path(sys.executable).parent / "semgrep"
    if not (beside.is_file() and os.access(beside, os.X_OK)):
        pytest.skip("semgrep is not installed beside this Python")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert semgrep_command() == str(beside)
