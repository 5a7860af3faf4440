"""codeward's public vocabulary: what is judged, in which context, what was found, what was decided.

Every adapter speaks these types; they serialise to the JSON that is codeward's contract.
This module imports nothing else of codeward's.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Action(StrEnum):
    """The outcome for one snippet, ordered by friction: allow < notice < confirm < review < block."""

    ALLOW = "allow"
    NOTICE = "notice"
    CONFIRM = "confirm"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _ACTION_RANK[self]

    @property
    def withheld(self) -> bool:
        """Review and block withhold the snippet (the developer's word alone cannot run it): the
        session's graduated response counts these."""
        return self is Action.REVIEW or self is Action.BLOCK

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Action):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Action):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Action):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Action):
            return NotImplemented
        return self.rank < other.rank

    @property
    def stops(self) -> bool:
        """True when the snippet must not simply proceed (confirm, review or block)."""
        return self.rank >= _ACTION_RANK[Action.CONFIRM]


_ACTION_RANK = {Action.ALLOW: 0, Action.NOTICE: 1, Action.CONFIRM: 2, Action.REVIEW: 3, Action.BLOCK: 4}


class Mode(StrEnum):
    """`generate`: shown to a person, not run. `execute`: an agent is about to run it."""

    GENERATE = "generate"
    EXECUTE = "execute"


class SubjectKind(StrEnum):
    CODE = "code"
    COMMAND = "command"
    PROMPT = "prompt"
    FILE_WRITE = "file_write"
    PATCH = "patch"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def weight(self) -> int:
        """The base risk (0-100) of a finding of this severity at full confidence."""
        return _SEVERITY_WEIGHT[self]


_SEVERITY_WEIGHT = {
    Severity.INFO: 5,
    Severity.LOW: 20,
    Severity.MEDIUM: 45,
    Severity.HIGH: 70,
    Severity.CRITICAL: 92,
}


class Confidence(StrEnum):
    """How sure the analyzer is that the code really does what the finding says."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def factor(self) -> float:
        return _CONFIDENCE_FACTOR[self]


_CONFIDENCE_FACTOR = {Confidence.LOW: 0.55, Confidence.MEDIUM: 0.8, Confidence.HIGH: 1.0}


class FindingSource(StrEnum):
    PATTERN = "pattern"
    AST = "ast"
    SANDBOX = "sandbox"
    INTENT = "intent"
    IDENTITY = "identity"
    POLICY = "policy"
    ENGINE = "engine"


class Environment(StrEnum):
    DEV = "dev"
    STAGING = "staging"
    PRODUCTION = "production"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, use_enum_values=False)


class Subject(_Model):
    """What is judged. `language` is detected when not given; `mode` defaults by kind."""

    kind: SubjectKind = SubjectKind.CODE
    content: str
    language: str | None = None
    path: str | None = None
    mode: Mode | None = None

    @property
    def effective_mode(self) -> Mode:
        if self.mode is not None:
            return self.mode
        return Mode.EXECUTE if self.kind is SubjectKind.COMMAND else Mode.GENERATE


class Actor(_Model):
    """Who is asking. Roles count for clearances only when `verified` is true."""

    id: str = "anonymous"
    roles: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    verified: bool = False
    method: str = "none"
    """How the identity was established: token, api_key, dataset, cli, none."""


class SessionEvent(_Model):
    decision_id: str
    action: Action
    intent: str = "general"
    at: float
    """Unix time of the decision."""


class Session(_Model):
    id: str | None = None
    history: list[SessionEvent] = Field(default_factory=list)


class Project(_Model):
    """The project the snippet belongs to: a directory on disk, or a manifest of it."""

    path: str | None = None
    files: list[str] = Field(default_factory=list)
    dependencies: list[str] = Field(default_factory=list)
    readme: str = ""
    """The README, then the docs' index pages."""
    ci: str = ""
    """The text of its CI and deploy files (workflows, Jenkinsfile, Kubernetes manifests, …)."""


class Context(_Model):
    actor: Actor = Field(default_factory=Actor)
    session: Session = Field(default_factory=Session)
    project: Project | None = None
    declared_intent: str | None = None
    prompt: str | None = None
    tool: str | None = None
    environment: Environment | None = None


class Payload(_Model):
    """Code recovered by an analyzer (a decoded blob, a string run by a shell) to be judged in turn."""

    language: str
    content: str
    origin: str
    """How it was recovered, e.g. `base64 -> zlib`."""


class Finding(_Model):
    rule_id: str
    capability: str
    target: str | None = None
    """What it acts on, as written: `/`, `~/.ssh/id_rsa`, `./build`, `203.0.113.9:4444`."""
    scope: str | None = None
    """The class of the target: root, home, system, device, project, temp, credential, remote, unknown."""
    severity: Severity
    confidence: Confidence
    source: FindingSource
    lines: list[int] = Field(default_factory=list)
    evidence: str = ""
    message: str = ""
    language: str | None = None
    payload: Payload | None = Field(default=None, exclude=True)

    @property
    def risk(self) -> int:
        return round(self.severity.weight * self.confidence.factor)


class Intent(_Model):
    name: str = "general"
    confidence: float = 0.0
    source: str = "default"
    """declared, inferred or default."""
    authorized: bool = True
    evidence: list[str] = Field(default_factory=list)
    declared: str | None = None
    """What the actor declared, kept even when it was not trusted."""
    inferred: str | None = None
    distribution: dict[str, float] = Field(default_factory=dict)


class PolicyRef(_Model):
    id: str
    version: str
    rule: str | None = None
    layers: list[str] = Field(default_factory=list)


class Decision(_Model):
    decision_id: str
    action: Action
    risk: int = Field(ge=0, le=100)
    reasons: list[str]
    findings: list[Finding]
    intent: Intent
    policy: PolicyRef
    remedies: list[str]
    latency_ms: float
    mode: Mode
    kind: SubjectKind
    language: str
    content_sha256: str
    review_id: str | None = None
    id: str | None = None
    """The caller's own id for the input (a dataset record's id), echoed back."""
    sandbox: dict[str, Any] | None = None
    """A summary of observed behaviour when the snippet was run in the sandbox."""

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=False)

    def to_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
