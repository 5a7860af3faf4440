"""The policy file format. These models are the schema: `codeward policy schema` prints their JSON Schema.

A policy file is YAML. Layers (built-in < organisation < team < project < session) are merged by
`codeward.policy.loader`; this module only says what one file may contain.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from codeward.model import Action, Confidence, Environment, FindingSource, Mode, Severity, SubjectKind

Identifier = str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleMatch(_Strict):
    """What a rule applies to. Every field given must match; omitted fields match anything."""

    capabilities: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Capability names or globs (`cred.read.*`); a bare prefix (`cred`) matches its children.",
    )
    scopes: list[str] | None = Field(
        default=None,
        description="Target classes: root, home, system, device, project, temp, credential, remote, public_address, unknown.",
    )
    targets: list[str] | None = Field(
        default=None, description="Globs over the target as written (`/etc/*`)."
    )
    modes: list[Mode] | None = None
    kinds: list[SubjectKind] | None = None
    languages: list[str] | None = None
    sources: list[FindingSource] | None = None
    environments: list[Environment] | None = None
    min_severity: Severity | None = None
    min_confidence: Confidence | None = None
    when: str | None = Field(
        default=None,
        description="A CEL condition over subject, actor, intent, environment, finding, capabilities, risk, "
        "project, tool, session and variables.",
    )


class Rule(_Strict):
    id: Identifier = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    description: str = ""
    match: RuleMatch = Field(default_factory=RuleMatch)
    action: Action
    intents: dict[str, Action] = Field(
        default_factory=dict,
        description="The action for a trusted intent (declared by a cleared role, or inferred and cleared). "
        "Intents not listed get `action`.",
    )
    reason: str | None = Field(default=None, description="Shown to the user when this rule decides.")
    final: bool = Field(
        default=False,
        description="A floor: every matching final rule applies (not only the first match), no later layer "
        "(team, project, session) may replace it, and no other rule can lower its action.",
    )


class ListEntry(_Strict):
    id: Identifier = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    pattern: str = Field(description="An RE2 regular expression (linear time), searched in the content.")
    fullmatch: bool = Field(
        default=False, description="Match the whole (stripped) content, not a part of it."
    )
    kinds: list[SubjectKind] | None = None
    languages: list[str] | None = None
    modes: list[Mode] | None = None
    action: Action = Action.BLOCK
    reason: str = ""


class Reviewers(_Strict):
    capabilities: list[str] = Field(default_factory=lambda: ["*"])
    roles: list[str]


class SessionPolicy(_Strict):
    """Graduated response: repeated stops in one session raise friction for that session only."""

    half_life_minutes: float = Field(default=30.0, gt=0)
    threshold: float = Field(default=2.5, gt=0, description="Decayed count of review/block decisions.")
    escalate: dict[Action, Action] = Field(
        default_factory=lambda: {Action.NOTICE: Action.CONFIRM, Action.CONFIRM: Action.REVIEW}
    )


class SandboxPolicy(_Strict):
    when: str | None = Field(
        default=None, description="CEL: in `--sandbox auto`, run the snippet in the sandbox when this holds."
    )
    timeout_seconds: float = Field(default=5.0, gt=0, le=120)


class HookPolicy(_Strict):
    """How agent hooks answer where a client could pause for a person (Claude Code, Cursor)."""

    confirm: Literal["ask", "deny"] = Field(default="ask", description="`deny` where `ask` is unreliable.")
    review: Literal["ask", "deny"] = Field(default="ask", description="`deny` holds the call until approved.")


class Threshold(_Strict):
    risk: int = Field(ge=0, le=100)
    action: Action
    modes: list[Mode] | None = None


class Defaults(_Strict):
    """The action for a finding that no rule matches, by mode and severity."""

    generate: dict[Severity, Action] = Field(default_factory=dict)
    execute: dict[Severity, Action] = Field(default_factory=dict)


class Identity(_Strict):
    """How token claims become codeward roles."""

    role_claims: list[str] = Field(
        default_factory=lambda: ["roles", "groups"],
        description="Claim paths (dotted, e.g. `realm_access.roles`) whose values are role names.",
    )
    role_map: dict[str, list[str]] = Field(
        default_factory=dict, description="A claim value -> the codeward roles it grants."
    )


class PolicyFile(_Strict):
    codeward: Literal[1] = Field(description="The policy format version.")
    id: Identifier = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    version: str = "0"
    description: str = ""
    intents: dict[str, str] = Field(default_factory=dict, description="Intent name -> description.")
    clearances: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Intent -> the roles that may declare it (`*`: everyone). Replaces the lower layer's list.",
    )
    unverified_roles: Literal["ignore", "trust"] | None = Field(
        default=None,
        description="`ignore` (default): roles without a verified identity give no clearances beyond `*`.",
    )
    reviewers: list[Reviewers] = Field(default_factory=list)
    identity: Identity | None = None
    variables: dict[str, str] = Field(default_factory=dict, description="Named CEL expressions.")
    defaults: Defaults | None = None
    rules: list[Rule] = Field(default_factory=list)
    allow: list[ListEntry] = Field(default_factory=list)
    deny: list[ListEntry] = Field(default_factory=list)
    thresholds: list[Threshold] = Field(default_factory=list)
    session: SessionPolicy | None = None
    sandbox: SandboxPolicy | None = None
    fail: Literal["open", "confirm", "closed"] | None = Field(
        default=None, description="What an internal failure (analyzer, sandbox, store) becomes."
    )
    hooks: HookPolicy | None = None


class PolicyTestCase(_Strict):
    name: str
    subject: dict[str, Any]
    context: dict[str, Any] = Field(default_factory=dict)
    expect: Action | list[Action]


class PolicyTestFile(_Strict):
    policies: list[str] = Field(
        default_factory=list, description="Layers, relative to this file or pack:NAME."
    )
    cases: list[PolicyTestCase]


def json_schema() -> dict[str, Any]:
    schema = PolicyFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://codeward.dev/schema/policy-1.json"
    schema["title"] = "codeward policy"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True)
