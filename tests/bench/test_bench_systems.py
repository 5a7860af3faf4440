"""codeward and its ablations as benchmark systems: which layers each one really uses."""

from __future__ import annotations

from typing import Any

from codeward.bench.cases import BenchCase, Label
from codeward.bench.systems import codeward_systems
from codeward.model import Action, Context, Finding, Subject
from codeward.protocols import SandboxBackend

# exec of a base64 payload in execute mode: the default policy asks for the sandbox (exec.obfuscated)
OBFUSCATED = "import base64\nexec(base64.b64decode('cHJpbnQoJ2hlbGxvJyk='))\n"


class _Evidence:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def summary(self) -> dict[str, Any]:
        return {"observed": "nothing"}


class RecordingSandbox:
    """A sandbox that runs nothing: it notes what it was given and reports no behaviour."""

    name = "recording"

    def __init__(self) -> None:
        self.runs: list[str] = []

    def available(self) -> tuple[bool, str]:
        return True, ""

    def run(self, subject: Subject, context: Context, *, timeout: float) -> _Evidence:
        self.runs.append(subject.content)
        return _Evidence()


def test_only_the_systems_with_a_sandbox_ask_it_and_the_verdict_says_so() -> None:
    sandbox = RecordingSandbox()
    assert isinstance(sandbox, SandboxBackend)
    case = BenchCase(
        id="obfuscated",
        content=OBFUSCATED,
        language="python",
        mode="execute",
        context={"roles": ["developer"], "declared_intent": "general"},
        label=Label(harmful=False, category="c", subculture="general", acceptable=[Action.ALLOW]),
    )
    sandboxed = {}
    for system in codeward_systems(sandbox, "sandbox: recording"):
        before = len(sandbox.runs)
        (verdict,) = list(system.judge([case]))
        assert verdict.error is None, verdict.error
        sandboxed[system.name] = (verdict.sandboxed, len(sandbox.runs) - before)
    assert sandboxed == {
        "codeward": (True, 1),
        "codeward-static": (False, 0),
        "codeward-blind": (True, 1),
        "codeward-nosandbox-nointent": (False, 0),
    }


def test_without_a_sandbox_the_full_system_says_which_ablation_it_equals() -> None:
    systems = {system.name: system for system in codeward_systems(None, "sandbox unavailable: none here")}
    assert "identical to codeward-static" in systems["codeward"].note
    assert "without the sandbox" in systems["codeward-blind"].note
