"""The seams of codeward, as typing Protocols: what an analyzer, a sandbox backend and a store must do.

Implementations do not inherit from these; they only have to fit them.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from codeward.model import Context, Decision, Finding, SessionEvent, Subject


@runtime_checkable
class Analyzer(Protocol):
    """Turns a subject into findings. Knows nothing of policy; must not execute the code it reads."""

    name: str
    languages: frozenset[str]
    """Languages it reads; `*` for every language."""

    def analyze(self, subject: Subject, context: Context) -> list[Finding]: ...


@runtime_checkable
class SandboxBackend(Protocol):
    """Runs a snippet in isolation and reports what it did, as a JSON-serialisable behaviour report."""

    name: str

    def available(self) -> tuple[bool, str]:
        """Whether the backend can run here, and if not, what to install or change."""
        ...

    def run(self, subject: Subject, context: Context, *, timeout: float) -> BehaviourEvidence: ...


@runtime_checkable
class BehaviourEvidence(Protocol):
    """What a sandbox run gives the engine: findings, and a short JSON summary for the decision."""

    findings: list[Finding]

    def summary(self) -> dict[str, Any]: ...


@runtime_checkable
class Store(Protocol):
    """Where decisions (the audit chain), reviews and session history live."""

    def record_decision(self, decision: Decision, subject: Subject, context: Context) -> str | None:
        """Append the decision to the audit chain; return a review id when it opened a review."""
        ...

    def session_events(self, session_id: str, *, since: float) -> list[SessionEvent]:
        """The session's decisions since a Unix time, oldest first."""
        ...
