"""The pre-commit hook: judge what a commit adds, in generate mode, with the repository as the project.

Only added lines are judged (a deleted `rm -rf` is not news), each file's additions together in that
file's language, and findings point at the lines in the new file. The commit fails only on `block`;
confirm and review are printed so that the author sees them, and `--strict` fails on review too.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from codeward.context.inputs import build_context
from codeward.context.language import EXTENSIONS, FILENAMES
from codeward.engine import Guard
from codeward.errors import InputError
from codeward.model import Action, Decision, Mode, Subject, SubjectKind

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
NOT_CODE = frozenset({"markdown", "text", "json", "yaml", "toml"})


@dataclass(slots=True)
class Addition:
    """The lines a commit adds to one file, with their line numbers in the new file."""

    path: str
    lines: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)

    @property
    def content(self) -> str:
        return "\n".join(self.lines) + "\n"

    def line_in_file(self, line_in_content: int) -> int:
        index = line_in_content - 1
        return self.numbers[index] if 0 <= index < len(self.numbers) else line_in_content


def repository_root(cwd: Path | None = None) -> Path:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise InputError(f"git is not available: {error}") from None
    if done.returncode != 0:
        raise InputError("not inside a git repository")
    return Path(done.stdout.strip())


def staged_additions(root: Path) -> list[Addition]:
    done = subprocess.run(
        [
            "git",
            "diff",
            "--cached",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--diff-filter=ACMR",
            "--text",
        ],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise InputError(f"git diff failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return list(parse_diff(done.stdout.decode("utf-8", "replace")))


def parse_diff(diff: str) -> Iterator[Addition]:
    """Additions per file from a unified diff (`--unified=0` or any context)."""
    current: Addition | None = None
    number = 0
    for line in diff.splitlines():
        if line.startswith("diff --git "):
            if current is not None and current.lines:
                yield current
            current = None
        elif line.startswith("+++ "):
            target = line[4:].strip()
            current = (
                None if target == "/dev/null" else Addition(target[2:] if target.startswith("b/") else target)
            )
        elif line.startswith("@@"):
            match = _HUNK.match(line)
            number = int(match.group(1)) if match else 0
        elif current is not None and line.startswith("+"):
            current.lines.append(line[1:])
            current.numbers.append(number)
            number += 1
        elif line.startswith(" "):
            number += 1
    if current is not None and current.lines:
        yield current


def language_of(path: str) -> str | None:
    name = os.path.basename(path).lower()
    language = FILENAMES.get(name) or EXTENSIONS.get(os.path.splitext(name)[1])
    return None if language in NOT_CODE else language


def judge(guard: Guard, root: Path, additions: list[Addition]) -> list[tuple[Addition, Decision]]:
    context = build_context(project=str(root), tool="pre-commit")
    judged = []
    for addition in additions:
        language = language_of(addition.path)
        if language is None:
            continue
        subject = Subject(
            kind=SubjectKind.CODE,
            content=addition.content,
            language=language,
            path=addition.path,
            mode=Mode.GENERATE,
        )
        decision = guard.check(subject, context, record_id=addition.path)
        for finding in decision.findings:
            finding.lines = [addition.line_in_file(line) for line in finding.lines]
        judged.append((addition, decision))
    return judged


def fails(decision: Decision, *, strict: bool) -> bool:
    return decision.action is Action.BLOCK or (strict and decision.action is Action.REVIEW)
