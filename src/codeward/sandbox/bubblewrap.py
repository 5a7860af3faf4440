"""The bubblewrap backend: prepare a run, start it (now, or ahead of time for the warm pool), collect, report.

One run, in order: a per-run cgroup; the launcher (see launcher.py) mounts a size-capped tmpfs
holding the decoy home, the overlay's upper layer over the project, the crontab spool, the
snippet and the traces; bwrap starts the interpreter, which waits on a pipe; the supervisor
snapshots the decoy home, writes the snippet, says go, reads stdout, stderr and the audit pipe
under a wall-clock deadline and output caps, then reads the traces and diffs through
`/proc/<launcher>/root`, and releases the launcher, whose mounts vanish with it.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import selectors
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from codeward.errors import SandboxError, SandboxUnavailable
from codeward.sandbox import launcher, seccomp
from codeward.sandbox.behaviour import RunRecord, interpret
from codeward.sandbox.cgroups import RunCgroup, controller_roots
from codeward.sandbox.decoys import (
    CRON_SPOOL,
    HOME_DIRS,
    CanarySet,
    Decoy,
    canaries,
    home_decoys,
    project_decoys,
)
from codeward.sandbox.diff import Entry, copy_project, overlay_changes, snapshot, snapshot_changes
from codeward.sandbox.host import Host, detect
from codeward.sandbox.layout import INTERNAL, Layout
from codeward.sandbox.limits import SandboxLimits
from codeward.sandbox.report import BehaviourReport, Isolation
from codeward.sandbox.tracers import strace
from codeward.sandbox.tracers.audit import HOOK_DIRECTORY, AuditStream

LANGUAGES = {
    "python": "python",
    "python3": "python",
    "py": "python",
    "bash": "bash",
    "shell": "bash",
    "sh": "sh",
}
NEEDS_STRACE = re.compile(
    r"\b(ctypes|_posixsubprocess|cffi|subprocess|os\.(system|popen|exec\w*|spawn\w*|posix_spawn\w*|fork)|pty|"
    r"multiprocessing|__import__|exec|eval|compile|marshal|base64|codecs|zlib)\b"
)
"""Python that can act outside the audit hook's view (native code, other processes, decoded code) is also straced."""

_FD_AUDIT_KEY, _SHELL_WRAPPER_MARK = "CODEWARD_AUDIT_KEY_FD", "codeward-sandbox"
_SHELL_WRAPPER = (
    'ulimit -c 0 -t "$2" -v "$3" -f "$4" -u "$5" -n "$6" && ulimit -S -t "$1" || exit 125; '
    'read -r _ <&"$7"; eval "exec 9<&$7 $7<&-"; shift 7; '
    # bash snippets run in a subshell of this one (a fork, no exec: no second start-up to trace)
    'if [ "$1" = /bin/bash ]; then (exec 9<&-; f=$2; shift 2; . "$f"); else "$@" 9<&-; fi; s=$?; '
    # linger while the snippet's other processes live (this shell is pid 1 of the namespace);
    # `read -t` on the go pipe, which the supervisor keeps open, is a sleep without a process
    "while set -- /proc/[0-9]*; [ $# -gt 1 ]; do read -r -t 0.02 -u 9 _; done; exit $s"
)
"""Sets the limits, waits for go, runs the snippet, then waits for what it left running (a background
job, a double fork): when this shell exits, the namespace's init kills whatever is left, so a fork
bomb or a daemon would otherwise vanish unobserved."""
_KILL_GRACE = 3.0
"""Seconds a killed sandbox has to be gone before its launcher is killed too."""
_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_LOCALE = "C.utf8"
"""UTF-8 text, everything else as in C (which is what C.UTF-8 has in its other categories), under the
name glibc finds on disk: `LANG=C.UTF-8` made every process open ~24 locale files, half of them
missing (C.UTF-8, then C.utf8, per category), each a stop under strace: 115 opens for `ls | wc`
with their bash, 30 now."""


