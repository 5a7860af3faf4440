"""codeward: a context-aware, explainable safety layer for AI coding assistants and coding agents.

from codeward import Guard, Subject, Context
decision = Guard().check(Subject(kind="command", content="rm -rf /"), Context())
print(decision.action, decision.reasons)
"""

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

__version__ = "0.1.0"

__all__ = [
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
