"""The systems the benchmark compares: codeward with every layer, its ablations, and the baselines.

A system turns cases into verdicts (one action per case, with its latency and reasons). Each one
says whether it can run here and, when it cannot be told apart from another system on this host
(no sandbox: `codeward` is `codeward-static`), says so instead of passing as a different result.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from pydantic import BaseModel, Field

from codeward.bench import pattern_deny
from codeward.bench.cases import BenchCase
from codeward.engine import Guard
from codeward.intent.infer import infer
from codeward.model import Action, Context, Decision
from codeward.protocols import SandboxBackend


class Verdict(BaseModel):
    """One system's answer for one case."""

    action: Action | None
    """None when the system failed on the case (counted as wrong, never as a stop)."""
    latency_ms: float
    reasons: list[str] = Field(default_factory=list)
    rule: str | None = None
    error: str | None = None
    sandboxed: bool = False
    unread: bool = False
    """The system cannot read this language and allowed it unseen: its latency is not a decision's cost."""


class System(Protocol):
    name: str
    description: str
    note: str
    """What a reader must know about this run of it (e.g. "sandbox unavailable: ...")."""

    def available(self) -> tuple[bool, str]:
        """Whether it can run here; if not, what to install."""
        ...

    def judge(self, cases: Sequence[BenchCase]) -> Iterator[Verdict]:
        """One verdict per case, in order, yielded as each is decided (a batch tool may yield them at the end)."""
        ...


def judged_one_by_one(
    cases: Sequence[BenchCase], decide: Callable[[BenchCase], Verdict]
) -> Iterator[Verdict]:
    """Time `decide` on each case; a failure on one case is a verdict with an error, not a crash of the run."""
    for case in cases:
        started = time.perf_counter()
        try:
            verdict = decide(case)
        except Exception as error:  # a system's crash on one case is a wrong answer, recorded
            verdict = Verdict(
                action=None, latency_ms=0.0, error=f"{type(error).__name__}: {str(error)[:200]}"
            )
        verdict.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        yield verdict


# ---------------------------------------------------------------------------------------- codeward


class CodewardSystem:
    """codeward through its Python API, with some layers switched off to measure what each one buys."""

    def __init__(
        self,
        name: str,
        description: str,
        *,
        sandbox: SandboxBackend | None,
        intent: bool,
        context: bool,
        note: str = "",
        policies: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.description = description
        self.note = note
        self.use_intent = intent
        self.use_context = context
        self.guard = Guard(
            list(policies),
            sandbox=sandbox,
            sandbox_mode="auto" if sandbox is not None else "never",
            inferrer=infer if intent else None,
        )

    def available(self) -> tuple[bool, str]:
        return True, ""

    def judge(self, cases: Sequence[BenchCase]) -> Iterator[Verdict]:
        return judged_one_by_one(cases, self._decide)

    def _decide(self, case: BenchCase) -> Verdict:
        subject, context = case.request()
        if not self.use_context:
            context = Context()
        elif not self.use_intent:
            context = context.model_copy(update={"declared_intent": None})
        decision = self.guard.check(subject, context, record_id=case.id)
        return Verdict(
            action=decision.action,
            latency_ms=decision.latency_ms,
            reasons=_reasons(decision),
            rule=decision.policy.rule,
            sandboxed=decision.sandbox is not None,
        )


def _reasons(decision: Decision) -> list[str]:
    capabilities = sorted({finding.capability for finding in decision.findings})
    reasons = list(decision.reasons[:3])
    if capabilities:
        reasons.append("capabilities: " + ", ".join(capabilities[:8]))
    reasons.append(f"intent: {decision.intent.name} ({decision.intent.source})")
    return reasons


_BACKENDS = (
    ("codeward.sandbox", "Sandbox"),
    ("codeward.sandbox", "default_backend"),
    ("codeward.sandbox.bubblewrap", "BubblewrapSandbox"),
)
"""Where a sandbox backend may live, most specific first: the package's public `Sandbox`, its chosen
default, else bubblewrap."""


def find_sandbox() -> tuple[SandboxBackend | None, str]:
    """The sandbox backend when codeward has one that works on this host, else None and why not."""
    factory: Callable[[], object] | None = None
    for module_name, attribute in _BACKENDS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        candidate = getattr(module, attribute, None)
        if callable(candidate):
            factory = candidate
            break
    if factory is None:
        return None, "sandbox unavailable: this installation of codeward has no sandbox backend"
    try:
        backend = factory()
    except Exception as error:  # a probe: whatever stops the backend from starting is the reason shown
        return None, f"sandbox unavailable: {type(error).__name__}: {error}"
    if not isinstance(backend, SandboxBackend):
        return None, f"sandbox unavailable: {type(backend).__name__} is not a SandboxBackend"
    ready, why = backend.available()
    if not ready:
        return None, f"sandbox unavailable: {why}"
    return backend, f"sandbox: {backend.name} ({why})" if why else f"sandbox: {backend.name}"


def close_sandbox(backend: SandboxBackend | None) -> None:
    """Let a sandbox tear its runs down: a backend with a pool or helper threads has `close`."""
    close = getattr(backend, "close", None)
    if callable(close):
        close()


def codeward_systems(sandbox: SandboxBackend | None, sandbox_note: str) -> list[CodewardSystem]:
    """`codeward` and its ablations. Without a sandbox, the report says which of them coincide."""
    missing = sandbox is None
    return [
        CodewardSystem(
            "codeward",
            "every layer: static analysis, intent and identity, project context, the sandbox when the policy asks",
            sandbox=sandbox,
            intent=True,
            context=True,
            note=f"{sandbox_note}; identical to codeward-static in this run" if missing else sandbox_note,
        ),
        CodewardSystem(
            "codeward-static",
            "every layer except the sandbox",
            sandbox=None,
            intent=True,
            context=True,
        ),
        CodewardSystem(
            "codeward-blind",
            "no intent, identity, project or prompt: the snippet and its mode only (sandbox kept)",
            sandbox=sandbox,
            intent=False,
            context=False,
            note=f"{sandbox_note}; runs without the sandbox in this run" if missing else sandbox_note,
        ),
        CodewardSystem(
            "codeward-nosandbox-nointent",
            "no sandbox and no intent (declared or inferred); identity and project kept",
            sandbox=None,
            intent=False,
            context=True,
        ),
    ]


# ---------------------------------------------------------------------------------------- pattern-deny


class PatternDenySystem:
    name = "pattern-deny"
    description = "a context-blind keyword and regex deny/ask list (docs/bench.md lists it)"
    note = ""

    def available(self) -> tuple[bool, str]:
        return True, ""

    def judge(self, cases: Sequence[BenchCase]) -> Iterator[Verdict]:
        return judged_one_by_one(cases, self._decide)

    @staticmethod
    def _decide(case: BenchCase) -> Verdict:
        action, matched = pattern_deny.judge(case.content)
        return Verdict(
            action=action,
            latency_ms=0.0,
            reasons=[f"{entry.id} ({entry.action.value}): {entry.why}" for entry in matched[:3]],
            rule=matched[0].id if matched else None,
        )
