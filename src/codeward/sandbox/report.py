"""The behaviour report: what a snippet did in the sandbox, what stopped it, and what was not observed.

It satisfies `codeward.protocols.BehaviourEvidence`: `findings` for the policy, `summary()` for
the decision. Paths are shown as the snippet saw them (the decoy home and the project view sit
at the real paths), with `~` for the home directory.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from codeward.model import Finding

EventSource = Literal["audit", "strace", "diff", "supervisor"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileEvent(_Record):
    action: Literal["read", "write", "delete", "rename", "chmod", "chown", "mkdir", "link", "truncate"]
    path: str
    to: str | None = None
    """The destination of a rename or link."""
    result: str = ""
    """`ok`, an errno name such as `EROFS`, or empty when the tracer cannot see the outcome."""
    scope: str
    source: EventSource
    verified: bool = True
    """False for audit events not carrying the run's key (a child interpreter, or a forgery)."""


class ProcessEvent(_Record):
    argv: list[str]
    result: str = ""
    source: EventSource
    verified: bool = True


class NetworkEvent(_Record):
    action: Literal["connect", "send", "bind", "socket", "resolve", "http"]
    family: str = ""
    address: str = ""
    port: int | None = None
    result: str = ""
    source: EventSource
    verified: bool = True


class CodeEvent(_Record):
    """Code built or loaded at run time: an `exec` of a decoded string, a pickle, a native library."""

    action: Literal["compile", "deserialize", "native", "introspect", "exception", "limit"]
    detail: str
    source: EventSource = "audit"
    verified: bool = True


class FileChange(_Record):
    """One entry of the diff of the decoy home or the project view."""

    path: str
    change: Literal["created", "modified", "deleted", "replaced", "read", "metadata"]
    kind: Literal["file", "dir", "symlink", "other"] = "file"
    files: int = 1
    """Regular files affected: for a deleted or replaced folder, everything that was in it."""
    bytes: int = 0
    excerpt: str = ""
    """The start of a small created or changed text file (redacted), e.g. the line appended to ~/.bashrc."""


class CredentialTouch(_Record):
    path: str
    capability: str
    how: Literal["read", "modified", "deleted", "printed"]
    source: EventSource


class PersistenceWrite(_Record):
    path: str
    capability: str
    result: str = "ok"
    excerpt: str = ""
    source: EventSource


class LimitHit(_Record):
    limit: Literal[
        "wall_time", "cpu_time", "memory", "address_space", "processes", "file_size", "output", "disk"
    ]
    detail: str


class Isolation(_Record):
    """How this run was contained, for the record."""

    backend: str
    uid: int
    """The kernel uid the snippet ran as (never 0)."""
    seccomp: bool
    network: Literal["none"] = "none"
    cgroup: bool
    project_view: Literal["overlay", "idmapped-overlay", "copy", "none"]
    tracers: list[str]
    warm: bool = False


class BehaviourReport(_Record):
    language: str
    ran: bool = True
    """False when the sandbox does not run this language: then nothing was observed."""
    exit_code: int | None
    signal: str | None = None
    duration_ms: float
    timed_out: bool = False
    limits_hit: list[LimitHit] = Field(default_factory=list)
    files_read: list[FileEvent] = Field(default_factory=list)
    files_written: list[FileEvent] = Field(default_factory=list)
    files_deleted: list[FileEvent] = Field(default_factory=list)
    files_renamed: list[FileEvent] = Field(default_factory=list)
    files_chmodded: list[FileEvent] = Field(default_factory=list)
    processes: list[ProcessEvent] = Field(default_factory=list)
    network: list[NetworkEvent] = Field(default_factory=list)
    code: list[CodeEvent] = Field(default_factory=list)
    credentials: list[CredentialTouch] = Field(default_factory=list)
    persistence: list[PersistenceWrite] = Field(default_factory=list)
    home_diff: list[FileChange] = Field(default_factory=list)
    project_diff: list[FileChange] = Field(default_factory=list)
    preview: list[str] = Field(default_factory=list)
    """What the snippet would have changed, in sentences: `would delete 312 files under ./build`."""
    stdout: str = ""
    stderr: str = ""
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    events_dropped: int = 0
    """Events beyond the report's bound, counted but not listed."""
    forged_events: int = 0
    """Lines on the event pipe without the run's key that are not a child interpreter's (see the README, "Sandbox")."""
    isolation: Isolation
    limits: list[str] = Field(default_factory=list)
    """What this report cannot tell: behaviour that was not observed is not proof of safety."""
    findings: list[Finding] = Field(default_factory=list)
    observations: list[str] = Field(default_factory=list)
    """Short sentences of what was observed, most important first."""

    def summary(self) -> dict[str, Any]:
        """The short form the decision carries: `lines` to show, `limits` to keep in mind."""
        return {
            "backend": self.isolation.backend,
            "ran": self.ran,
            "exit_code": self.exit_code,
            "signal": self.signal,
            "duration_ms": self.duration_ms,
            "timed_out": self.timed_out,
            "limits_hit": [hit.limit for hit in self.limits_hit],
            "lines": list(self.observations),
            "preview": list(self.preview),
            "limits": list(self.limits),
        }
