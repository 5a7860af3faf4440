"""From what was observed to the behaviour report: events, diffs, limits -> sections, findings, sentences.

Every sandbox rule id is listed in the README's "Sandbox" section. Findings here are evidence of what the
snippet did (or tried to do) when run; each quotes the observed event. Absence of a finding is
not evidence of safety, and the report's `limits` say why.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from codeward.capabilities import get as capability
from codeward.model import Confidence, Finding, FindingSource, Severity
from codeward.redaction import redact
from codeward.sandbox.cgroups import CgroupUsage
from codeward.sandbox.decoys import CanarySet, Decoy, persistence_capability
from codeward.sandbox.layout import SENSITIVE_SYSTEM_READS, SYSTEM_READ_DIRS, Layout
from codeward.sandbox.limits import SandboxLimits
from codeward.sandbox.report import (
    BehaviourReport,
    CodeEvent,
    CredentialTouch,
    FileChange,
    FileEvent,
    Isolation,
    LimitHit,
    NetworkEvent,
    PersistenceWrite,
    ProcessEvent,
)
from codeward.sandbox.tracers.events import Observation

MAX_LISTED = 200
_TERMINALS = frozenset({"/dev/null", "/dev/tty", "/dev/stdout", "/dev/stderr", "/dev/stdin"})
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "fish", "busybox"}
_BLOCK_DEVICE = re.compile(
    r"^/dev/(sd[a-z]|nvme\d|vd[a-z]|xvd[a-z]|hd[a-z]|mmcblk\d|disk/|mapper/|md\d|dm-\d)"
)
_ESCAPE_TOOLS = frozenset(
    [
        "unshare",
        "nsenter",
        "mount",
        "umount",
        "chroot",
        "pivot_root",
        "gdb",
        "strace",
        "ltrace",
        "insmod",
        "modprobe",
        "rmmod",
        "keyctl",
        "setcap",
        "capsh",
        "su",
        "sudo",
        "pkexec",
        "newuidmap",
        "newgidmap",
    ]
)
_PROC_WRITE = re.compile(
    r"^/proc/(?:\d+|self|thread-self)/(?:task/\d+/)?(?:mem|attr/|setgroups|[ug]id_map)|^/proc/sys/"
)
_ALIAS_TRAP = re.compile(
    r"\balias\s+(sudo|su|ls|cd|ssh|git|cat|rm|cp|mv|python3?|pip)\s*=|\b(sudo|ssh|git)\s*\(\)\s*\{"
)
_MEMORY_WORDS = re.compile(
    rb"MemoryError|Cannot allocate memory|xmalloc: cannot allocate|out of memory", re.I
)
_FORK_WORDS = re.compile(
    rb"fork: retry: Resource temporarily unavailable|fork: Resource temporarily unavailable|Cannot fork"
)


@dataclass(slots=True)
class RunRecord:
    """Everything the supervisor collected from one run, before interpretation."""

    language: str
    layout: Layout
    limits: SandboxLimits
    isolation: Isolation
    exit_code: int | None
    signal: str | None
    duration_ms: float
    timed_out: bool
    stdout: bytes
    stderr: bytes
    stdout_total: int
    stderr_total: int
    output_capped: bool
    canary: CanarySet
    home_decoys: dict[str, Decoy]
    project_decoys: dict[str, Decoy]
    observations: list[Observation] = field(default_factory=list)
    forged: int = 0
    dropped: int = 0
    home_changes: list[FileChange] = field(default_factory=list)
    project_changes: list[FileChange] = field(default_factory=list)
    spool_changes: list[FileChange] = field(default_factory=list)
    cgroup: CgroupUsage | None = None
    disk_full: bool = False
    project_secrets_complete: bool = True
    audit_ended: bool | None = None
    """Whether the audit channel carried the runner's end marker; None without the audit hook."""


class _Findings:
    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(
        self,
        rule: str,
        capability_name: str,
        evidence: str,
        message: str,
        *,
        target: str | None = None,
        scope: str | None = None,
        severity: Severity | None = None,
        confidence: Confidence = Confidence.HIGH,
    ) -> None:
        self.items.append(
            Finding(
                rule_id=rule,
                capability=capability_name,
                target=target,
                scope=scope,
                severity=severity or capability(capability_name).severity,
                confidence=confidence,
                source=FindingSource.SANDBOX,
                evidence=redact(evidence)[:300],
                message=message,
            )
        )


def _read_by_the_system(path: str) -> bool:
    text = posixpath.normpath(path)
    return any(text == d or text.startswith(d + "/") for d in SYSTEM_READ_DIRS)


