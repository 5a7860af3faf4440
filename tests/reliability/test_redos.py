"""ReDoS: no regular expression that reads untrusted text can be made to backtrack for long.

Shipped patterns (rules, secret shapes, policy allow/deny lists) must compile under RE2, which runs
in linear time, and a user's policy whose pattern RE2 cannot compile is rejected with its file and
line. Patterns still run by the standard library's backtracking `re` are each fed adversarial input
built from their own characters, as the issue allows for proof: 5,000 characters must take under a
second, and four times as many must not take eight times as long once it takes 0.1 s (a linear
pattern needs milliseconds at both sizes; a quadratic one takes 16 times as long, a cubic one 64).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import re2

import codeward
from codeward import Guard
from codeward.analyzers.rulebook import RuleBook
from codeward.errors import PolicyError
from codeward.policy.loader import load_policy, pack_names
from codeward.redaction import SECRET_SHAPES

SOURCE = Path(codeward.__file__).parent
NOT_UNTRUSTED = ("codeward.bench", "codeward.rules", "codeward.store.migrations")
"""Benchmark importers read our own datasets; rule fixtures are data and migrations are scripts for
Alembic: none of them is imported to judge a request."""

PROBE_CHARS = 1_000
ATTACK_CHARS = 20_000
SLOW_SECONDS = 1.0
"""A linear pattern reads 5,000 characters in about a millisecond; one that takes a second is not."""


# ------------------------------------------------------------------------------------ shipped patterns
def test_every_rule_pattern_compiles_under_re2() -> None:
    patterns = [rule.pattern for rule in RuleBook.builtin() if rule.pattern]
    assert len(patterns) >= 20
    for pattern in patterns:
        re2.compile(pattern)


def test_every_secret_shape_compiles_under_re2() -> None:
    assert len(SECRET_SHAPES) >= 10
    for shape in SECRET_SHAPES:
        re2.compile(shape.source)


@pytest.mark.parametrize("pack", pack_names())
def test_every_policy_pack_pattern_is_compiled_by_re2(pack: str) -> None:
    policy = load_policy([f"pack:{pack}"])
    for entry in [*policy.allow, *policy.deny]:
        assert isinstance(entry.regex, re2._Regexp), entry.entry.id


def test_the_pattern_tier_runs_rules_with_re2(guard: Guard) -> None:
    from codeward.analyzers.patterns import PatternAnalyzer

    tier = next(a for a in guard.analyzers if isinstance(a, PatternAnalyzer))
    _matcher, rules, compiled = tier._set_for("text")
    assert rules and all(isinstance(regex, re2._Regexp) for regex in compiled)


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("(a)\\1", "backreference"),
        ("foo(?=bar)", "lookahead"),
        ("(?<!x)y", "lookbehind"),
        ("a{2,1001}", "repeat"),
    ],
)
def test_a_policy_pattern_re2_cannot_compile_is_rejected_with_file_and_line(
    tmp_path: Path, pattern: str, why: str
) -> None:
    policy = tmp_path / "team.yaml"
    policy.write_text(
        "codeward: 1\nid: team\ndeny:\n"
        "  - id: fine\n    pattern: 'curl .* \\| sh'\n"
        f"  - id: not-linear\n    pattern: '{pattern}'\n"
    )
    with pytest.raises(PolicyError) as raised:
        load_policy([policy])
    problems = "\n".join([str(raised.value), *raised.value.problems])
    assert f"{policy}:7: deny.1.pattern: RE2 cannot compile" in problems, why
    assert "fine" not in problems


def test_an_allow_list_pattern_is_checked_the_same_way(tmp_path: Path) -> None:
    policy = tmp_path / "project.yaml"
    policy.write_text("codeward: 1\nid: project\nallow:\n  - {id: ours, pattern: '(x+)\\1'}\n")
    with pytest.raises(PolicyError) as raised:
        load_policy([policy])
    assert any(f"{policy}:4: allow.0.pattern" in problem for problem in raised.value.problems)


# ------------------------------------------------------------------------------------ stdlib `re`
def stdlib_patterns() -> dict[str, re.Pattern[Any]]:
    """Every `re` pattern in codeward that can meet untrusted text: module-level compiled patterns
    (found by importing each module, so patterns built from tables count too) and literal patterns
    passed to `re.search`/`re.sub`/… inside functions (found in the source)."""
    found: dict[str, re.Pattern[Any]] = {}
    seen: set[tuple[Any, int]] = set()
    for module_name in _modules():
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            for pattern in _patterns_in(value, depth=0):
                if (pattern.pattern, pattern.flags) not in seen:
                    seen.add((pattern.pattern, pattern.flags))
                    found[f"{module_name}.{name}: {pattern.pattern!r:.60}"] = pattern
        for line, pattern in _literal_calls(Path(module.__file__ or "")):
            if (pattern.pattern, pattern.flags) not in seen:
                seen.add((pattern.pattern, pattern.flags))
                found[f"{module_name}:{line}: {pattern.pattern!r:.60}"] = pattern
    return found


def _modules() -> Iterator[str]:
    for info in pkgutil.walk_packages([str(SOURCE)], prefix="codeward."):
        if not info.name.startswith(NOT_UNTRUSTED) and not info.name.endswith(("sitecustomize", "__main__")):
            yield info.name


def _patterns_in(value: Any, depth: int) -> Iterator[re.Pattern[Any]]:
    if isinstance(value, re.Pattern):
        yield value
    elif depth < 3 and isinstance(value, tuple | list | frozenset | set):
        for item in value:
            yield from _patterns_in(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            yield from _patterns_in(item, depth + 1)
    elif depth in (1, 2) and hasattr(value, "__dataclass_fields__"):
        for field in value.__dataclass_fields__:
            yield from _patterns_in(getattr(value, field, None), depth + 1)


_RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"}


def _literal_calls(path: Path) -> Iterator[tuple[int, re.Pattern[Any]]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _RE_FUNCTIONS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            continue
        flags = next((k.value for k in node.keywords if k.arg == "flags"), None)
        if flags is None and node.func.attr == "compile" and len(node.args) > 1:
            flags = node.args[1]
        value = eval(ast.unparse(flags), {"re": re}) if flags is not None else 0  # re.I | re.M only
        yield node.lineno, re.compile(node.args[0].value, value)


Attack = tuple[str, str, str]
"""(prefix, repeated unit, tail)."""


def attacks(pattern: re.Pattern[Any]) -> Iterator[Attack]:
    """Shapes that make a backtracking engine work hard: a run of one character or pair (the
    pattern's own punctuation, spaces, letters, digits), after nothing or after a word of the
    pattern, ending in a character that makes a match fail late, or at the end."""
    source = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode("latin-1")
    words = sorted(set(re.findall(r"[A-Za-z_]{2,}", source)), key=len, reverse=True)[:6]
    punctuation = {c for c in source if c.isprintable() and not c.isalnum()}
    units = [*sorted(punctuation | set(" \t\na0")), "a ", "0.", "a.", "a/", "a=", ". ", "\\ "]
    for prefix in ["", *(w + " " for w in words), *(w + " x" for w in words)]:
        for unit in units:
            for tail in ("!", ""):
                yield prefix, unit, tail


def build(attack: Attack, size: int) -> str:
    prefix, unit, tail = attack
    return prefix + unit * (size // len(unit)) + tail


def cost(pattern: re.Pattern[Any], text: str, runs: int = 1) -> float:
    """CPU seconds for every match of `pattern` in `text` (the least of `runs`): the search from
    every position that `re.search`, `findall` and `sub` make, the worst way a pattern can be used.
    CPU time, not wall time: this process's own work, which other jobs on a busy machine barely
    change (a backtracking blow-up is orders of magnitude, far beyond that noise)."""
    subject: Any = text if isinstance(pattern.pattern, str) else text.encode("latin-1", "replace")
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        for _ in pattern.finditer(subject):
            pass
        best = min(best, time.process_time() - started)
    return best


def worst_attacks(pattern: re.Pattern[Any], size: int, keep: int = 2) -> list[tuple[float, Attack]]:
    """The `keep` shapes that cost the most at `size` characters, with their cost: the ones to grow."""
    ranked = sorted(
        ((cost(pattern, build(attack, size)), attack) for attack in attacks(pattern)), reverse=True
    )
    return ranked[:keep]


STDLIB = stdlib_patterns()
BOUNDED = {
    r"\W{0,3}(?:\w+ )?(?:detect\w*|scanner": (
        40,
        "prompt.py matches it only in the 40 characters after a cue",
    ),
    r"[\d.]+$": (200, "language.py strips a version off the interpreter named in the first 200 characters"),
}
"""Patterns that are superlinear but only ever read a short, fixed window: (the window, where)."""


def bound_of(pattern: re.Pattern[Any]) -> int | None:
    source = str(pattern.pattern)
    return next((size for prefix, (size, _) in BOUNDED.items() if source.startswith(prefix)), None)


def test_the_inventory_of_stdlib_patterns_is_not_empty_and_every_exemption_is_in_it() -> None:
    assert len(STDLIB) >= 100
    for prefix in BOUNDED:
        assert any(str(p.pattern).startswith(prefix) for p in STDLIB.values()), prefix


@pytest.mark.parametrize("where", sorted(STDLIB))
def test_no_stdlib_pattern_backtracks_on_adversarial_input(where: str) -> None:
    pattern = STDLIB[where]
    window = bound_of(pattern)
    if window is not None:
        for took, _attack in worst_attacks(pattern, window):
            assert took < SLOW_SECONDS / 100, f"{where}: even its {window}-character window took {took:.3f} s"
        return
    for probe, attack in worst_attacks(pattern, PROBE_CHARS):
        assert probe < SLOW_SECONDS / 20, f"{where}: {PROBE_CHARS:,} chars of {attack} took {probe:.2f} s"
        small = cost(pattern, build(attack, ATTACK_CHARS // 4), runs=2)
        assert small < SLOW_SECONDS, f"{where}: {ATTACK_CHARS // 4:,} chars of {attack} took {small:.2f} s"
        large = cost(pattern, build(attack, ATTACK_CHARS), runs=2)
        superlinear = large > SLOW_SECONDS / 10 and large > 8 * small
        assert not superlinear, (
            f"{where}: 4x the input of {attack} took {large / small:.0f}x the time ({large:.2f} s)"
        )
