"""Each built-in policy pack's stance, written as a `codeward policy test` file beside the packs
(src/codeward/policy/builtin/tests/): every case there must hold, and every pack has such a file."""

from __future__ import annotations

from pathlib import Path

import pytest

import codeward
from codeward.policy.loader import pack_names
from codeward.policy_suite import run_suite

STANCES = Path(codeward.__file__).parent / "policy" / "builtin" / "tests"


def test_every_pack_has_a_stance_file() -> None:
    assert sorted(p.stem for p in STANCES.glob("*.yaml")) == pack_names()


@pytest.mark.parametrize("pack", pack_names())
def test_every_case_of_the_packs_stance_holds(pack: str) -> None:
    results = run_suite(STANCES / f"{pack}.yaml")
    assert len(results) >= 5
    failures = [
        f"{r.name}: expected {[a.value for a in r.expected]}, got "
        f"{r.decision.action.value if r.decision else r.error} {r.decision.reasons[:2] if r.decision else ''}"
        for r in results
        if not r.passed
    ]
    assert not failures, "\n".join(failures)
