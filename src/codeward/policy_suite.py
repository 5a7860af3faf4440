"""Policy tests: a file of snippets with their context and the action each must get.

Policies are code, so they are tested like code; an upheld appeal becomes one more case here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from codeward.context.inputs import record_to_request
from codeward.engine import Guard
from codeward.errors import InputError, PolicyError
from codeward.model import Action, Decision
from codeward.policy.loader import PACK_PREFIX
from codeward.policy.schema import PolicyTestFile


@dataclass(slots=True)
class CaseResult:
    name: str
    expected: list[Action]
    decision: Decision | None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.decision is not None and self.decision.action in self.expected


def load_suite(path: Path) -> PolicyTestFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such policy test file") from None
    except (OSError, yaml.YAMLError) as error:
        raise InputError(f"{path}: cannot read: {error}") from None
    try:
        return PolicyTestFile.model_validate(data)
    except ValidationError as error:
        problems = [f"{path}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        raise PolicyError(f"{path}: invalid policy test file", problems) from None


def run_suite(path: Path, extra_policies: list[str] | None = None) -> list[CaseResult]:
    suite = load_suite(path)
    layers: list[str | Path] = []
    for reference in suite.policies:
        layers.append(reference if reference.startswith(PACK_PREFIX) else path.parent / reference)
    layers.extend(extra_policies or [])
    guard = Guard(layers, sandbox_mode="never")
    results = []
    for case in suite.cases:
        expected = case.expect if isinstance(case.expect, list) else [case.expect]
        try:
            record = {**case.subject, "context": case.context}
            _, subject, context = record_to_request(record, where=f"{path}: case {case.name!r}")
            results.append(CaseResult(case.name, expected, guard.check(subject, context)))
        except InputError as error:
            results.append(CaseResult(case.name, expected, None, str(error)))
    return results
