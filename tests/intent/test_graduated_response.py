"""Graduated response: repeated stops in one session raise friction for that session only, and decay.

The default policy counts each review or block as 1, halving every 30 minutes; from 2.5, a later
`notice` becomes `confirm` and a `confirm` becomes `review` — in that session, never beyond review,
and never for the account.
"""

from __future__ import annotations

import time

from codeward import Actor, Context, Guard, Subject
from codeward.model import Action, Decision, Session, SessionEvent

UNRESOLVED_DELETE = 'rm -rf "$DIR"'  # confirm on its own (rule rm-unresolved-target)
LISTING = "ls -la"  # allow
KEY_READ = "cat ~/.ssh/id_rsa"  # review
NOW = 1_800_000_000.0
ALICE = Actor(id="alice", roles=["developer"])


def stops(count: int, *, minutes_ago: float = 1.0, action: Action = Action.BLOCK) -> list[SessionEvent]:
    return [
        SessionEvent(decision_id=f"d{i}", action=action, at=NOW - minutes_ago * 60 - i) for i in range(count)
    ]


def judge(guard: Guard, command: str, history: list[SessionEvent], session: str = "s1") -> Decision:
    context = Context(actor=ALICE, session=Session(id=session, history=history))
    frozen = Guard(policy=guard.policy, rulebook=guard.rulebook, analyzers=guard.analyzers, clock=lambda: NOW)
    return frozen.check(Subject(kind="command", content=command, language="bash"), context)


def test_a_fresh_session_gets_the_ordinary_action(guard: Guard) -> None:
    assert judge(guard, UNRESOLVED_DELETE, []).action is Action.CONFIRM


def test_repeated_stops_raise_confirm_to_review_and_say_why(guard: Guard) -> None:
    decision = judge(guard, UNRESOLVED_DELETE, stops(3))
    assert decision.action is Action.REVIEW
    reason = next(r for r in decision.reasons if "this session has had" in r)
    assert "raised from confirm to review for this session only" in reason
    assert "half-life of 30 min" in reason


def test_reviews_count_like_blocks(guard: Guard) -> None:
    assert judge(guard, UNRESOLVED_DELETE, stops(3, action=Action.REVIEW)).action is Action.REVIEW


def test_allowed_and_confirmed_snippets_do_not_count_as_stops(guard: Guard) -> None:
    history = stops(10, action=Action.CONFIRM) + stops(10, action=Action.ALLOW)
    assert judge(guard, UNRESOLVED_DELETE, history).action is Action.CONFIRM


def test_two_recent_stops_are_below_the_threshold(guard: Guard) -> None:
    assert judge(guard, UNRESOLVED_DELETE, stops(2)).action is Action.CONFIRM


def test_the_raise_decays_with_time(guard: Guard) -> None:
    assert judge(guard, UNRESOLVED_DELETE, stops(3, minutes_ago=5)).action is Action.REVIEW
    # three stops two hours ago weigh 3 x 0.5**4 = 0.19: friction is back to normal
    assert judge(guard, UNRESOLVED_DELETE, stops(3, minutes_ago=120)).action is Action.CONFIRM


def test_another_session_of_the_same_person_is_not_affected(guard: Guard) -> None:
    assert judge(guard, UNRESOLVED_DELETE, [], session="s2").action is Action.CONFIRM


def test_no_number_of_stops_turns_friction_into_a_block(guard: Guard) -> None:
    history = stops(200)
    assert judge(guard, UNRESOLVED_DELETE, history).action is Action.REVIEW
    assert judge(guard, KEY_READ, history).action is Action.REVIEW
    assert judge(guard, LISTING, history).action is Action.ALLOW


def test_stops_recorded_by_the_store_reach_later_decisions_of_that_session() -> None:
    store = MemoryStore()
    clock = [NOW]
    guard = Guard(sandbox_mode="never", store=store, clock=lambda: clock[0])
    context = Context(actor=ALICE, session=Session(id="s1"))
    for _ in range(3):
        assert guard.check(Subject(kind="command", content="rm -rf /"), context).action is Action.BLOCK
        clock[0] += 60
    assert guard.check(Subject(kind="command", content=UNRESOLVED_DELETE), context).action is Action.REVIEW
    other = Context(actor=ALICE, session=Session(id="s2"))
    assert guard.check(Subject(kind="command", content=UNRESOLVED_DELETE), other).action is Action.CONFIRM
    clock[0] += 3 * 3600
    assert guard.check(Subject(kind="command", content=UNRESOLVED_DELETE), context).action is Action.CONFIRM


class MemoryStore:
    """Just enough of the Store protocol: decisions in a list, session history read back from it."""

    def __init__(self) -> None:
        self.decisions: list[tuple[str | None, Decision, float]] = []

    def record_decision(self, decision: Decision, subject: Subject, context: Context) -> str | None:
        self.decisions.append((context.session.id, decision, time.time()))
        return None

    def session_events(self, session_id: str, *, since: float) -> list[SessionEvent]:
        events = []
        for session, decision, _ in self.decisions:
            at = int(decision.decision_id[:12], 16) / 1000
            if session == session_id and at >= since:
                events.append(
                    SessionEvent(
                        decision_id=decision.decision_id,
                        action=decision.action,
                        intent=decision.intent.name,
                        at=at,
                    )
                )
        return events