def interpret(record: RunRecord) -> BehaviourReport:
    layout = record.layout
    findings = _Findings()
    lines: list[str] = []
    preview: list[str] = []
    observations = _deduplicate(o for o in record.observations if not _internal(o, layout))

    report = BehaviourReport(
        language=record.language,
        exit_code=record.exit_code,
        signal=record.signal,
        duration_ms=round(record.duration_ms, 2),
        timed_out=record.timed_out,
        isolation=record.isolation,
        forged_events=record.forged,
        events_dropped=record.dropped,
        home_diff=record.home_changes[:MAX_LISTED],
        project_diff=record.project_changes[:MAX_LISTED],
        stdout_bytes=record.stdout_total,
        stderr_bytes=record.stderr_total,
        stdout=_shown_output(record.stdout, record.canary),
        stderr=_shown_output(record.stderr, record.canary),
    )
    _file_events(report, observations, layout)
    _limits_hit(report, record, observations, findings, lines)
    _home(report, record, findings, lines)
    _project(report, record, findings, lines, preview)
    _system(report, observations, layout, findings, lines)
    touched = _credentials(report, record, observations, findings, lines)
    _persistence(report, record, observations, findings, lines)
    _network(report, observations, findings, lines, touched)
    _processes(report, record, observations, findings, lines)
    _code(report, observations, findings, lines)
    if record.forged:
        findings.add(
            "sandbox.tamper.forged-events",
            "sys.security_disable",
            f"{record.forged} line(s) on the audit pipe without the run's key",
            "The snippet wrote fake events into codeward's audit channel.",
            confidence=Confidence.MEDIUM,
        )
        lines.append(f"wrote {record.forged} forged line(s) into the audit channel (dropped)")
    ending = "was stopped" if record.timed_out else f"exited with status {record.exit_code}"
    if record.signal:
        ending = f"was killed by {record.signal}"
    lines.append(f"{ending} after {report.duration_ms:.0f} ms")
    report.observations = lines
    report.preview = preview
    report.findings = findings.items
    report.limits = _honest_limits(record, observations)
    return report


# ---------------------------------------------------------------------------------------------- events
def _internal(observation: Observation, layout: Layout) -> bool:
    if observation.name == "exec":
        return any(arg.startswith("/run/codeward/") or arg == "codeward-sandbox" for arg in observation.args)
    if (
        observation.name in ("read", "write", "delete", "rmdir", "mkdir", "chmod", "truncate")
        and observation.args
    ):
        return layout.internal(observation.args[0])
    return False


def _deduplicate(observations: Iterable[Observation]) -> list[Observation]:
    seen: set[tuple[str, tuple[str, ...], str]] = set()
    unique = []
    for observation in observations:
        key = (observation.name, observation.args, observation.result)
        if key in seen:
            continue
        seen.add(key)
        unique.append(observation)
    return unique


_FILE_ACTIONS = {
    "read": ("files_read", "read"),
    "write": ("files_written", "write"),
    "mkdir": ("files_written", "mkdir"),
    "truncate": ("files_written", "truncate"),
    "link": ("files_written", "link"),
    "delete": ("files_deleted", "delete"),
    "rmdir": ("files_deleted", "delete"),
    "rmtree": ("files_deleted", "delete"),
    "rename": ("files_renamed", "rename"),
    "chmod": ("files_chmodded", "chmod"),
    "chown": ("files_chmodded", "chown"),
}


def _file_events(report: BehaviourReport, observations: list[Observation], layout: Layout) -> None:
    for observation in observations:
        if observation.name not in _FILE_ACTIONS or not observation.args:
            continue
        section, action = _FILE_ACTIONS[observation.name]
        path = observation.args[0]
        if observation.name == "read" and layout.quiet(path) and path not in SENSITIVE_SYSTEM_READS:
            continue
        if path in _TERMINALS:
            continue
        listed: list[FileEvent] = getattr(report, section)
        if len(listed) >= MAX_LISTED:
            report.events_dropped += 1
            continue
        to = (
            observation.args[1]
            if observation.name in ("rename", "link") and len(observation.args) > 1
            else None
        )
        listed.append(
            FileEvent(
                action=action,
                path=path,
                to=to,
                result=observation.result,
                scope=layout.scope(path),
                source=observation.source,
                verified=observation.verified,
            )
        )


def _quote(observation: Observation) -> str:
    args = ", ".join(repr(arg) for arg in observation.args[:4])
    result = f" = {observation.result}" if observation.result else ""
    return f"{observation.source}: {observation.name}({args}){result}"


