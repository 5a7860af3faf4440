"""Start one sandbox: a launcher process that owns the run's mounts, and bwrap (or strace + bwrap) under it.

The launcher is the child that `subprocess.Popen` forks. It joins the run's cgroups (as the
thread it is: see `_launcher`), enters a private mount namespace, mounts a size-capped tmpfs for everything writable (decoy home, the
project's overlay upper layer, traces), then forks the process that drops to the sandbox uid and
execs bwrap. It stays as a child subreaper that reaps every process of the run, tells the
supervisor when the sandbox is gone, and keeps the mounts alive (readable through
`/proc/<launcher>/root`) until the supervisor has read the evidence and releases it.

Everything between fork and exec uses only already-imported modules and plain system calls.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field

from codeward.errors import SandboxError
from codeward.sandbox import kernel


@dataclass(frozen=True, slots=True)
class SeedFile:
    """A file the launcher writes into the run's tmpfs before the sandbox starts."""

    path: str
    """Relative to the view."""
    content: bytes
    mode: int = 0o644
    read_marker: bool = False
    """Set the access time before the modification time, so that the first read moves it (relatime)."""


@dataclass(frozen=True, slots=True)
class MountPlan:
    """What the launcher builds, in its own mount namespace, under `view` (a directory on the host)."""

    view: str
    tmpfs_bytes: int
    tmpfs_inodes: int
    owner: tuple[int, int]
    """uid and gid (as seen from the launcher) that own what it creates: the sandbox's identity."""
    dirs: tuple[tuple[str, int], ...] = ()
    files: tuple[SeedFile, ...] = ()
    project: str | None = None
    """The real project directory: the overlay's read-only lower layer."""
    idmap_userns_fd: int | None = None
    """When set (codeward runs as root), the project is seen through this uid map, owned by the sandbox."""
    userns: tuple[int, int] | None = None
    """When set (codeward is not root), the launcher first enters a user namespace mapping these ids."""


@dataclass(slots=True)
class Launch:
    """A started sandbox, from the supervisor's side."""

    process: subprocess.Popen[bytes]
    status: int
    """Read end: the launcher writes `R <pid>` when the sandbox starts, `X <wait status>` when it is gone."""
    release: int
    """Write end: closing it lets the launcher exit (and its mounts disappear)."""
    sandbox_pid: int = 0
    _buffer: bytes = field(default=b"")

    @property
    def root(self) -> str:
        """The launcher's view of the file system, for reading the run's tmpfs."""
        return f"/proc/{self.process.pid}/root"

    def wait_started(self, deadline: float) -> None:
        line = self._read_line(deadline)
        if not line.startswith("R "):
            self.process.wait()
            raise SandboxError(f"the sandbox launcher failed: {line or 'no answer'}")
        self.sandbox_pid = int(line[2:])

    def poll_exit(self) -> int | None:
        """The sandbox's wait status once its last process is gone, else None (never blocks)."""
        ready, _, _ = select.select([self.status], [], [], 0)
        if not ready:
            return None
        line = self._read_line(None)
        if line.startswith("X "):
            return int(line[2:])
        raise SandboxError(f"the sandbox launcher failed: {line or 'it exited unexpectedly'}")

    def alive(self) -> bool:
        """The launcher is up and the sandbox has not ended (for a warm sandbox that waited)."""
        if self.process.poll() is not None:
            return False
        ready, _, _ = select.select([self.status], [], [], 0)
        return not ready

    def kill(self) -> None:
        if self.sandbox_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.sandbox_pid, signal.SIGKILL)

    def close(self) -> None:
        """Release the launcher, let its mounts go, and reap it."""
        for fd in (self.release, self.status):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.release = self.status = -1
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def _read_line(self, deadline: float | None) -> str:
        while b"\n" not in self._buffer:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.status], [], [], timeout)
            if not ready:
                return ""
            chunk = os.read(self.status, 512)
            if not chunk:
                break
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode(errors="replace")


