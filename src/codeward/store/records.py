"""What the store keeps, as the types that cross its boundary: audit records, reviews, appeals, overrides.

Times are Unix seconds (floats) outside the store and integer milliseconds inside it, so that a
record hashes the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from codeward.errors import CodewardError
from codeward.model import Action, Actor, Decision


class StateConflict(CodewardError):
    """The record is not in the state the request assumed: a review already decided, a second appeal."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuditKind(StrEnum):
    DECISION = "decision"
    REVIEW_APPROVED = "review.approved"
    REVIEW_DENIED = "review.denied"
    APPEAL_FILED = "appeal.filed"
    OVERRIDE_GRANTED = "override.granted"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"


class AuditRecord(_Record):
    """One link of the chain. `body_text` is the canonical JSON that was hashed, kept verbatim."""

    seq: int
    id: str
    at_ms: int
    kind: str
    actor: str
    ref: str | None
    body_text: str
    prev_hash: str
    hash: str

    @property
    def at(self) -> float:
        return self.at_ms / 1000

    @property
    def body(self) -> dict[str, Any]:
        parsed = json.loads(self.body_text)
        return parsed if isinstance(parsed, dict) else {"value": parsed}

    def to_dict(self) -> dict[str, Any]:
        """The record as exported: its fields, with the body parsed (its hash covers the canonical text)."""
        return {
            "seq": self.seq,
            "id": self.id,
            "at": self.at,
            "kind": self.kind,
            "actor": self.actor,
            "ref": self.ref,
            "body": self.body,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


class ChainReport(_Record):
    """Whether the audit chain is intact; if not, the first record that does not fit and why."""

    intact: bool
    records: int
    """How many records were checked and found sound (all of them when intact)."""
    head_hash: str
    """The hash of the last sound record: anchor it elsewhere to detect a rewrite of the whole log."""
    first_bad_seq: int | None = None
    problem: str | None = None


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


class ReviewReason(StrEnum):
    REVIEW = "review"
    """The policy held the snippet for review."""
    APPEAL = "appeal"
    """The requester appealed a stop; approving upholds the appeal."""


class ReviewItem(_Record):
    id: str
    decision_id: str
    reason: ReviewReason
    appeal_id: str | None = None
    status: ReviewStatus
    capabilities: list[str]
    """What the reviewer must be entitled to review (the policy's `reviewers` section decides who is)."""
    requester: str
    opened_at: float
    decided_at: float | None = None
    decided_by: str | None = None
    comment: str | None = None


class AppealStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"


class Appeal(_Record):
    id: str
    decision_id: str
    appellant: str
    why: str
    expect: list[Action]
    """The actions the appellant says would have been right: the expectation of the exported test."""
    filed_at: float
    status: AppealStatus
    review_id: str


class Override(_Record):
    id: str
    decision_id: str
    action: Action
    why: str
    granted_by: str
    granted_at: float
    until: float

    def active(self, now: float) -> bool:
        return self.granted_at <= now < self.until


class DecisionSummary(_Record):
    """One row of the decision index: enough to filter and list without reading the audit body."""

    id: str
    at: float
    actor: str
    verified: bool
    action: Action
    risk: int
    intent: str
    subculture: str
    language: str
    kind: str
    mode: str
    capabilities: list[str]
    review_id: str | None = None
    audit_seq: int


class StoredDecision(_Record):
    """A decision as recorded (secrets masked), with what happened to it since."""

    decision: Decision
    subject: dict[str, Any]
    context: dict[str, Any]
    actor: Actor
    recorded_at: float
    audit_seq: int
    reviews: list[ReviewItem] = Field(default_factory=list)
    appeals: list[Appeal] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)

    def active_override(self, now: float) -> Override | None:
        live = [o for o in self.overrides if o.active(now)]
        return live[-1] if live else None


class DecisionQuery(_Record):
    actor: str | None = None
    action: Action | None = None
    capability: str | None = None
    intent: str | None = None
    since: float | None = None
    until: float | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    before: str | None = None
    """A decision id: list only decisions older than it (paging)."""


class AuditQuery(_Record):
    kind: str | None = None
    actor: str | None = None
    ref: str | None = None
    since: float | None = None
    until: float | None = None
    after_seq: int | None = None
    before_seq: int | None = None
    limit: int = Field(default=100, ge=1, le=10_000)
    newest_first: bool = False


class ApiKeyInfo(_Record):
    """An API key as listed: never the key itself, only a prefix of its hash."""

    fingerprint: str
    actor: Actor
    label: str
    created_at: float
    created_by: str
    revoked: bool


class MetricsSnapshot(_Record):
    """Counts the service's /metrics derives from the shared store, so every replica reports the same."""

    decisions: list[tuple[str, str, str, str, int]]
    """(action, capability, intent, subculture, count); capability `none` for a decision without findings."""
    latency_buckets: list[tuple[float, int]]
    """(upper bound in seconds, cumulative count) of the engine's latency."""
    latency_count: int
    latency_sum_seconds: float
    pending_reviews: int
    windows: list[tuple[str, str, int, int, int]]
    """(window, intent, decisions, reviews, blocks) over recent time windows."""