@dataclass(slots=True)
class SandboxRun:
    """A started sandbox waiting for its snippet (or already given one)."""

    language: str
    tracers: list[str]
    layout: Layout
    view: str
    launch: launcher.Launch
    cgroup: RunCgroup | None
    canary: CanarySet
    home: dict[str, Decoy]
    project: dict[str, Decoy]
    project_complete: bool
    go: int
    audit: int | None
    audit_key: str
    idmapped: bool
    started: float
    home_before: dict[str, Entry] = field(default_factory=dict)
    project_copy: bool = False
    """The project view is a copy in the run's tmpfs (no overlayfs here), diffed against `project_before`."""
    project_before: dict[str, Entry] = field(default_factory=dict)
    home_skip: frozenset[str] = frozenset()


class BubblewrapSandbox:
    """Runs snippets under bubblewrap. Build one and reuse it; `warm` keeps started sandboxes ready."""

    name = "bubblewrap"

    def __init__(
        self,
        limits: SandboxLimits | None = None,
        *,
        trace: str = "auto",
        sandbox_uid: int | None = None,
        runtime_dir: str | None = None,
        strace_seccomp_bpf: bool = True,
        project_view: str = "auto",
    ) -> None:
        if trace not in ("auto", "always", "never"):
            raise ValueError("trace must be auto, always or never")
        if project_view not in ("auto", "overlay", "copy"):
            raise ValueError("project_view must be auto, overlay or copy")
        self.project_view = project_view
        """auto: overlayfs, falling back to a copy (for good) the first time the kernel refuses the overlay."""
        self.limits = limits or SandboxLimits()
        self.trace = trace
        self.strace_seccomp_bpf = strace_seccomp_bpf
        self._sandbox_uid = sandbox_uid
        self._host: Host | None = None
        self.runtime = Path(runtime_dir or _default_runtime_dir())
        self._cgroup_roots: dict[str, Path] | bool | None = False
        self._seccomp: bytes | None = None
        self._python_runtime: Path | None = None
        self._idmap: dict[tuple[int, int], int] = {}
        self._lock = threading.Lock()

    @property
    def host(self) -> Host:
        """What this machine offers, detected on first use (a few ms), so that an unused sandbox costs nothing."""
        if self._host is None:
            self._host = detect(sandbox_uid=self._sandbox_uid)
        return self._host

    @property
    def _roots(self) -> dict[str, Path] | None:
        if self._cgroup_roots is False:
            self._cgroup_roots = controller_roots() if self.host.root else None
        return self._cgroup_roots if isinstance(self._cgroup_roots, dict) else None

    # ------------------------------------------------------------------ SandboxBackend
    def available(self) -> tuple[bool, str]:
        problem = self.host.problem()
        if problem is not None:
            return False, problem
        try:
            self._filter()
        except SandboxUnavailable as error:
            return False, str(error)
        return True, f"bubblewrap {self.host.bwrap_version}" + (
            ""
            if self.host.strace
            else " (strace missing: shell snippets are observed through the file-system diff only)"
        )

    def language_of(self, language: str | None) -> str:
        normalised = LANGUAGES.get((language or "").lower())
        if normalised is None:
            raise SandboxError(f"the sandbox runs python, bash and sh, not {language or 'unknown'}")
        return normalised

    def tracers_for(self, language: str, code: str) -> list[str]:
        tracers = ["audit-hook"] if language == "python" else []
        wants_strace = self.trace == "always" or (
            self.trace == "auto" and (language != "python" or NEEDS_STRACE.search(code) is not None)
        )
        if wants_strace and self.trace != "never" and self.host.strace is not None:
            tracers.append("strace")
        return tracers

    def start(self, language: str, project: str | None, tracers: list[str]) -> SandboxRun:
        """Start a sandbox that waits for its snippet (the warm pool calls this ahead of time)."""
        problem = self.host.problem()
        if problem is not None:
            raise SandboxUnavailable(problem)
        try:
            return self._start(language, project, tracers)
        except SandboxError as error:
            if project is None or self.project_view != "auto" or "overlay" not in str(error):
                raise
            self.project_view = "copy"
            return self._start(language, project, tracers)

    def execute(
        self,
        run: SandboxRun,
        code: str,
        *,
        timeout: float,
        warm: bool = False,
        cleanup: Callable[[SandboxRun], None] | None = None,
    ) -> BehaviourReport:
        """Give a started sandbox its snippet; wait, collect and report. Always cleans the run up.

        `cleanup` (default: `discard`, in this thread) lets a caller tear the run down after it has
        its report: by then every process of the run has ended, only the mounts and cgroup remain.
        """
        try:
            return self._execute(run, code, timeout=timeout, warm=warm)
        finally:
            (cleanup or self.discard)(run)

    def discard(self, run: SandboxRun) -> None:
        run.launch.kill()
        for fd in (run.go, run.audit):
            if fd is not None and fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        run.go, run.audit = -1, None
        run.launch.close()
        if run.cgroup is not None:
            run.cgroup.close()
        with contextlib.suppress(OSError):
            os.rmdir(run.view)

    # ------------------------------------------------------------------ preparing
    def _filter(self) -> bytes:
        if self._seccomp is None:
            self._seccomp = seccomp.filter_program()
        return self._seccomp

    def _start(self, language: str, project: str | None, tracers: list[str]) -> SandboxRun:
        host = self.host
        layout = Layout(home=host.home, project=project, cwd=project or host.home)
        self.runtime.mkdir(mode=0o755, parents=True, exist_ok=True)
        _check_runtime_dir(self.runtime)
        run_id = secrets.token_hex(6)
        view = str(self.runtime / f"run-{run_id}")
        os.mkdir(view, 0o755)
        canary = canaries()
        home = {decoy.path: decoy for decoy in home_decoys(canary, host.user)}
        secrets_found = project_decoys(Path(project), canary) if project else None
        project_secrets = {decoy.path: decoy for decoy in (secrets_found.decoys if secrets_found else [])}
        audit_key = secrets.token_hex(16)

        copy = bool(project) and self.project_view == "copy"
        plan, home_skip, idmapped = self._plan(view, layout, home, project_secrets, copy)
        cgroup = None
        handed: list[int] = []  # the sandbox's ends of the pipes: closed here once the launcher has them
        ours: list[int] = []
        try:
            if self._roots is not None:
                cgroup = RunCgroup(
                    self._roots,
                    f"codeward-run-{run_id}",
                    pids_max=self.limits.processes + 8,
                    memory_bytes=self.limits.memory_bytes,
                )
            seccomp_read = _pipe_with(self._filter(), handed)
            go_read, go_write = os.pipe()
            handed.append(go_read)
            ours.append(go_write)
            audit_read = audit_write = key_read = None
            if language == "python":
                audit_read, audit_write = os.pipe()
                handed.append(audit_write)
                ours.append(audit_read)
                key_read = _pipe_with(audit_key.encode(), handed)
            command = self._command(language, go_read, audit_write, key_read, layout)
            dash = command.index("--")  # bwrap 0.8 reads options from --args FD, never the command
            bwrap_args = self._bwrap_args(view, layout, language, seccomp_read) + command[:dash]
            args_read = _pipe_with(b"".join(arg.encode() + b"\0" for arg in bwrap_args), handed)
            argv = [host.bwrap or "bwrap", "--args", str(args_read), *command[dash:]]
            if "strace" in tracers and host.strace:
                argv = [
                    host.strace,
                    *strace.command(
                        f"{view}/trace/t",
                        # Python is straced only when it can act outside its audit hook (ctypes, other
                        # processes): then every call stops, so that calls the sandbox refuses are seen too
                        seccomp_bpf=self.strace_seccomp_bpf and language != "python",
                    )[1:],
                    *argv,
                ]
            launch = launcher.start(
                argv,
                plan,
                cgroup_tasks=cgroup.tasks if cgroup else [],
                sandbox_ids=host.sandbox_ids if host.root else None,
                pass_fds=handed,
                env={"PATH": _PATH, "LC_CTYPE": _LOCALE},
                one_cpu="strace" in tracers and host.strace is not None,
            )
        except BaseException:
            for fd in ours:
                _close(fd)
            if cgroup is not None:
                cgroup.close()
            _rmdir(view)
            raise
        finally:
            for fd in handed:
                _close(fd)
        run = SandboxRun(
            language=language,
            tracers=tracers,
            layout=layout,
            view=view,
            launch=launch,
            cgroup=cgroup,
            canary=canary,
            home=home,
            project=project_secrets,
            project_complete=secrets_found.complete if secrets_found else True,
            go=go_write,
            audit=audit_read,
            audit_key=audit_key,
            idmapped=idmapped,
            started=time.monotonic(),
            home_skip=home_skip,
            project_copy=copy,
        )
        try:
            launch.wait_started(time.monotonic() + 10)
            run.home_before = snapshot(f"{launch.root}{view}/home", skip=home_skip)
            if copy and project:
                target = f"{launch.root}{view}/project"
                copy_project(
                    project,
                    target,
                    owner=host.sandbox_ids if host.root else None,
                    budget=self.limits.writable_bytes // 2,
                    decoys={path: decoy.content for path, decoy in project_secrets.items()},
                )
                run.project_before = snapshot(target)
        except BaseException:
            self.discard(run)
            raise
        return run

    def _plan(
        self,
        view: str,
        layout: Layout,
        home: dict[str, Decoy],
        project_secrets: dict[str, Decoy],
        copy: bool,
    ) -> tuple[launcher.MountPlan, frozenset[str], bool]:
        host = self.host
        dirs: list[tuple[str, int]] = [("home", 0o700), ("spool", 0o700), ("input", 0o755), ("trace", 0o700)]
        for directory in sorted({str(Path(p).parent) for p in home if "/" in p} | set(HOME_DIRS)):
            parts = directory.split("/")
            for depth in range(1, len(parts) + 1):
                entry = ("home/" + "/".join(parts[:depth]), 0o700)
                if entry not in dirs:
                    dirs.append(entry)
        skip: set[str] = set()
        if layout.project and layout.project.startswith(layout.home.rstrip("/") + "/"):
            parts = layout.project[len(layout.home) :].strip("/").split("/")
            for depth in range(1, len(parts) + 1):
                relative = "/".join(parts[:depth])
                skip.add(relative)
                entry = (f"home/{relative}", 0o755)
                if entry not in dirs:
                    dirs.append(entry)
        files = [
            launcher.SeedFile(
                f"home/{decoy.path}", decoy.content, decoy.mode, read_marker=decoy.capability is not None
            )
            for decoy in home.values()
        ]
        idmapped = False
        idmap_fd = None
        if layout.project and copy:
            dirs.append(("project", 0o755))
        elif layout.project:
            dirs += [("upper", 0o755), ("work", 0o700), ("project", 0o755)]
            for relative in sorted({str(Path(p).parent) for p in project_secrets if "/" in p}):
                parts = relative.split("/")
                for depth in range(1, len(parts) + 1):
                    below = "/".join(parts[:depth])
                    mode = os.lstat(os.path.join(layout.project, below)).st_mode & 0o7777
                    entry = (f"upper/{below}", mode)
                    if entry not in dirs:
                        dirs.append(entry)
            files += [
                launcher.SeedFile(f"upper/{decoy.path}", decoy.content, decoy.mode, read_marker=True)
                for decoy in project_secrets.values()
            ]
            owner = os.stat(layout.project).st_uid
            if host.root and owner != host.sandbox_ids[0]:
                dirs.append(("lower", 0o755))
                idmap_fd = self._idmap_namespace(owner)
                idmapped = True
        plan = launcher.MountPlan(
            view=view,
            tmpfs_bytes=self.limits.writable_bytes,
            tmpfs_inodes=max(4096, self.limits.writable_bytes // 4096),
            owner=host.sandbox_ids,
            dirs=tuple(dirs),
            files=tuple(files),
            project=None if copy else layout.project,
            idmap_userns_fd=idmap_fd,
            userns=None if host.root else host.sandbox_ids,
        )
        return plan, frozenset(skip), idmapped

    def _idmap_namespace(self, owner: int) -> int:
        """A user namespace showing the project's owner as the sandbox uid (created once, kept open)."""
        uid = self.host.sandbox_ids[0]
        with self._lock:
            cached = self._idmap.get((owner, uid))
            if cached is not None:
                return cached
            fd = _user_namespace(owner, uid)
            self._idmap[(owner, uid)] = fd
            return fd

    def _python_files(self) -> Path:
        """The audit hook and runner, copied beside the runs (readable by the sandbox uid) and precompiled."""
        with self._lock:
            if self._python_runtime is not None:
                return self._python_runtime
            import hashlib

            digest = hashlib.sha256()
            sources = sorted(HOOK_DIRECTORY.glob("*.py"))
            for source in sources:
                digest.update(source.read_bytes())
            target = self.runtime / f"python-{digest.hexdigest()[:12]}"
            if not (target / "__pycache__").is_dir():
                staging = self.runtime / f".python-{secrets.token_hex(4)}"
                staging.mkdir(mode=0o755)
                for source in sources:
                    shutil.copyfile(source, staging / source.name)
                    (staging / source.name).chmod(0o644)
                if self.host.python:
                    subprocess.run(
                        [
                            self.host.python,
                            "-I",
                            "-m",
                            "py_compile",
                            *(str(staging / s.name) for s in sources),
                        ],
                        check=False,
                        capture_output=True,
                        timeout=30,
                    )
                for path in staging.rglob("*"):
                    path.chmod(0o755 if path.is_dir() else 0o644)
                try:
                    staging.rename(target)
                except OSError:
                    shutil.rmtree(staging, ignore_errors=True)
            self._python_runtime = target
            return target

    def _command(
        self, language: str, go: int, audit: int | None, key: int | None, layout: Layout
    ) -> list[str]:
        limits = self.limits
        if language == "python":
            python = self.host.python
            if python is None:
                raise SandboxUnavailable("no system Python (/usr/bin/python3) to run Python snippets with")
            env = {
                "PYTHONPATH": f"{INTERNAL}/python",
                "PYTHONDONTWRITEBYTECODE": "1",
                "CODEWARD_AUDIT_FD": str(audit),
                _FD_AUDIT_KEY: str(key),
                "CODEWARD_GO_FD": str(go),
                "CODEWARD_SNIPPET": f"{INTERNAL}/input/snippet.py",
                "CODEWARD_RLIMITS": ",".join(f"{k}={v}" for k, v in limits.rlimits().items()),
            }
            setenv = [item for name, value in env.items() for item in ("--setenv", name, value)]
            return [*setenv, "--", python, "-s", f"{INTERNAL}/python/runner.py"]
        shell = "/bin/sh" if language == "sh" else "/bin/bash"
        return [
            "--",
            "/bin/bash",
            "--noprofile",
            "--norc",
            "-c",
            _SHELL_WRAPPER,
            _SHELL_WRAPPER_MARK,
            str(limits.cpu_seconds),
            str(limits.cpu_seconds + 1),
            str(limits.address_space_bytes // 1024),
            str(limits.file_size_bytes // 1024),
            str(limits.processes),
            str(limits.open_files),
            str(go),
            shell,
            f"{INTERNAL}/input/snippet.sh",
        ]

    def _bwrap_args(self, view: str, layout: Layout, language: str, seccomp_fd: int) -> list[str]:
        host = self.host
        uid, gid = host.inside_ids
        args = ["--unshare-all", "--unshare-user"]
        if host.disable_userns:
            args.append("--disable-userns")
        args += ["--die-with-parent", "--new-session", "--as-pid-1", "--uid", str(uid), "--gid", str(gid)]
        args += ["--hostname", "sandbox", "--clearenv"]
        env = {
            "PATH": _PATH,
            "HOME": layout.home,
            "USER": host.user,
            "LOGNAME": host.user,
            "SHELL": "/bin/bash",
            "LC_CTYPE": _LOCALE,
            "TERM": "dumb",
            "TMPDIR": "/tmp",
            "PWD": layout.cwd,
        }
        for name, value in env.items():
            args += ["--setenv", name, value]
        args += ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
            path = f"/{name}"
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                args += ["--ro-bind", path, path]
        args += ["--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev"]
        args += ["--size", str(16 * 1024 * 1024), "--tmpfs", "/dev/shm"]
        args += ["--size", str(min(64 * 1024 * 1024, self.limits.writable_bytes)), "--tmpfs", "/tmp"]
        args += ["--dir", "/var", "--size", str(16 * 1024 * 1024), "--tmpfs", "/var/tmp"]
        args += ["--bind", f"{view}/spool", CRON_SPOOL]
        args += ["--ro-bind", f"{view}/input", f"{INTERNAL}/input"]
        if language == "python":
            args += ["--ro-bind", str(self._python_files()), f"{INTERNAL}/python"]
        args += ["--bind", f"{view}/home", layout.home]
        if layout.project:
            args += ["--bind", f"{view}/project", layout.project]
        args += [
            "--chdir",
            layout.cwd,
            "--remount-ro",
            "/",
            "--remount-ro",
            "/dev",
            "--seccomp",
            str(seccomp_fd),
        ]
        return args

    # ------------------------------------------------------------------ running
    def _execute(self, run: SandboxRun, code: str, *, timeout: float, warm: bool) -> BehaviourReport:
        launch = run.launch
        suffix = "py" if run.language == "python" else "sh"
        snippet = f"{launch.root}{run.view}/input/snippet.{suffix}"
        fd = os.open(snippet, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            os.write(fd, code.encode("utf-8", "surrogateescape"))
        finally:
            os.close(fd)
        started = time.monotonic()
        os.write(run.go, b"go\n")  # kept open until the run is discarded: the shell wrapper sleeps on it
        collected = _collect(run, timeout=timeout, output_bytes=self.limits.output_bytes)
        duration_ms = (time.monotonic() - started) * 1000
        root = f"{launch.root}{run.view}"
        observations = list(collected.audit.observations) if collected.audit else []
        if "strace" in run.tracers:
            observations += strace.read_traces(f"{root}/trace", "t", default_cwd=run.layout.cwd)
        home_changes = snapshot_changes(run.home_before, f"{root}/home", run.layout.home, skip=run.home_skip)
        project_changes = []
        if run.layout.project and run.project_copy:
            project_changes = snapshot_changes(
                run.project_before, f"{root}/project", run.layout.project.rstrip("/")
            )
        elif run.layout.project:
            project_changes = overlay_changes(
                f"{root}/upper",
                run.layout.project,
                run.layout.project.rstrip("/"),
                seeded={path: decoy.content for path, decoy in run.project.items()},
            )
        spool_changes = snapshot_changes({}, f"{root}/spool", CRON_SPOOL)
        disk = os.statvfs(root)
        usage = run.cgroup.usage() if run.cgroup else None
        status = collected.status
        exit_code, signal_name = _decode_status(status)
        limits = self.limits.model_copy(update={"wall_seconds": timeout})
        record = RunRecord(
            language=run.language,
            layout=run.layout,
            limits=limits,
            isolation=Isolation(
                backend=self.name,
                uid=self.host.sandbox_ids[0],
                seccomp=True,
                cgroup=run.cgroup is not None,
                project_view=_project_view_name(run),
                tracers=[*run.tracers, "file-system diff"],
                warm=warm,
            ),
            exit_code=exit_code,
            signal=None if collected.timed_out and signal_name == "SIGKILL" else signal_name,
            duration_ms=duration_ms,
            timed_out=collected.timed_out,
            stdout=bytes(collected.stdout),
            stderr=bytes(collected.stderr),
            stdout_total=collected.stdout_total,
            stderr_total=collected.stderr_total,
            output_capped=collected.output_capped,
            canary=run.canary,
            home_decoys=run.home,
            project_decoys=run.project,
            observations=observations,
            forged=collected.audit.forged if collected.audit else 0,
            dropped=collected.audit.dropped if collected.audit else 0,
            home_changes=home_changes,
            project_changes=project_changes,
            spool_changes=spool_changes,
            cgroup=usage,
            disk_full=disk.f_bavail == 0 or disk.f_favail == 0,
            project_secrets_complete=run.project_complete,
            audit_ended=collected.audit.ended if collected.audit else None,
        )
        return interpret(record)


@dataclass(slots=True)
class _Collected:
    status: int = 0
    timed_out: bool = False
    output_capped: bool = False
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    stdout_total: int = 0
    stderr_total: int = 0
    audit: AuditStream | None = None


def _collect(run: SandboxRun, *, timeout: float, output_bytes: int) -> _Collected:
    """Read the run's streams until the sandbox is gone; stop it at the deadline or the output cap."""
    collected = _Collected(audit=AuditStream(run.audit_key) if run.audit is not None else None)
    process = run.launch.process
    selector = selectors.DefaultSelector()
    streams = {}
    if process.stdout is not None:
        streams[process.stdout.fileno()] = "stdout"
    if process.stderr is not None:
        streams[process.stderr.fileno()] = "stderr"
    if run.audit is not None:
        streams[run.audit] = "audit"
    for fd, name in streams.items():
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ, name)
    selector.register(run.launch.status, selectors.EVENT_READ, "status")
    deadline = time.monotonic() + timeout
    exit_status: int | None = None
    killed_at: float | None = None
    open_streams = len(streams)
    try:
        while exit_status is None or open_streams:
            now = time.monotonic()
            if exit_status is None and now >= deadline and not collected.timed_out:
                collected.timed_out = True
                run.launch.kill()
            if collected.timed_out or collected.output_capped:
                killed_at = killed_at or now
                if exit_status is None and now - killed_at > _KILL_GRACE:
                    # the sandbox outlived its kill (a stuck tracer): end the launcher, whose death takes it along
                    run.launch.process.kill()
                    exit_status = signal.SIGKILL
                    break
            wait = max(0.0, deadline - now) if not collected.timed_out else 0.5
            if exit_status is not None:
                wait = min(wait, 0.5)
            ready = selector.select(wait)
            if not ready and exit_status is not None:
                break  # streams held open by nothing that will ever write again
            for key, _ in ready:
                name = key.data
                if name == "status":
                    exit_status = run.launch.poll_exit()
                    if exit_status is not None:
                        selector.unregister(key.fd)
                    continue
                try:
                    chunk = os.read(key.fd, 65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    selector.unregister(key.fd)
                    open_streams -= 1
                    continue
                if name == "audit" and collected.audit is not None:
                    collected.audit.feed(chunk)
                elif name in ("stdout", "stderr"):
                    buffer = collected.stdout if name == "stdout" else collected.stderr
                    total = collected.stdout_total if name == "stdout" else collected.stderr_total
                    total += len(chunk)
                    if len(buffer) < output_bytes:
                        buffer += chunk[: output_bytes - len(buffer)]
                    if name == "stdout":
                        collected.stdout_total = total
                    else:
                        collected.stderr_total = total
                    if total > output_bytes and not collected.output_capped:
                        collected.output_capped = True
                        run.launch.kill()
    finally:
        selector.close()
    if collected.audit is not None:
        collected.audit.close()
    collected.status = exit_status if exit_status is not None else 0
    return collected


def _project_view_name(run: SandboxRun) -> Literal["overlay", "idmapped-overlay", "copy", "none"]:
    if not run.layout.project:
        return "none"
    if run.project_copy:
        return "copy"
    return "idmapped-overlay" if run.idmapped else "overlay"


def _decode_status(status: int) -> tuple[int | None, str | None]:
    if os.WIFSIGNALED(status):
        return None, signal.Signals(os.WTERMSIG(status)).name
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    if code is not None and 128 < code < 128 + 65:
        try:
            return code, signal.Signals(code - 128).name  # bwrap reports a signal death as 128+N
        except ValueError:
            return code, None
    return code, None


def _user_namespace(inside: int, outside: int) -> int:
    """An empty user namespace mapping `inside` (as on disk) to `outside`; its descriptor."""
    from codeward.sandbox import kernel

    ready_read, ready_write = os.pipe()
    done_read, done_write = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(ready_read)
            os.close(done_write)  # else the read below never sees the parent let go
            kernel.unshare(kernel.CLONE_NEWUSER)
            os.write(ready_write, b"1")
            os.read(done_read, 1)
        finally:
            os._exit(0)
    try:
        os.close(ready_write)
        os.close(done_read)
        if os.read(ready_read, 1) != b"1":
            raise SandboxError("could not create the user namespace for the project view")
        for name, line in (
            ("uid_map", f"{inside} {outside} 1"),
            ("setgroups", "deny"),
            ("gid_map", f"{inside} {outside} 1"),
        ):
            try:
                with open(f"/proc/{child}/{name}", "w", encoding="ascii") as handle:
                    handle.write(line)
            except OSError:
                if name != "setgroups":
                    raise
        fd = os.open(f"/proc/{child}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        _close(done_write)
        _close(ready_read)
        os.waitpid(child, 0)
    return fd


def _pipe_with(data: bytes, opened: list[int]) -> int:
    """A pipe already holding `data` (small: it must fit the pipe buffer), write end closed."""
    read, write = os.pipe()
    try:
        os.write(write, data)
    finally:
        os.close(write)
    opened.append(read)
    return read


def _close(fd: int | None) -> None:
    if fd is not None and fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)


def _rmdir(path: str) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(path)


def _default_runtime_dir() -> str:
    if os.geteuid() == 0:
        return "/run/codeward-sandbox"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return os.path.join(runtime, "codeward-sandbox")
    return f"/tmp/codeward-sandbox-{os.getuid()}"


def _check_runtime_dir(path: Path) -> None:
    info = path.lstat()
    if not path.is_dir() or path.is_symlink() or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise SandboxError(f"{path} must be a directory owned by this user and writable by no one else")
