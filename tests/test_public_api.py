import codeward


def test_public_api_is_pinned() -> None:
    assert codeward.__all__ == sorted(codeward.__all__)
    assert codeward.__all__ == [
        "Action",
        "Actor",
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
        "Session",
        "SessionEvent",
        "Severity",
        "Subject",
        "SubjectKind",
        "__version__",
        "load_policy",
    ]