# ---------------------------------------------------------------------------------------------- limits
def _limits_hit(
    report: BehaviourReport,
    record: RunRecord,
    observations: list[Observation],
    findings: _Findings,
    lines: list[str],
) -> None:
    limits = record.limits
    usage = record.cgroup
    exceptions = [o for o in observations if o.name == "exception"]
    fork_refused = any(o.name == "fork" and o.result == "EAGAIN" for o in observations) or any(
        o.args[:1] == ("BlockingIOError",) for o in exceptions
    )

    def hit(limit: str, detail: str, rule: str, capability_name: str, severity: Severity, line: str) -> None:
        report.limits_hit.append(LimitHit(limit=limit, detail=detail))
        findings.add(
            rule,
            capability_name,
            detail,
            f"The snippet hit the sandbox's {limit.replace('_', ' ')} limit.",
            severity=severity,
            confidence=Confidence.MEDIUM,
        )
        lines.append(line)

    if (usage and usage.pids_limit_hits) or fork_refused or _FORK_WORDS.search(record.stderr):
        count = usage.pids_limit_hits if usage else 0
        hit(
            "processes",
            f"process creation refused at the limit of {limits.processes}"
            + (f" ({count} refusals counted by the pids cgroup)" if count else ""),
            "sandbox.resource.processes",
            "resource.fork_bomb",
            Severity.CRITICAL,
            f"hit the process limit ({limits.processes}): it spawns processes without bound",
        )
    if record.timed_out:
        hit(
            "wall_time",
            f"still running after {limits.wall_seconds:g} s; stopped",
            "sandbox.resource.time",
            "resource.exhaustion",
            Severity.LOW,
            f"did not finish within {limits.wall_seconds:g} s: what it does after that is unknown",
        )
    if record.signal == "SIGXCPU":
        hit(
            "cpu_time",
            f"killed by SIGXCPU after {limits.cpu_seconds} s of CPU time",
            "sandbox.resource.cpu",
            "resource.exhaustion",
            Severity.LOW,
            f"used up its CPU time ({limits.cpu_seconds} s)",
        )
    memory_error = any(o.args[:1] == ("MemoryError",) for o in exceptions) or _MEMORY_WORDS.search(
        record.stderr
    )
    if (usage and (usage.oom_kills or usage.memory_limit_hits)) or memory_error:
        which = "memory" if usage and (usage.oom_kills or usage.memory_limit_hits) else "address_space"
        size = limits.memory_bytes if which == "memory" else limits.address_space_bytes
        hit(
            which,
            f"allocation refused at the {which.replace('_', ' ')} limit of {size // (1024 * 1024)} MiB"
            + (" (the kernel killed it)" if usage and usage.oom_kills else ""),
            "sandbox.resource.memory",
            "resource.exhaustion",
            Severity.LOW,
            f"hit the memory limit ({size // (1024 * 1024)} MiB)",
        )
    file_too_big = record.signal == "SIGXFSZ" or any(o.args[1:2] == ("27",) for o in exceptions)
    if file_too_big:
        hit(
            "file_size",
            f"a write past the file-size limit of {limits.file_size_bytes // (1024 * 1024)} MiB",
            "sandbox.resource.disk",
            "resource.exhaustion",
            Severity.LOW,
            f"tried to write a file larger than {limits.file_size_bytes // (1024 * 1024)} MiB",
        )
    if record.disk_full or any(o.args[1:2] == ("28",) for o in exceptions):
        hit(
            "disk",
            f"the run's writable space ({limits.writable_bytes // (1024 * 1024)} MiB) filled up",
            "sandbox.resource.disk",
            "resource.exhaustion",
            Severity.LOW,
            f"filled the sandbox's writable space ({limits.writable_bytes // (1024 * 1024)} MiB)",
        )
    if record.output_capped:
        hit(
            "output",
            f"more than {limits.output_bytes // 1024} KiB on stdout or stderr; stopped",
            "sandbox.resource.output",
            "resource.exhaustion",
            Severity.LOW,
            f"printed more than {limits.output_bytes // 1024} KiB; stopped",
        )


# ---------------------------------------------------------------------------------------------- file system
def _top(path: str, root: str) -> str:
    rest = path[len(root) :].lstrip("/")
    first = rest.split("/", 1)[0]
    return f"{root.rstrip('/')}/{first}" if first else root


