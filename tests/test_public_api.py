import codeward


def test_public_api_is_pinned() -> None:
    assert codeward.__all__ == sorted(codeward.__all__)
    assert codeward.__all__ == [
        "Action",
        "Actor",
        "BehaviourReport",
        "CodewardError",
        "Confidence",
        "Context",
        "Decision",
        "Environment",
        "Finding",
        "FindingSource",
        "Guard",
        "InputError",
        "Intent",
        "Limits",
        "Mode",
        "Policy",
        "PolicyError",
        "Project",
        "Sandbox",
        "Session",
        "SessionEvent",
        "Severity",
        "Subject",
        "SubjectKind",
        "__version__",
        "load_policy",
    ]


def test_the_sandbox_is_part_of_the_public_api() -> None:
    from codeward.sandbox import BehaviourReport, Sandbox

    assert codeward.Sandbox is Sandbox and codeward.BehaviourReport is BehaviourReport