def start(
    argv: list[str],
    plan: MountPlan,
    *,
    cgroup_tasks: list[str],
    sandbox_ids: tuple[int, int] | None,
    pass_fds: list[int],
    env: dict[str, str],
    one_cpu: bool = False,
) -> Launch:
    """Fork the launcher; `argv` (bwrap, or strace then bwrap) runs under it as the sandbox identity.

    `one_cpu` (with strace) keeps the tracer and everything it traces on the CPU the run starts on:
    each stop hands over between the two, which across two CPUs of a virtual machine means waking
    the other one every time (cold `ls | wc` under strace, median 51-65 -> 45-47 ms here). Only a
    scheduling hint: the snippet may change its own affinity."""
    status_read, status_write = os.pipe()
    release_read, release_write = os.pipe()

    def launcher() -> None:  # runs in the forked child, before exec
        _launcher(argv, plan, cgroup_tasks, sandbox_ids, status_write, release_read, one_cpu)

    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=pass_fds,
            env=env,
            preexec_fn=launcher,
            close_fds=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        for fd in (status_read, status_write, release_read, release_write):
            os.close(fd)
        raise SandboxError(f"could not start the sandbox: {error}") from error
    os.close(status_write)
    os.close(release_read)
    return Launch(process=process, status=status_read, release=release_write)


def _launcher(
    argv: list[str],
    plan: MountPlan,
    cgroup_tasks: list[str],
    sandbox_ids: tuple[int, int] | None,
    status: int,
    release: int,
    one_cpu: bool = False,
) -> None:
    """The launcher's whole life. Returns only in the sandbox's process, which then execs `argv`.

    It joins the run's cgroups first, so that everything the run starts is born inside. It writes
    0 (itself) to each cgroup's `tasks`, not its pid to `cgroup.procs`: a forked child has one
    thread, so that moves the whole process, and moving the calling thread skips the kernel's
    global threadgroup lock (Linux 6.1+), whose write side waits for an RCU grace period when no
    other move happened just before: ~0.4 ms for both controllers instead of 10-15 ms here."""
    try:
        for tasks in cgroup_tasks:
            fd = os.open(tasks, os.O_WRONLY)
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)
        kernel.prctl(kernel.PR_SET_CHILD_SUBREAPER, 1)
        _build_view(plan)
    except BaseException as error:  # report and die: never exec half set up
        _say(status, f"E {type(error).__name__}: {error}")
        os._exit(70)

    child = os.fork()
    if child == 0:
        try:
            _become_sandbox(sandbox_ids)
            cpu = kernel.current_cpu() if one_cpu else -1
            if cpu >= 0:
                with contextlib.suppress(OSError):  # a hint: without it the run is only slower
                    os.sched_setaffinity(0, {cpu})
        except BaseException as error:
            _say(status, f"E {type(error).__name__}: {error}")
            os._exit(71)
        os.close(status)
        os.close(release)
        return  # _posixsubprocess closes the other descriptors and execs argv

    # keep only the two pipes to the supervisor, which learns that exec happened when its error pipe closes
    low = 3
    for keep in sorted((status, release)):
        os.closerange(low, keep)
        low = keep + 1
    os.closerange(low, 65536)
    null = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(null, target)
    if null > 2:
        os.close(null)
    _say(status, f"R {child}")
    _supervise(child, status, release)