def _home(report: BehaviourReport, record: RunRecord, findings: _Findings, lines: list[str]) -> None:
    layout = record.layout
    gone = [c for c in record.home_changes if c.change == "deleted"]
    if not gone:
        return
    total = sum(c.files for c in gone)
    top_level = {_top(c.path, layout.home) for c in gone}
    decoy_tops = {_top(f"{layout.home}/{relative}", layout.home) for relative in record.home_decoys}
    everything = len(top_level) >= max(3, len(decoy_tops) - 1)  # (nearly) all of the home went
    target = "~" if everything else layout.shown(sorted(top_level)[0]) if len(top_level) == 1 else "~"
    recursive = everything or any(c.kind == "dir" for c in gone) or total >= 3
    sensitive = [
        c
        for c in gone
        if record.home_decoys.get(c.path[len(layout.home) :].lstrip("/"), None) is not None
        and record.home_decoys[c.path[len(layout.home) :].lstrip("/")].capability
    ]
    evidence = (
        "deleted " + ", ".join(layout.shown(c.path) for c in gone[:4]) + (" …" if len(gone) > 4 else "")
    )
    findings.add(
        "sandbox.fs.delete-home",
        "fs.delete.recursive" if recursive else "fs.delete",
        evidence,
        f"The snippet deleted {total} file(s) of the (decoy) home directory.",
        target=target,
        scope="home",
    )
    if sensitive and not recursive:
        findings.add(
            "sandbox.fs.delete-home",
            "fs.delete.sensitive",
            evidence,
            "The snippet deleted credential files from the (decoy) home directory.",
            target=layout.shown(sensitive[0].path),
            scope="credential",
        )
    what = (
        "the whole decoy home (~)"
        if everything
        else ", ".join(layout.shown(p) for p in sorted(top_level)[:3])
    )
    lines.append(f"deleted {total} file(s) in the decoy home: {what}")


def _project(
    report: BehaviourReport, record: RunRecord, findings: _Findings, lines: list[str], preview: list[str]
) -> None:
    project = record.layout.project
    if project is None:
        return
    layout = record.layout
    removed = [c for c in record.project_changes if c.change in ("deleted", "replaced")]
    by_top: dict[str, int] = defaultdict(int)
    dirs: set[str] = set()
    for change in removed:
        top = _top(change.path, project)
        by_top[top] += change.files
        if change.kind == "dir" or top != change.path:
            dirs.add(top)
    for top, files in sorted(by_top.items(), key=lambda item: -item[1]):
        shown = layout.shown(top)
        if top in dirs:
            sentence = (
                f"would delete {files} file(s) under {shown}"
                if files != 1
                else f"would delete {shown}/ (1 file)"
            )
        else:
            sentence = f"would delete {shown}"
        preview.append(sentence)
        findings.add(
            "sandbox.fs.delete-project-files",
            "fs.delete.recursive" if top in dirs else "fs.delete",
            sentence,
            f"Run for real, the snippet would delete {files} file(s) of the project ({shown}).",
            target=shown,
            scope="project",
        )
    written = [c for c in record.project_changes if c.change in ("created", "modified", "metadata")]
    created = [c for c in written if c.change == "created" and c.kind == "file"]
    modified = [c for c in written if c.change in ("modified", "metadata")]
    if created:
        tops = Counter(layout.shown(_top(c.path, project)) for c in created)
        place, _ = tops.most_common(1)[0]
        where = (
            f"under {place}"
            if len(tops) == 1 and place.count("/") >= 1 and _top(created[0].path, project) != created[0].path
            else "in the project"
        )
        preview.append(f"would create {len(created)} file(s) {where}")
    if modified:
        names = ", ".join(layout.shown(c.path) for c in modified[:3]) + (" …" if len(modified) > 3 else "")
        preview.append(f"would modify {len(modified)} file(s): {names}")
    if written:
        findings.add(
            "sandbox.fs.write-project",
            "fs.write",
            "; ".join(preview[-2:]),
            "Run for real, the snippet would write files in the project.",
            target="./",
            scope="project",
        )
    lines.extend(preview)


