"""Fail-safe: whatever breaks inside codeward — an analyzer, the sandbox, the store, the policy's own
evaluation — the caller gets a Decision with the policy's `fail` action (`confirm` by default,
`notice` when open, `block` when closed) and reasons that say what failed. Never a traceback, never
a silent allow. Checked through `Guard.check`, the CLI's exit statuses and the agent hooks."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from codeward import Context, Guard, Subject
from codeward.adapters.cli import main
from codeward.adapters.hooks import dialect
from codeward.adapters.hooks.judges import InProcessJudge
from codeward.adapters.hooks.protocol import respond
from codeward.model import Action, Decision, Finding, SessionEvent

FAIL_ACTIONS = {"open": Action.NOTICE, "confirm": Action.CONFIRM, "closed": Action.BLOCK}
EXIT_STATUS = {"open": 0, "confirm": 3, "closed": 4}

# A rule whose condition divides by zero at run time, only for files named *.boom: it passes the
# load-time check (the sample request has no path) and fails on a real request.
EXPLODING_RULE = (
    "rules:\n"
    "  - id: exploding-condition\n"
    "    action: allow\n"
    "    match:\n"
    "      when: 'subject.path.endsWith(\".boom\") && 1 / (subject.size - subject.size) > 0'\n"
)


def policy_file(tmp_path: Path, fail: str, extra: str = "") -> Path:
    path = tmp_path / f"fail-{fail}.yaml"
    path.write_text(f"codeward: 1\nid: fail-{fail}\nfail: {fail}\n{extra}")
    return path


class Crashing:
    name = "crashing"
    languages = frozenset({"*"})

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        raise RuntimeError("analyzer blew up")


class CrashingSandbox:
    name = "crashing-sandbox"

    def available(self) -> tuple[bool, str]:
        return True, ""

    def run(self, subject: Subject, context: Context, *, timeout: float) -> Any:
        raise OSError("bubblewrap vanished")


class CrashingStore:
    def __init__(self, *, on_record: bool = True, on_history: bool = False) -> None:
        self.on_record = on_record
        self.on_history = on_history
        self.recorded: list[Decision] = []

    def record_decision(self, decision: Decision, subject: Subject, context: Context) -> str | None:
        if self.on_record:
            raise ConnectionError("database is gone")
        self.recorded.append(decision)
        return None

    def session_events(self, session_id: str, *, since: float) -> list[SessionEvent]:
        if self.on_history:
            raise ConnectionError("database is gone")
        return []


HARMLESS = Subject(kind="command", content="ls -la", language="bash")


def assert_failed_safe(decision: Decision, fail: str, *, says: str) -> None:
    assert decision.action is FAIL_ACTIONS[fail], decision.reasons
    assert decision.action is not Action.ALLOW
    assert any(says in reason for reason in decision.reasons), decision.reasons


# ------------------------------------------------------------------------------------ Guard.check
@pytest.mark.parametrize("fail", list(FAIL_ACTIONS))
def test_an_analyzer_that_raises_gives_the_fail_action_and_names_the_analyzer(
    tmp_path: Path, fail: str
) -> None:
    guard = Guard([policy_file(tmp_path, fail)], analyzers=[Crashing()], sandbox_mode="never")
    decision = guard.check(HARMLESS, Context())
    assert_failed_safe(decision, fail, says="the crashing analyzer failed (RuntimeError: analyzer blew up)")


def test_an_analyzer_crash_keeps_the_other_analyzers_evidence(guard: Guard) -> None:
    crashing = Guard(analyzers=[Crashing(), *guard.analyzers], sandbox_mode="never")
    decision = crashing.check(Subject(kind="command", content="rm -rf / --no-preserve-root", language="bash"))
    assert decision.action is Action.BLOCK
    assert {"engine.analyzer-failed.crashing", "bash.fs.recursive_delete"} <= {
        f.rule_id for f in decision.findings
    }


@pytest.mark.parametrize("fail", list(FAIL_ACTIONS))
def test_a_sandbox_backend_that_raises_gives_the_fail_action(tmp_path: Path, fail: str) -> None:
    guard = Guard(
        [policy_file(tmp_path, fail)], analyzers=[], sandbox=CrashingSandbox(), sandbox_mode="always"
    )
    decision = guard.check(HARMLESS, Context())
    assert_failed_safe(
        decision, fail, says="the sandbox could not run the snippet (OSError: bubblewrap vanished)"
    )
    assert decision.sandbox is None


@pytest.mark.parametrize("fail", list(FAIL_ACTIONS))
def test_a_store_that_cannot_record_gives_the_fail_action_and_says_the_decision_is_not_on_record(
    tmp_path: Path, fail: str
) -> None:
    guard = Guard([policy_file(tmp_path, fail)], analyzers=[], store=CrashingStore(), sandbox_mode="never")
    decision = guard.check(HARMLESS, Context())
    assert_failed_safe(
        decision, fail, says="the audit store failed (ConnectionError); the decision is not on record"
    )


def test_a_store_failure_never_lowers_a_block(guard: Guard) -> None:
    failing = Guard(analyzers=guard.analyzers, store=CrashingStore(), sandbox_mode="never")
    decision = failing.check(Subject(kind="command", content="rm -rf / --no-preserve-root", language="bash"))
    assert decision.action is Action.BLOCK
    assert any("audit store failed" in reason for reason in decision.reasons)


@pytest.mark.parametrize("fail", list(FAIL_ACTIONS))
def test_a_store_that_cannot_give_the_session_history_gives_the_fail_action(
    tmp_path: Path, fail: str
) -> None:
    store = CrashingStore(on_record=False, on_history=True)
    guard = Guard([policy_file(tmp_path, fail)], analyzers=[], store=store, sandbox_mode="never")
    decision = guard.check(HARMLESS, Context(session={"id": "s-1"}))
    assert_failed_safe(decision, fail, says="the session history could not be read from the store")
    assert store.recorded == [decision]


@pytest.mark.parametrize("fail", list(FAIL_ACTIONS))
def test_a_policy_condition_that_fails_at_run_time_gives_the_fail_action_and_names_the_rule(
    guard: Guard, tmp_path: Path, fail: str
) -> None:
    exploding = Guard(
        [policy_file(tmp_path, fail, EXPLODING_RULE)], analyzers=guard.analyzers, sandbox_mode="never"
    )
    subject = Subject(kind="code", content="rm -rf ./build\n", language="bash", path="clean.boom")
    decision = exploding.check(subject, Context())
    says = f"the condition of rule exploding-condition failed (ZeroDivisionError: division by zero in CEL expression); policy fail: {fail}"
    assert_failed_safe(decision, fail, says=says)


@pytest.mark.parametrize("fail", list(FAIL_ACTIONS))
def test_a_policy_condition_that_fails_never_lowers_what_the_other_rules_decide(
    guard: Guard, tmp_path: Path, fail: str
) -> None:
    exploding = Guard(
        [policy_file(tmp_path, fail, EXPLODING_RULE)], analyzers=guard.analyzers, sandbox_mode="never"
    )
    subject = Subject(kind="code", content="rm -rf / --no-preserve-root\n", path="wipe.boom", mode="execute")
    decision = exploding.check(subject, Context())
    assert decision.action is Action.BLOCK
    assert decision.policy.rule == "destroy-filesystem"
    assert any("the condition of rule exploding-condition failed" in reason for reason in decision.reasons)


class RecordingSandbox:
    name = "recording-sandbox"

    def __init__(self) -> None:
        self.runs = 0

    def available(self) -> tuple[bool, str]:
        return True, ""

    def run(self, subject: Subject, context: Context, *, timeout: float) -> Any:
        self.runs += 1
        raise AssertionError("the sandbox must not run when its condition failed")


@pytest.mark.parametrize("fail", list(FAIL_ACTIONS))
def test_a_sandbox_condition_that_fails_gives_the_fail_action(tmp_path: Path, fail: str) -> None:
    condition = (
        "sandbox:\n  when: 'subject.path.endsWith(\".boom\") && 1 / (subject.size - subject.size) > 0'\n"
    )
    sandbox = RecordingSandbox()
    guard = Guard(
        [policy_file(tmp_path, fail, condition)], analyzers=[], sandbox=sandbox, sandbox_mode="auto"
    )
    decision = guard.check(Subject(kind="command", content="ls", language="bash", path="x.boom"), Context())
    assert_failed_safe(decision, fail, says="the policy's sandbox condition failed (ZeroDivisionError")
    assert sandbox.runs == 0


@pytest.mark.parametrize(
    ("command", "action"), [("ls", Action.CONFIRM), ("rm -rf / --no-preserve-root", Action.BLOCK)]
)
def test_an_internal_error_anywhere_in_the_engine_is_a_decision_not_a_traceback(
    guard: Guard, monkeypatch: pytest.MonkeyPatch, command: str, action: Action
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> list[str]:
        raise KeyError("remedy table")

    monkeypatch.setattr("codeward.engine.remedies", broken)
    decision = guard.check(Subject(kind="command", content=command, language="bash"))
    assert decision.action is action  # the fail action, or what the policy had decided if stronger
    assert "codeward failed while explaining the decision (KeyError" in decision.reasons[0]
    assert json.loads(decision.to_json())["action"] == action.value


def test_an_undecodable_subject_is_judged_not_failed(guard: Guard) -> None:
    lone_surrogate = Subject(kind="command", content="rm -rf ./x \udcff\x00", language="bash")
    decision = guard.check(lone_surrogate)
    assert "analysis.error" not in {f.capability for f in decision.findings}
    assert decision.action is not Action.ALLOW


# ------------------------------------------------------------------------------------ the CLI
def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.mark.parametrize("fail", list(FAIL_ACTIONS))
def test_the_cli_exits_with_the_fail_status_when_the_policy_fails_at_run_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fail: str
) -> None:
    snippet = tmp_path / "clean.boom"
    snippet.write_text("rm -rf ./build\n")
    policy = policy_file(tmp_path, fail, EXPLODING_RULE)
    status, out, err = run_cli(
        capsys,
        "check",
        str(snippet),
        "--policy",
        str(policy),
        "--db",
        str(tmp_path / "a.db"),
        "--format",
        "json",
    )
    assert status == EXIT_STATUS[fail]
    decision = json.loads(out)
    assert decision["action"] == FAIL_ACTIONS[fail].value
    assert any("the condition of rule exploding-condition" in reason for reason in decision["reasons"])
    assert "Traceback" not in err


def test_the_cli_exits_3_when_an_analyzer_raises(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from codeward import engine

    real = engine.builtin_analyzers
    monkeypatch.setattr(engine, "builtin_analyzers", lambda *a, **k: [Crashing(), *real(*a, **k)])
    status, out, err = run_cli(
        capsys, "check", "-c", "ls", "--format", "json", "--db", str(tmp_path / "a.db")
    )
    assert status == 3
    assert any("the crashing analyzer failed" in reason for reason in json.loads(out)["reasons"])
    assert "Traceback" not in err


def test_the_cli_exits_3_when_the_audit_store_cannot_be_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    unusable = tmp_path / "not-a-directory"
    unusable.write_text("")
    status, out, err = run_cli(
        capsys, "check", "-c", "ls", "--db", str(unusable / "audit.db"), "--format", "json"
    )
    assert status == 3
    assert any("audit store failed" in reason for reason in json.loads(out)["reasons"])
    assert "Traceback" not in err


# ------------------------------------------------------------------------------------ the hooks
def pre_tool_use(tool: str, tool_input: dict[str, Any], cwd: str = "/tmp") -> bytes:
    """A PreToolUse hook payload as Claude Code and Codex send it."""
    payload = {
        "session_id": "s-1",
        "cwd": cwd,
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
        "tool_use_id": "toolu_1",
    }
    return json.dumps(payload).encode()


def hook_answer(client: str, judge: InProcessJudge, command: str) -> str:
    raw = pre_tool_use("Bash", {"command": command})
    answer = respond(dialect(client), raw, judge, deadline=time.monotonic() + 30)
    assert answer.exit_code in (0, 2), answer
    if answer.exit_code == 2:
        return "deny"
    if not answer.stdout.strip():
        return "allow"
    return str(json.loads(answer.stdout)["hookSpecificOutput"]["permissionDecision"])


@pytest.mark.parametrize(
    ("fail", "claude_code", "codex"),
    [("closed", "deny", "deny"), ("confirm", "ask", "deny"), ("open", "allow", "allow")],
)
def test_hooks_answer_an_engine_fault_by_the_policys_fail_setting(
    guard: Guard, tmp_path: Path, fail: str, claude_code: str, codex: str
) -> None:
    policy = policy_file(tmp_path, fail)
    faulty = Guard([policy], analyzers=[Crashing(), *guard.analyzers], sandbox_mode="never")
    judge = InProcessJudge(guard_factory=lambda: faulty)
    assert hook_answer("claude-code", judge, "ls") == claude_code
    assert hook_answer("codex", judge, "ls") == codex


@pytest.mark.parametrize(("fail", "answer"), [("closed", "deny"), ("confirm", "ask"), ("open", "allow")])
def test_hooks_answer_a_policy_that_fails_at_run_time_by_its_fail_setting(
    tmp_path: Path, fail: str, answer: str
) -> None:
    judge = InProcessJudge([str(policy_file(tmp_path, fail, EXPLODING_RULE))], store_factory=None)
    write = {"file_path": str(tmp_path / "clean.boom"), "content": "rm -rf ./build\n"}
    raw = pre_tool_use("Write", write, cwd=str(tmp_path))
    said = respond(dialect("claude-code"), raw, judge, deadline=time.monotonic() + 30)
    specific = json.loads(said.stdout)["hookSpecificOutput"] if said.stdout.strip() else {}
    assert specific.get("permissionDecision", "allow") == answer
    if answer != "allow":
        assert "the condition of rule exploding-condition" in specific["permissionDecisionReason"]


def test_hooks_keep_a_block_found_before_a_fault(guard: Guard, tmp_path: Path) -> None:
    faulty = Guard(
        [policy_file(tmp_path, "open")], analyzers=[Crashing(), *guard.analyzers], sandbox_mode="never"
    )
    judge = InProcessJudge(guard_factory=lambda: faulty)
    for client in ("claude-code", "codex"):
        assert hook_answer(client, judge, "rm -rf / --no-preserve-root") == "deny"
