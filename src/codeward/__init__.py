"""codeward: a context-aware, explainable safety layer for AI coding assistants and coding agents.

from codeward import Guard, Subject, Context
decision = Guard().check(Subject(kind="command", content="rm -rf /"), Context())
print(decision.action, decision.reasons)
"""

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing `typing` costs a hook process ~10 ms
if TYPE_CHECKING:
    from typing import Any

    from codeward.engine import Guard, Limits
    from codeward.errors import CodewardError, InputError, PolicyError
    from codeward.model import (
        Action,
        Actor,
        Confidence,
        Context,
        Decision,
        Environment,
        Finding,
        FindingSource,
        Intent,
        Mode,
        Project,
        Session,
        SessionEvent,
        Severity,
        Subject,
        SubjectKind,
    )
    from codeward.policy.loader import Policy, load_policy
    from codeward.sandbox import BehaviourReport, Sandbox

# Imported on first use (PEP 562): a hook process that imports `codeward.errors` must not pay for
# pydantic, the engine and the policy compiler at interpreter start.
_LAZY = {
    "Guard": "codeward.engine",
    "Limits": "codeward.engine",
    "CodewardError": "codeward.errors",
    "InputError": "codeward.errors",
    "PolicyError": "codeward.errors",
    "Policy": "codeward.policy.loader",
    "load_policy": "codeward.policy.loader",
    "BehaviourReport": "codeward.sandbox",
    "Sandbox": "codeward.sandbox",
}


def __getattr__(name: str) -> "Any":
    import importlib

    module = _LAZY.get(name, "codeward.model" if name in __all__ else None)
    if module is None:
        raise AttributeError(f"module 'codeward' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__version__ = "0.1.0"

__all__ = [
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
