"""One error tree. Inside codeward, raise the most specific class; each adapter turns it into its
client's terms (an exit status, an HTTP 4xx body, a hook answer) so that nobody sees a traceback."""

from __future__ import annotations


class CodewardError(Exception):
    """Base of every error codeward raises on purpose."""


class InputError(CodewardError):
    """The input cannot be judged as given: unreadable file, bad JSON, a field of the wrong type."""


class PolicyError(CodewardError):
    """A policy file is invalid. `problems` lists each one as `file:line: message`."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or [message]
        super().__init__(message if not problems else message + "\n" + "\n".join(problems))


class RuleError(CodewardError):
    """A rule file is invalid, or two rules share an id."""


class IdentityError(CodewardError):
    """A credential was presented and could not be verified (never raised for an absent one)."""


class AuthorizationError(CodewardError):
    """The actor is known but may not do this (review their own request, approve without the role)."""


class SandboxUnavailable(CodewardError):
    """The sandbox backend cannot run on this host; the message says how to fix it."""


class SandboxError(CodewardError):
    """The sandbox failed while running a snippet."""


class StoreError(CodewardError):
    """The store cannot read or write."""


class StoreConnectionLost(StoreError):
    """The connection to the store died during the work (a restarted server): retrying on another may work."""


class NotFound(CodewardError):
    """A decision, review or record with that id does not exist."""
