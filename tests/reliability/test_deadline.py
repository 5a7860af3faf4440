"""Deadlines: an engine slower than its client still answers in time, with the evidence it has.

A stuck analyzer here blocks on an event for 30 s (released when the test ends); the deadlines are
a fraction of a second. The time bounds asserted (a few seconds) are far from both, so they test
that the deadline holds, not how fast the machine is.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_failsafe import pre_tool_use

from codeward import Context, Guard, Subject
from codeward.adapters.hooks import dialect
from codeward.adapters.hooks.judges import InProcessJudge
from codeward.adapters.hooks.protocol import respond
from codeward.adapters.proxy import AuditLog, GuardJudge, Inspection
from codeward.context.project import ProjectReader
from codeward.engine import MAX_OVERRUNNING
from codeward.model import Action, Finding, Project

STUCK_SECONDS = 30.0
WELL_WITHIN = 5.0
"""Any answer slower than this did not honour a sub-second deadline."""


class Stuck:
    """An analyzer that hangs until released (or 30 s), like a parser caught in a pathological input."""

    name = "stuck"
    languages = frozenset({"*"})

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        self.entered.set()
        self.release.wait(STUCK_SECONDS)
        return []


@pytest.fixture
def stuck() -> Iterator[Stuck]:
    analyzer = Stuck()
    yield analyzer
    analyzer.release.set()


def slow_guard(guard: Guard, stuck: Stuck, policies: list[Path] | None = None) -> Guard:
    """The real analyzers, with the stuck one after the shell analyzer and before the rest."""
    first, *rest = guard.analyzers
    return Guard(policies or [], analyzers=[first, stuck, *rest], sandbox_mode="never")


def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


# ------------------------------------------------------------------------------------ Guard.check
def test_past_the_deadline_the_engine_decides_on_the_findings_gathered_so_far(
    guard: Guard, stuck: Stuck
) -> None:
    slow = slow_guard(guard, stuck)
    subject = Subject(kind="command", content="rm -rf / --no-preserve-root", language="bash")
    decision, took = timed(lambda: slow.check(subject, Context(), deadline=time.monotonic() + 0.5))
    assert took < WELL_WITHIN
    assert stuck.entered.is_set()
    assert decision.action is Action.BLOCK  # the shell analyzer's finding, gathered before the deadline
    assert "bash.fs.recursive_delete" in {f.rule_id for f in decision.findings}
    deadline = next(f for f in decision.findings if f.rule_id == "engine.deadline")
    assert "while running the stuck analyzer" in deadline.message
    assert "not analysed: stuck, patterns" in deadline.message


@pytest.mark.parametrize(("fail", "action"), [("confirm", Action.CONFIRM), ("open", Action.NOTICE)])
def test_a_deadline_with_nothing_found_yet_is_the_fail_action_never_a_silent_allow(
    guard: Guard, stuck: Stuck, tmp_path: Path, fail: str, action: Action
) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(f"codeward: 1\nid: p\nfail: {fail}\n")
    slow = slow_guard(guard, stuck, [policy])
    decision = slow.check(
        Subject(kind="command", content="ls", language="bash"), deadline=time.monotonic() + 0.2
    )
    assert decision.action is action
    assert any("deadline passed" in reason for reason in decision.reasons)


def test_without_a_deadline_nothing_is_cut_short(guard: Guard) -> None:
    subject = Subject(kind="command", content="rm -rf ~/", language="bash")
    decision = guard.check(subject, deadline=time.monotonic() + 60)
    assert decision.findings == guard.check(subject).findings
    assert "engine.deadline" not in {f.rule_id for f in decision.findings}


def test_a_deadline_already_past_still_gives_a_decision(guard: Guard) -> None:
    decision = guard.check(
        Subject(kind="command", content="ls", language="bash"), deadline=time.monotonic() - 1
    )
    assert decision.action is Action.CONFIRM
    assert "engine.deadline" in {f.rule_id for f in decision.findings}


def test_analyses_left_running_do_not_pile_up(guard: Guard, stuck: Stuck) -> None:
    slow = slow_guard(guard, stuck)
    command = Subject(kind="command", content="rm -rf / --no-preserve-root", language="bash")
    for _ in range(MAX_OVERRUNNING):  # each leaves the stuck analyzer running
        assert slow.check(command, deadline=time.monotonic() + 0.2).action is Action.BLOCK
    refused, took = timed(lambda: slow.check(command, deadline=time.monotonic() + 10))
    assert took < WELL_WITHIN  # not analysed at all: nothing new was started
    assert refused.action is Action.CONFIRM
    assert any(
        "2 earlier analyses that overran their deadlines still held the engine" in r for r in refused.reasons
    )
    stuck.release.set()
    wait_until = time.monotonic() + WELL_WITHIN
    while slow._overrunning and time.monotonic() < wait_until:
        time.sleep(0.01)
    assert slow.check(command, deadline=time.monotonic() + 10).action is Action.BLOCK


class StuckReader(ProjectReader):
    """A project so large that reading it outlasts the deadline."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self.release = release

    def read(self, directory: str | Path) -> Project:
        self.release.wait(STUCK_SECONDS)
        return Project(path=str(directory))