def _system(
    report: BehaviourReport,
    observations: list[Observation],
    layout: Layout,
    findings: _Findings,
    lines: list[str],
) -> None:
    deletes = [
        o
        for o in observations
        if o.name in ("delete", "rmdir", "rmtree")
        and o.args
        and layout.scope(o.args[0]) in ("root", "system", "outside")
    ]
    if deletes:
        at_root = any(
            posixpath.dirname(layout.normalise(o.args[0])) == "/" or o.args[0] == "/" for o in deletes
        )
        target = "/" if at_root else _common_top(o.args[0] for o in deletes)
        refused = Counter(o.result for o in deletes if o.result and o.result != "ok")
        how = f" (refused: {', '.join(refused)})" if refused else ""
        findings.add(
            "sandbox.fs.delete-system",
            "fs.delete.recursive"
            if at_root or len(deletes) > 1 or deletes[0].name != "delete"
            else "fs.delete",
            _quote(deletes[0]),
            f"The snippet tried to delete {len(deletes)} path(s) outside the project and home{how}.",
            target=target,
            scope="root" if at_root else "system",
        )
        lines.append(f"tried to delete {len(deletes)} path(s) under {target}{how}")
    devices = [o for o in observations if o.name == "write" and o.args and _BLOCK_DEVICE.match(o.args[0])]
    if devices:
        findings.add(
            "sandbox.disk.overwrite-device",
            "disk.overwrite",
            _quote(devices[0]),
            "The snippet opened a block device for writing.",
            target=devices[0].args[0],
            scope="device",
        )
        lines.append(f"tried to write to the block device {devices[0].args[0]}")
    writes = [
        o
        for o in observations
        if o.name in ("write", "mkdir", "truncate", "link", "rename")
        and o.args
        and layout.scope(o.args[-1] if o.name == "rename" else o.args[0]) == "system"
        and not o.args[0].startswith(("/proc/", "/dev/"))
        and persistence_capability(None, o.args[0]) is None
    ]
    loaded = [o for o in writes if _read_by_the_system(o.args[-1] if o.name == "rename" else o.args[0])]
    if loaded:
        findings.add(
            "sandbox.fs.write-system",
            "fs.write.system",
            _quote(loaded[0]),
            f"The snippet tried to write {len(loaded)} system path(s).",
            target=_common_top(o.args[0] for o in loaded),
            scope="system",
        )
        lines.append(f"tried to write {len(loaded)} system path(s), e.g. {loaded[0].args[0]}")
    elif writes:  # a new file parked under /usr, /var or /opt: nothing reads it on its own
        findings.add(
            "sandbox.fs.write-system",
            "fs.write",
            _quote(writes[0]),
            f"The snippet wrote {len(writes)} file(s) under system folders where nothing reads them on its own.",
            target=_common_top(o.args[0] for o in writes),
            scope="system",
            severity=Severity.MEDIUM,
        )
        lines.append(f"wrote {len(writes)} file(s) under system folders, e.g. {writes[0].args[0]}")
    proc_writes = [o for o in observations if o.name == "write" and o.args and _PROC_WRITE.match(o.args[0])]
    if proc_writes:
        findings.add(
            "sandbox.escape.proc-write",
            "proc.sandbox_escape",
            _quote(proc_writes[0]),
            "The snippet opened another process's memory or the kernel's settings under /proc for writing.",
            target=proc_writes[0].args[0],
            scope="system",
        )
        lines.append(f"tried to write {proc_writes[0].args[0]} ({proc_writes[0].result or 'refused'})")
    permissive = [o for o in observations if o.name == "chmod" and len(o.args) > 1 and _permissive(o.args[1])]
    if permissive:
        findings.add(
            "sandbox.fs.chmod-permissive",
            "fs.chmod.permissive",
            _quote(permissive[0]),
            "The snippet made files world-writable or setuid.",
            target=layout.shown(permissive[0].args[0]),
            scope=layout.scope(permissive[0].args[0]),
        )
        lines.append(
            f"made {len(permissive)} path(s) world-writable or setuid, e.g. {layout.shown(permissive[0].args[0])}"
        )


def _permissive(mode: str) -> bool:
    text = mode.strip().lower().removeprefix("0o")
    try:
        value = int(text, 8)
    except ValueError:
        return False
    return bool(value & 0o4002 or value & 0o2000)


def _common_top(paths: Iterable[str]) -> str:
    tops = Counter("/" + p.lstrip("/").split("/", 1)[0] for p in paths)
    return tops.most_common(1)[0][0] if tops else "/"


