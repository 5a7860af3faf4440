"""Ephemeral, isolated runs of a snippet, and what they reveal about its behaviour.

`Sandbox().run(subject, context)` returns a `BehaviourReport`: findings with `source: sandbox`,
what was observed in sentences, what it would change in the project, and what was not observed.
"""

from codeward.sandbox.limits import SandboxLimits
from codeward.sandbox.report import BehaviourReport
from codeward.sandbox.service import Sandbox

__all__ = ["BehaviourReport", "Sandbox", "SandboxLimits"]