@pytest.mark.parametrize(
    ("command", "action"), [("rm -rf / --no-preserve-root", Action.BLOCK), ("ls", Action.ALLOW)]
)
def test_a_project_too_slow_to_read_costs_its_context_not_the_analysis(
    guard: Guard, stuck: Stuck, tmp_path: Path, command: str, action: Action
) -> None:
    slow = Guard(analyzers=guard.analyzers, project_reader=StuckReader(stuck.release), sandbox_mode="never")
    context = Context(project={"path": str(tmp_path)})
    subject = Subject(kind="command", content=command, language="bash")
    decision, took = timed(lambda: slow.check(subject, context, deadline=time.monotonic() + 0.5))
    assert took < WELL_WITHIN
    deadline = next(f for f in decision.findings if f.rule_id == "engine.deadline")
    assert deadline.capability == "analysis.incomplete"
    assert "judged without the project's context" in deadline.message
    assert decision.action is max(action, Action.NOTICE)  # every analyzer ran; the context is a notice


# ------------------------------------------------------------------------------------ hooks
def claude_code_answer(judge: InProcessJudge, command: str, deadline: float) -> dict[str, Any]:
    raw = pre_tool_use("Bash", {"command": command})
    answer = respond(dialect("claude-code"), raw, judge, deadline=time.monotonic() + deadline)
    assert answer.exit_code == 0, answer
    specific: dict[str, Any] = json.loads(answer.stdout)["hookSpecificOutput"]
    return specific


def test_a_hook_answers_before_its_deadline_with_the_partial_evidence(guard: Guard, stuck: Stuck) -> None:
    slow = slow_guard(guard, stuck)
    judge = InProcessJudge(guard_factory=lambda: slow)
    answer, took = timed(lambda: claude_code_answer(judge, "rm -rf / --no-preserve-root", 1.0))
    assert took < WELL_WITHIN
    assert answer["permissionDecision"] == "deny"
    reason = answer["permissionDecisionReason"]
    assert "codeward block" in reason  # a decision, not the failure answer
    assert "Deletes / recursively" in reason and "deadline passed" in reason


def test_a_hook_with_nothing_found_by_its_deadline_asks(guard: Guard, stuck: Stuck) -> None:
    slow = slow_guard(guard, stuck)
    judge = InProcessJudge(guard_factory=lambda: slow)
    answer, took = timed(lambda: claude_code_answer(judge, "ls", 1.0))
    assert took < WELL_WITHIN
    assert answer["permissionDecision"] == "ask"
    assert "codeward confirm" in answer["permissionDecisionReason"]


# ------------------------------------------------------------------------------------ proxy
def test_the_proxy_judge_answers_at_its_deadline_with_the_partial_evidence(
    guard: Guard, stuck: Stuck
) -> None:
    judge = GuardJudge(slow_guard(guard, stuck), deadline_seconds=0.5)
    subject = Subject(kind="command", content="rm -rf / --no-preserve-root", language="bash", mode="execute")
    decision, took = timed(lambda: asyncio.run(judge.check(subject, Context())))
    assert took < WELL_WITHIN
    assert decision.action is Action.BLOCK
    assert "engine.deadline" in {f.rule_id for f in decision.findings}


class Unresponsive:
    """An engine that ignores its deadline altogether (it must still not hold the response)."""

    def __init__(self, policy: Any, release: threading.Event) -> None:
        self.policy = policy
        self.release = release

    def check(self, subject: Subject, context: Context, *, deadline: float | None = None) -> Any:
        self.release.wait(STUCK_SECONDS)
        raise RuntimeError("released")


def test_an_engine_that_ignores_the_deadline_is_withheld_as_not_judged(
    guard: Guard, stuck: Stuck, tmp_path: Path
) -> None:
    judge = GuardJudge(Unresponsive(guard.policy, stuck.release), deadline_seconds=0.2)  # type: ignore[arg-type]
    inspection = Inspection(judge, Context(), AuditLog(str(tmp_path / "audit.jsonl")), "r-1")
    raw = "```bash\nls\n```"
    sent, took = timed(lambda: asyncio.run(inspection.code_block("```", "bash", "ls\n", raw)))
    assert took < WELL_WITHIN
    assert sent != raw and "could not be judged" in sent
    assert any("could not judge" in notice for notice in inspection.notices)