# ---------------------------------------------------------------------------------------------- credentials
def _credentials(
    report: BehaviourReport,
    record: RunRecord,
    observations: list[Observation],
    findings: _Findings,
    lines: list[str],
) -> bool:
    layout = record.layout
    touches: dict[tuple[str, str], CredentialTouch] = {}

    def touch(path: str, decoy: Decoy, how: str, source: str) -> None:
        if decoy.capability is None:
            return
        key = (path, how)
        if key not in touches:
            touches[key] = CredentialTouch(path=path, capability=decoy.capability, how=how, source=source)

    def decoy_at(path: str) -> Decoy | None:
        path = layout.normalise(path)
        if layout.project and path.startswith(layout.project.rstrip("/") + "/"):
            return record.project_decoys.get(path[len(layout.project) :].lstrip("/"))
        if path.startswith(layout.home.rstrip("/") + "/"):
            return record.home_decoys.get(path[len(layout.home) :].lstrip("/"))
        return None

    for observation in observations:
        if observation.name == "read" and observation.args and observation.result in ("", "ok"):
            decoy = decoy_at(observation.args[0])
            if decoy is not None:
                touch(layout.normalise(observation.args[0]), decoy, "read", observation.source)
    for change in record.home_changes + record.project_changes:
        decoy = decoy_at(change.path)
        if decoy is None:
            continue
        how = {"read": "read", "deleted": "deleted", "modified": "modified", "replaced": "deleted"}.get(
            change.change
        )
        if how:
            touch(change.path, decoy, how, "diff")
    printed = record.canary.found_in(
        record.stdout.decode("utf-8", "replace") + record.stderr.decode("utf-8", "replace")
    )
    for where in printed:
        report.credentials.append(
            CredentialTouch(
                path=where, capability=_capability_of(where, record), how="printed", source="supervisor"
            )
        )
    report.credentials.extend(touches.values())
    read = [t for t in touches.values() if t.how == "read"]
    for capability_name in sorted({t.capability for t in read}):
        paths = sorted({layout.shown(t.path) for t in read if t.capability == capability_name})
        in_project = all(layout.scope(t.path) == "project" for t in read if t.capability == capability_name)
        findings.add(
            "sandbox.cred.read-project-secret" if in_project else "sandbox.cred.read-decoy",
            capability_name,
            "read " + ", ".join(paths[:4]),
            "The snippet read "
            + ("the project's secrets (decoys in the sandbox)." if in_project else "decoy credentials."),
            target=paths[0],
            scope="project" if in_project else "credential",
        )
        lines.append(
            f"read {'project secrets' if in_project else 'decoy credentials'}: {', '.join(paths[:4])}"
        )
    if printed:
        findings.add(
            "sandbox.cred.printed-decoy",
            _capability_of(printed[0], record),
            "output contains decoy values from " + ", ".join(printed[:4]),
            "The snippet printed credentials (decoy values in the sandbox) to its output.",
            target=printed[0],
            scope="credential",
        )
        lines.append(f"printed decoy secrets from {', '.join(printed[:4])}")
    return bool(read or printed)


def _capability_of(where: str, record: RunRecord) -> str:
    relative = where.removeprefix("~/").removeprefix("./")
    decoy = record.home_decoys.get(relative) or record.project_decoys.get(relative)
    if decoy is not None and decoy.capability:
        return decoy.capability
    return "cred.read.browser" if "browser" in where else "cred.read.env_file"


# ---------------------------------------------------------------------------------------------- persistence
def _persistence(
    report: BehaviourReport,
    record: RunRecord,
    observations: list[Observation],
    findings: _Findings,
    lines: list[str],
) -> None:
    layout = record.layout
    writes: dict[str, PersistenceWrite] = {}
    for change in record.home_changes + record.spool_changes:
        if change.change not in ("created", "modified"):
            continue
        relative = (
            change.path[len(layout.home) :].lstrip("/") if layout.scope(change.path) == "home" else None
        )
        capability_name = persistence_capability(relative, change.path)
        if capability_name is not None and change.kind == "file":
            writes[change.path] = PersistenceWrite(
                path=change.path, capability=capability_name, excerpt=change.excerpt, source="diff"
            )
    for observation in observations:
        if observation.name not in ("write", "rename", "link") or not observation.args:
            continue
        path = layout.normalise(
            observation.args[1]
            if observation.name == "rename" and len(observation.args) > 1
            else observation.args[0]
        )
        relative = path[len(layout.home) :].lstrip("/") if layout.scope(path) == "home" else None
        capability_name = persistence_capability(relative, path)
        if capability_name is not None and path not in writes:
            writes[path] = PersistenceWrite(
                path=path,
                capability=capability_name,
                result=observation.result or "",
                source=observation.source,
            )
    report.persistence = list(writes.values())
    rules = {
        "persist.cron": "sandbox.persist.cron",
        "persist.systemd": "sandbox.persist.systemd",
        "persist.ssh_authorized_keys": "sandbox.persist.ssh-authorized-keys",
        "fs.write.shell_startup": "sandbox.persist.shell-startup",
    }
    for write in writes.values():
        shown = layout.shown(write.path)
        capability_name = write.capability
        rule = rules[capability_name]
        if capability_name == "fs.write.shell_startup" and _ALIAS_TRAP.search(write.excerpt):
            capability_name, rule = "persist.shell_alias", "sandbox.persist.shell-alias"
        outcome = "" if write.result in ("ok", "") else f" (refused: {write.result})"
        text = f"{shown}{outcome}" + (f": {write.excerpt.strip()[:120]!r}" if write.excerpt.strip() else "")
        findings.add(
            rule,
            capability_name,
            f"wrote {text}",
            "The snippet wrote a location that runs code later (persistence).",
            target=shown,
            scope=layout.scope(write.path),
        )
        lines.append(f"wrote {text}")


