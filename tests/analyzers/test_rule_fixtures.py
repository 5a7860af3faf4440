"""Every analyzer rule is data beside an annotated fixture (semgrep-rules style).

In a fixture, a comment line `ruleid: ID[, ID…]` says the next code line must produce those
rule ids; `ok: ID` says it must not. The rule a fixture is named after must fire on exactly
its `ruleid` lines, so a false positive becomes a one-line regression test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import codeward
from codeward import Guard, Subject
from codeward.analyzers.rulebook import RuleBook, parse_rule
from codeward.context.language import EXTENSIONS

RULES = Path(codeward.__file__).parent / "rules"
RULE_FILES = sorted(RULES.rglob("*.yaml"))
_ANNOTATION = re.compile(r"^\s*(?:#|//|--|<!--|;|REM)\s*(ruleid|ok)\s*:\s*([\w.,\s-]+?)\s*(?:-->)?\s*$")


def fixture_for(rule_file: Path) -> Path | None:
    candidates = [p for p in rule_file.parent.glob(rule_file.stem + ".*") if p.suffix != ".yaml"]
    return candidates[0] if candidates else None


def annotations(text: str) -> list[tuple[str, set[str], int]]:
    """(ruleid|ok, ids, line) — the line is the next line that is not itself an annotation."""
    lines = text.splitlines()
    pending: list[tuple[str, set[str]]] = []
    found = []
    for number, line in enumerate(lines, start=1):
        match = _ANNOTATION.match(line)
        if match:
            pending.append((match.group(1), {i.strip() for i in match.group(2).split(",") if i.strip()}))
            continue
        for kind, ids in pending:
            found.append((kind, ids, number))
        pending = []
    return found


def test_the_rulebook_loads_and_is_not_empty() -> None:
    book = RuleBook.builtin()
    assert len(book) > 0


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: str(p.relative_to(RULES)))
def test_rule_fires_exactly_where_its_fixture_says(rule_file: Path, guard: Guard) -> None:
    rule = parse_rule(rule_file, RULES)
    fixture = fixture_for(rule_file)
    assert fixture is not None, f"{rule.id} has no fixture file beside {rule_file.name}"
    text = fixture.read_text(encoding="utf-8")
    language = EXTENSIONS.get(fixture.suffix) or (rule.languages[0] if rule.languages[0] != "*" else "text")
    subject_kind = "prompt" if rule.capability.startswith("prompt.") else "code"  # requests to a model
    subject = Subject(kind=subject_kind, content=text, language=language, mode="execute")
    findings = guard.analyze(subject, codeward.Context())
    fired = {(f.rule_id, line) for f in findings for line in f.lines}
    marks = annotations(text)
    expected_own = {line for kind, ids, line in marks if kind == "ruleid" and rule.id in ids}
    assert expected_own, f"{fixture.name} has no `ruleid: {rule.id}` line"
    assert any(kind == "ok" for kind, _, _ in marks), (
        f"{fixture.name} has no `ok:` line (show what must not fire)"
    )
    problems = []
    for kind, ids, line in marks:
        for rule_id in ids:
            hit = (rule_id, line) in fired
            if kind == "ruleid" and not hit:
                problems.append(f"line {line}: expected {rule_id} to fire")
            if kind == "ok" and hit:
                problems.append(f"line {line}: {rule_id} fired but the line is marked ok")
    own_lines = {line for rule_id, line in fired if rule_id == rule.id}
    for line in sorted(own_lines - expected_own):
        problems.append(f"line {line}: {rule.id} fired on a line not marked `ruleid`")
    assert not problems, f"{fixture.name}:\n" + "\n".join(problems)