def _build_view(plan: MountPlan) -> None:
    if plan.userns is not None:
        uid, gid = plan.userns
        kernel.prctl(kernel.PR_SET_DUMPABLE, 1)
        kernel.unshare(kernel.CLONE_NEWUSER | kernel.CLONE_NEWNS)
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    else:
        kernel.unshare(kernel.CLONE_NEWNS)
    kernel.make_mounts_private()
    kernel.mount(
        "codeward-sandbox",
        plan.view,
        "tmpfs",
        kernel.MS_NOSUID | kernel.MS_NODEV,
        f"size={plan.tmpfs_bytes},nr_inodes={plan.tmpfs_inodes},mode=0755",
    )
    uid, gid = plan.owner
    umask = os.umask(0)  # modes as given at creation, rather than a chmod for each (restored for bwrap)
    try:
        for relative, mode in plan.dirs:
            path = f"{plan.view}/{relative}"
            os.mkdir(path, mode)
            if mode & ~0o1777:  # mkdir leaves set-id bits out
                os.chmod(path, mode)
            os.chown(path, uid, gid)
        for seed in plan.files:
            path = f"{plan.view}/{seed.path}"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, seed.mode)
            try:
                os.write(fd, seed.content)
                os.fchown(fd, uid, gid)
                if seed.read_marker:
                    modified = os.fstat(fd).st_mtime_ns
                    os.utime(fd, ns=(modified - 3_600_000_000_000, modified))
            finally:
                os.close(fd)
    finally:
        os.umask(umask)
    if plan.project is not None:
        lower = plan.project
        if plan.idmap_userns_fd is not None:
            lower = f"{plan.view}/lower"
            kernel.idmapped_bind(plan.project, lower, plan.idmap_userns_fd)
        options = (
            f"lowerdir={_escape(lower)},upperdir={plan.view}/upper,workdir={plan.view}/work,"
            "redirect_dir=off,index=off,metacopy=off,xino=off"
        )
        if plan.userns is not None:
            options += ",userxattr"
        kernel.mount("overlay", f"{plan.view}/project", "overlay", 0, options)


def _escape(path: str) -> str:
    """Overlay options split on commas and colons; a backslash escapes them."""
    return path.replace("\\", "\\\\").replace(",", "\\,").replace(":", "\\:")


def _become_sandbox(sandbox_ids: tuple[int, int] | None) -> None:
    kernel.join_new_session_keyring()
    if sandbox_ids is not None:
        uid, gid = sandbox_ids
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    # set after the uid change, which clears it; dies with the launcher, whatever thread started it
    kernel.prctl(kernel.PR_SET_PDEATHSIG, signal.SIGKILL)


def _supervise(child: int, status: int, release: int) -> None:
    """Reap every process of the run; report the sandbox's exit; hold the mounts until released."""
    child_fd = os.pidfd_open(child)
    sandbox_status = None
    while sandbox_status is None:
        ready, _, _ = select.select([child_fd, release], [], [])
        if release in ready and not os.read(release, 64):
            os.kill(child, signal.SIGKILL)  # the supervisor is gone: so is the sandbox
        sandbox_status = _reap(child)
    _end_orphans()
    _say(status, f"X {sandbox_status}")
    select.select([release], [], [], 30.0)
    for _ in range(50):
        if _reap(-2) == -1:
            break
        select.select([], [], [], 0.02)
    os._exit(0)


def _end_orphans() -> None:
    """Kill and reap what is left of the run: processes orphaned inside the sandbox (say, a bwrap
    killed mid set-up) are reparented to this subreaper, and must not outlive it. Bounded, ~2 s."""
    children = f"/proc/self/task/{os.getpid()}/children"
    for _ in range(400):
        try:
            fd = os.open(children, os.O_RDONLY)
            try:
                left = os.read(fd, 65536).split()
            finally:
                os.close(fd)
        except OSError:
            left = []
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(int(pid), signal.SIGKILL)
        if _reap(-2) == -1 and not left:
            return
        select.select([], [], [], 0.005)


def _reap(child: int) -> int | None:
    """Reap what has exited; the wait status of `child` if it was among them. -1 when nothing is left."""
    found: int | None = None
    while True:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return -1 if found is None else found
        if pid == 0:
            return found
        if pid == child:
            found = wait_status


def _say(fd: int, message: str) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, message.replace("\n", " ").encode(errors="replace")[:500] + b"\n")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