# ---------------------------------------------------------------------------------------------- network
def _network(
    report: BehaviourReport,
    observations: list[Observation],
    findings: _Findings,
    lines: list[str],
    credentials_touched: bool,
) -> None:
    remote: list[NetworkEvent] = []
    abstract: list[NetworkEvent] = []
    for observation in observations:
        name, args = observation.name, observation.args
        if name in ("connect", "send", "bind") and len(args) >= 3:
            family, address, port = args[0], args[1], args[2]
            event = NetworkEvent(
                action=name,
                family=family,
                address=address,
                port=int(port) if port.isdigit() else None,
                result=observation.result,
                source=observation.source,
                verified=observation.verified,
            )
            report.network.append(event)
            if name != "bind" and family in ("AF_INET", "AF_INET6") and not _loopback(address):
                remote.append(event)
            if name == "connect" and family == "AF_UNIX" and address.startswith("@"):
                abstract.append(event)
        elif name == "socket" and args:
            report.network.append(
                NetworkEvent(
                    action="socket",
                    family=args[0],
                    result=observation.result or "refused",
                    source=observation.source,
                )
            )
            findings.add(
                "sandbox.net.refused-family",
                "proc.sandbox_escape",
                _quote(observation),
                f"The snippet opened a {args[0]} socket; the sandbox allows only AF_UNIX, AF_INET and AF_INET6.",
                target=args[0],
                scope="remote",
            )
            lines.append(f"tried to open an {args[0]} socket (refused by the sandbox's seccomp filter)")
        elif name in ("resolve", "http") and args:
            report.network.append(
                NetworkEvent(
                    action=name,
                    address=args[0],
                    port=int(args[1]) if len(args) > 1 and args[1].isdigit() else None,
                    source=observation.source,
                )
            )
        elif name == "refused-call" and args:
            findings.add(
                "sandbox.escape.refused-call",
                "proc.sandbox_escape",
                _quote(observation),
                f"The snippet called {args[0]}, which the sandbox refuses (namespaces, mounts, tracing, keys, io_uring).",
                target=args[0],
                scope="system",
                confidence=Confidence.MEDIUM,
            )
            lines.append(f"called {args[0]} ({observation.result or 'refused'})")
    if abstract:
        findings.add(
            "sandbox.escape.abstract-socket",
            "proc.sandbox_escape",
            f"connect to the abstract unix socket {abstract[0].address} = {abstract[0].result or '?'}",
            "The snippet tried an abstract unix socket, a way to reach host services (the sandbox's network "
            "namespace has none of the host's).",
            target=abstract[0].address,
            scope="system",
            confidence=Confidence.MEDIUM,
        )
        lines.append(f"tried the abstract unix socket {abstract[0].address} (unreachable from the sandbox)")
    destinations = sorted({f"{e.address}:{e.port}" if e.port is not None else e.address for e in remote})
    for destination in destinations[:5]:
        findings.add(
            "sandbox.net.connect",
            "net.connect.raw",
            f"connect to {destination}",
            f"The snippet tried to reach {destination} (there is no network in the sandbox).",
            target=destination,
            scope="remote",
        )
    if destinations:
        lines.append(
            f"tried to connect to {', '.join(destinations[:3])} (no network in the sandbox: nothing was sent)"
        )
    if destinations and credentials_touched:
        findings.add(
            "sandbox.net.exfiltrate",
            "net.exfiltrate",
            f"read credentials, then connected to {destinations[0]}",
            "The snippet read credentials and tried to send data to a remote host.",
            target=destinations[0],
            scope="remote",
        )
        lines.insert(0, f"read credentials and then tried to reach {destinations[0]}: exfiltration")


def _loopback(address: str) -> bool:
    return address.startswith("127.") or address in ("::1", "localhost", "0.0.0.0", "::")


# ---------------------------------------------------------------------------------------------- processes and code
def _processes(
    report: BehaviourReport,
    record: RunRecord,
    observations: list[Observation],
    findings: _Findings,
    lines: list[str],
) -> None:
    execs = [o for o in observations if o.name == "exec" and o.args]
    for observation in execs[:MAX_LISTED]:
        report.processes.append(
            ProcessEvent(
                argv=[redact(arg)[:200] for arg in observation.args[:32]],
                result=observation.result,
                source=observation.source,
                verified=observation.verified,
            )
        )
    if len(execs) > MAX_LISTED:
        report.events_dropped += len(execs) - MAX_LISTED
    if not execs:
        return
    programs = Counter(os.path.basename(o.args[0]) for o in execs)
    names = ", ".join(name for name, _ in programs.most_common(6))
    lines.append(f"ran {len(execs)} program(s): {names}")
    tools = [o for o in execs if os.path.basename(o.args[0]) in _ESCAPE_TOOLS]
    if tools:
        used = sorted({os.path.basename(o.args[0]) for o in tools})
        findings.add(
            "sandbox.escape.tool",
            "proc.sandbox_escape",
            _quote(tools[0]),
            f"The snippet ran {', '.join(used)}: tools that change namespaces, mounts, privileges or trace processes.",
            target=used[0],
            scope="system",
            confidence=Confidence.MEDIUM,
        )
        lines.append(f"ran {', '.join(used)} (namespaces, mounts, privileges or tracing; contained)")
    if record.language != "python":
        return
    shells = [o for o in execs if os.path.basename(o.args[0]) in _SHELLS]
    if shells:
        findings.add(
            "sandbox.proc.spawn-shell",
            "proc.spawn.shell",
            _quote(shells[0]),
            "The Python snippet ran a shell.",
            target=" ".join(shells[0].args)[:120],
        )
    elif execs:
        findings.add(
            "sandbox.proc.spawn",
            "proc.spawn",
            _quote(execs[0]),
            "The Python snippet started other programs.",
            target=os.path.basename(execs[0].args[0]),
        )


