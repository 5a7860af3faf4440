"""How the policy turns findings, intent and context into one action."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeward import Action, Actor, Context, Guard, Subject
from codeward.model import Confidence, Finding, FindingSource, Session, SessionEvent, Severity
from codeward.policy.evaluate import combined_risk


class FixedFindings:
    """An analyzer that reports what a test tells it to, so policy behaviour is tested alone."""

    name = "fixed"
    languages = frozenset({"bash", "python", "text"})

    def __init__(self, *findings: Finding) -> None:
        self.findings = list(findings)

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        return [f.model_copy() for f in self.findings]


def finding(
    capability: str, severity: Severity = Severity.HIGH, scope: str | None = None, **extra: object
) -> Finding:
    return Finding(
        rule_id=f"test.{capability}",
        capability=capability,
        severity=severity,
        confidence=Confidence.HIGH,
        source=FindingSource.AST,
        scope=scope,
        lines=[1],
        message=f"does {capability}",
        **extra,  # type: ignore[arg-type]
    )


def guard_with(*findings: Finding, policies: list[str | Path] | None = None) -> Guard:
    return Guard(policies or [], analyzers=[FixedFindings(*findings)], sandbox_mode="never", inferrer=None)


def verified(*roles: str) -> Actor:
    return Actor(id="alice", roles=list(roles), verified=True, method="token")


def test_no_findings_is_allow_with_a_reason() -> None:
    decision = guard_with().check(Subject(content="ls"))
    assert decision.action is Action.ALLOW
    assert decision.reasons == ["no risky capability found"]


def test_the_same_content_is_right_to_generate_and_wrong_to_execute() -> None:
    guard = guard_with(finding("fs.delete.recursive", Severity.CRITICAL, scope="root"))
    executed = guard.check(Subject(kind="command", content="x", mode="execute"))
    generated = guard.check(Subject(kind="command", content="x", mode="generate"))
    assert executed.action is Action.BLOCK
    assert generated.action is Action.NOTICE


def test_a_cleared_verified_role_unlocks_its_intent() -> None:
    guard = guard_with(finding("proc.reverse_shell", Severity.CRITICAL))
    context = Context(actor=verified("security-engineer"), declared_intent="security_research")
    decision = guard.check(Subject(content="x", mode="generate"), context)
    assert decision.action is Action.NOTICE
    assert decision.intent.authorized and decision.intent.source == "declared"


def test_declared_intent_without_clearance_is_not_trusted() -> None:
    guard = guard_with(finding("proc.reverse_shell", Severity.CRITICAL))
    context = Context(actor=verified("developer"), declared_intent="security_research")
    decision = guard.check(Subject(content="x", mode="generate"), context)
    assert decision.action is Action.CONFIRM
    assert not decision.intent.authorized
    assert any("not trusted" in reason for reason in decision.reasons)
    assert any("security-engineer" in remedy for remedy in decision.remedies)
    assert any(f.capability == "intent.unauthorized" for f in decision.findings)


def test_an_unverified_role_does_not_count_and_the_remedy_says_sign_in() -> None:
    guard = guard_with(finding("proc.reverse_shell", Severity.CRITICAL))
    actor = Actor(id="bob", roles=["security-engineer"], verified=False, method="cli")
    decision = guard.check(
        Subject(content="x", mode="generate"), Context(actor=actor, declared_intent="security_research")
    )
    assert decision.action is Action.CONFIRM
    assert any("--token" in remedy for remedy in decision.remedies)


def test_executing_clear_harm_is_never_allowed_whatever_the_intent() -> None:
    guard = guard_with(finding("proc.reverse_shell", Severity.CRITICAL))
    context = Context(actor=verified("security-engineer"), declared_intent="security_research")
    decision = guard.check(Subject(kind="command", content="x"), context)
    assert decision.action in (Action.REVIEW, Action.BLOCK)


def test_an_analyzer_crash_escalates_per_the_fail_setting(tmp_path: Path) -> None:
    class Crashing:
        name = "crashing"
        languages = frozenset({"*"})

        def analyze(self, subject: Subject, context: Context) -> list[Finding]:
            raise RuntimeError("boom")

    decision = Guard(analyzers=[Crashing()], sandbox_mode="never").check(Subject(content="ls"))
    assert decision.action is Action.CONFIRM
    assert any("crashing analyzer failed" in reason for reason in decision.reasons)

    closed = tmp_path / "closed.yaml"
    closed.write_text("codeward: 1\nid: strict\nfail: closed\n")
    decision = Guard([closed], analyzers=[Crashing()], sandbox_mode="never").check(Subject(content="ls"))
    assert decision.action is Action.BLOCK


def test_a_final_rule_is_a_floor_that_never_lowers_a_block(tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        "codeward: 1\nid: org\nrules:\n"
        "  - {id: prod-review, final: true, action: review, match: {capabilities: ['fs.*'], modes: [execute]}}\n"
    )
    guard = guard_with(finding("fs.delete.recursive", Severity.CRITICAL, scope="root"), policies=[org])
    assert guard.check(Subject(kind="command", content="x")).action is Action.BLOCK
    guard = guard_with(finding("fs.delete.recursive", Severity.HIGH, scope="project"), policies=[org])
    decision = guard.check(Subject(kind="command", content="x"))
    assert decision.action is Action.REVIEW and decision.policy.rule == "prod-review"


def test_a_project_layer_can_relax_a_default_rule(tmp_path: Path) -> None:
    project = tmp_path / "project.yaml"
    project.write_text(
        "codeward: 1\nid: project\nrules:\n  - {id: our-scans, action: allow, match: {capabilities: [net.scan]}}\n"
    )
    guard = guard_with(finding("net.scan", Severity.MEDIUM), policies=[project])
    assert guard.check(Subject(kind="command", content="nmap 10.0.0.1")).action is Action.ALLOW


def test_deny_and_allow_lists(tmp_path: Path) -> None:
    layer = tmp_path / "lists.yaml"
    layer.write_text(
        "codeward: 1\nid: lists\n"
        "deny:\n  - {id: no-prod-db, pattern: 'prod-db\\.internal', action: block, reason: the production database}\n"
        "allow:\n  - {id: make-clean, pattern: 'make clean', fullmatch: true, action: allow}\n"
    )
    guard = guard_with(finding("fs.delete.recursive", Severity.HIGH, scope="user"), policies=[layer])
    denied = guard.check(Subject(kind="command", content="psql -h prod-db.internal"))
    assert denied.action is Action.BLOCK and any("production database" in r for r in denied.reasons)
    allowed = guard.check(Subject(kind="command", content="make clean"))
    assert allowed.action is Action.ALLOW and any("allow list" in r for r in allowed.reasons)


def test_repeated_stops_raise_friction_for_that_session_only() -> None:
    guard = guard_with(finding("cred.read.env_file", Severity.MEDIUM))
    now = guard.clock()
    stops = [SessionEvent(decision_id=str(i), action=Action.BLOCK, at=now - 60) for i in range(3)]
    busy = Context(session=Session(id="s1", history=stops))
    escalated = guard.check(Subject(kind="command", content="cat .env"), busy)
    fresh = guard.check(Subject(kind="command", content="cat .env"), Context(session=Session(id="s2")))
    assert fresh.action is Action.CONFIRM
    assert escalated.action is Action.REVIEW
    assert any("this session" in reason and "decays" in reason for reason in escalated.reasons)


def test_old_stops_decay_away() -> None:
    guard = guard_with(finding("cred.read.env_file", Severity.MEDIUM))
    long_ago = guard.clock() - 6 * 3600
    stops = [SessionEvent(decision_id=str(i), action=Action.BLOCK, at=long_ago) for i in range(5)]
    decision = guard.check(
        Subject(kind="command", content="cat .env"), Context(session=Session(id="s", history=stops))
    )
    assert decision.action is Action.CONFIRM


@pytest.mark.parametrize(
    ("risks", "expected"),
    [
        ([], 0),
        ([Severity.HIGH], 70),
        ([Severity.CRITICAL, Severity.HIGH], 96),
        ([Severity.LOW, Severity.INFO], 20),
    ],
)
def test_risk_is_the_worst_finding_plus_a_little_for_each_other_serious_one(
    risks: list[Severity], expected: int
) -> None:
    findings = [finding(f"cap.{i}", severity) for i, severity in enumerate(risks)]
    assert combined_risk(findings) == expected


def test_remedies_offer_the_other_mode_for_executed_harm() -> None:
    guard = guard_with(finding("persist.cron", Severity.HIGH))
    decision = guard.check(Subject(kind="command", content="crontab x"))
    assert decision.action is Action.REVIEW
    assert any("mode generate" in remedy for remedy in decision.remedies)
    assert any(f"codeward review approve {decision.decision_id}" in remedy for remedy in decision.remedies)