def _code(
    report: BehaviourReport, observations: list[Observation], findings: _Findings, lines: list[str]
) -> None:
    kinds = {
        "compile": "compile",
        "deserialize": "deserialize",
        "native": "native",
        "introspect": "introspect",
        "exception": "exception",
        "limit": "limit",
    }
    for observation in observations:
        kind = kinds.get(observation.name)
        if kind is None:
            continue
        detail = " ".join(observation.args)
        report.code.append(
            CodeEvent(
                action=kind,
                detail=redact(detail)[:300],
                source=observation.source,
                verified=observation.verified,
            )
        )
    built = [o for o in observations if o.name == "compile"]
    if built:
        source = " ".join(built[0].args[:1]).strip().replace("\n", "; ")
        findings.add(
            "sandbox.exec.dynamic",
            "exec.dynamic",
            f"compiled at run time: {source[:200]}",
            f"The snippet built and ran {len(built)} piece(s) of code at run time.",
            confidence=Confidence.HIGH,
        )
        lines.append(f"built and ran code at run time: {redact(source)[:100]!r}")
    unpickled = [o for o in observations if o.name == "deserialize"]
    if unpickled:
        findings.add(
            "sandbox.exec.deserialize",
            "exec.deserialize",
            _quote(unpickled[0]),
            "The snippet deserialised data in a format that can run code.",
        )
        lines.append(f"deserialised {unpickled[0].args[0] if unpickled[0].args else 'data'}")


# ---------------------------------------------------------------------------------------------- output and limits
def _shown_output(data: bytes, canary: CanarySet, limit: int = 4000) -> str:
    text = data[:limit].decode("utf-8", "replace")
    return redact(canary.mask(text))


def _span(milliseconds: float) -> str:
    return f"{milliseconds:.0f} ms" if milliseconds < 1000 else f"{milliseconds / 1000:.1f} s"


def _honest_limits(record: RunRecord, observations: list[Observation]) -> list[str]:
    limits = [
        f"Observed for {_span(record.duration_ms)} only: code that waits for a date, a signal, "
        "a network reply or a file that is not here did not show what it would do.",
        "No network: connection attempts are recorded, none can succeed, so what a server would have "
        "sent back, and what the code would then have done, is unknown.",
    ]
    tracers = record.isolation.tracers
    if "strace" not in tracers:
        limits.append(
            "Traced by the Python audit hook only: it is telemetry inside the snippet's process; ctypes, "
            "raw system calls and C extensions bypass it (the file-system diff still shows their effect)."
        )
        if any(o.name == "native" for o in observations):
            limits.append("The snippet loaded native code, which the audit hook cannot follow.")
    else:
        limits.append(
            "strace records the system calls the sandbox allowed; calls its seccomp filter refused "
            "(AF_VSOCK sockets, ptrace, mount, io_uring …) fail before strace sees them."
        )
    if record.audit_ended is False and not record.timed_out and not record.output_capped:
        limits.append(
            "The audit channel did not carry the runner's end marker (the snippet closed it, or left "
            "through os._exit or a signal): events after that point may be missing."
        )
    if any(o.name == "introspect" for o in observations):
        limits.append(
            "The snippet used introspection that can reach the audit hook: later hook events may be incomplete."
        )
    if any(not o.verified for o in observations):
        limits.append(
            "Some events came from child interpreters, which do not hold the run's key: they are reported as unverified."
        )
    limits.append(
        "The snippet ran as an unprivileged user in a clean environment (no real credentials, tokens or "
        "session variables): code that depends on them behaves differently for real."
    )
    if record.layout.project is not None and not record.project_secrets_complete:
        limits.append("The project was large: not every file was checked for secrets to swap for decoys.")
    if record.cgroup is None:
        limits.append(
            "No per-run cgroup here: processes and memory were bounded by rlimits inside the sandbox only."
        )
    return limits
