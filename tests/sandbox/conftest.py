"""Fixtures for the sandbox tests: the outer bound, one shared sandbox, and proofs that the host is untouched.

Every test that runs a snippet does so under an outer bound set up here, around the whole test
process: a cgroup with a pids limit and a memory limit (each sandbox run's own cgroup nests inside
it), plus pytest-timeout. A sandbox bug then fails a test instead of taking the machine down.
Hostile snippets live as strings in the test files; nothing is written to disk as a script.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codeward.sandbox import Sandbox
from codeward.sandbox.cgroups import controller_roots

OUTER_PIDS = 512
OUTER_MEMORY = 3 * 1024**3


class OuterBound:
    """This test process moved into a fresh pids + memory cgroup (v1), undone at the end of the module."""

    def __init__(self) -> None:
        roots = controller_roots()
        if roots is None:
            raise OSError("no writable cgroup v1 pids and memory controllers (run the tests as root)")
        name = f"codeward-tests-{os.getpid()}"
        self.previous = roots
        self.paths = {controller: root / name for controller, root in roots.items()}
        for path in self.paths.values():
            path.mkdir(exist_ok=True)
        (self.paths["pids"] / "pids.max").write_text(str(OUTER_PIDS))
        (self.paths["memory"] / "memory.limit_in_bytes").write_text(str(OUTER_MEMORY))
        for path in self.paths.values():
            (path / "cgroup.procs").write_text(str(os.getpid()))

    def holds_this_process(self) -> bool:
        lines = [line.split(":", 2) for line in Path("/proc/self/cgroup").read_text().splitlines()]
        return all(
            any(
                controller in names.split(",") and where.endswith("/" + path.name)
                for _, names, where in lines
            )
            for controller, path in self.paths.items()
        )

    def release(self) -> None:
        for controller, path in self.paths.items():
            with contextlib.suppress(OSError):
                (self.previous[controller] / "cgroup.procs").write_text(str(os.getpid()))
            with contextlib.suppress(OSError):
                path.rmdir()


@pytest.fixture(scope="module")
def outer_bound() -> Iterator[OuterBound | None]:
    """Per test module, so that the rest of the suite (servers, load tests) runs outside this bound."""
    try:
        bound = OuterBound()
    except OSError:
        yield None
        return
    yield bound
    bound.release()


@pytest.fixture(scope="module")
def box(outer_bound: OuterBound | None) -> Iterator[Sandbox]:
    """One sandbox for the session; skipped, saying why, only where bubblewrap or user namespaces are missing."""
    sandbox = Sandbox()
    ok, problem = sandbox.available()
    if not ok:
        pytest.skip(f"the sandbox cannot run here: {problem}")
    yield sandbox
    sandbox.close()


@pytest.fixture
def bounded(outer_bound: OuterBound | None) -> OuterBound:
    """For snippets that exhaust a resource (fork bomb, 10 GB): refuse to run them without the outer bound."""
    if outer_bound is None or not outer_bound.holds_this_process():
        pytest.skip("no outer cgroup bound (pids + memory) around the tests: resource bombs are not run")
    return outer_bound


def fingerprint(root: Path, *, depth: int = 2) -> dict[str, tuple[int, int, str]]:
    """Every entry under `root` to `depth` levels (1: its own entries): size, mode, a small file's hash."""
    entries: dict[str, tuple[int, int, str]] = {}
    base = len(root.parts)
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        names = dirnames + filenames
        dirnames[:] = (
            [] if len(here.parts) - base >= depth - 1 else [d for d in dirnames if not _noise(str(here / d))]
        )
        for name in names:
            path = here / name
            if _noise(str(path)):
                continue
            try:
                info = path.lstat()
            except OSError:
                continue
            digest = ""
            if path.is_file() and not path.is_symlink() and info.st_size <= 1_000_000:
                with contextlib.suppress(OSError):
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
            entries[str(path)] = (info.st_size, info.st_mode, digest)
    return entries


@pytest.fixture
def real_home(box: Sandbox) -> Path:
    """The home the sandbox covers with its decoy (the invoking user's, from the password database)."""
    return Path(box.backend.host.home)


@pytest.fixture
def host_unchanged(real_home: Path) -> Iterator[None]:
    """Fails the test if the real home, the root directory or the cron spool changed during it."""
    # the home and /etc one level deep (what the snippets aim at: ~/.bashrc, ~/.ssh, /etc/passwd),
    # so that other people's work on a shared machine (deeper caches and configs) is not mistaken
    # for the sandbox's; the cron spool in full
    watched = {real_home: 1, Path("/"): 1, Path("/etc"): 1, Path("/var/spool/cron"): 3}
    before = {str(p): fingerprint(p, depth=depth) for p, depth in watched.items() if p.exists()}
    yield
    after = {str(p): fingerprint(p, depth=depth) for p, depth in watched.items() if p.exists()}
    for place in before:
        changed = {
            path
            for path in set(before[place]) | set(after[place])
            if before[place].get(path) != after[place].get(path) and not _noise(path)
        }
        assert not changed, f"the host changed under {place}: {sorted(changed)[:10]}"


def _noise(path: str) -> bool:
    """Entries other processes on a shared machine change all the time."""
    return path.startswith(("/tmp", "/run", "/proc", "/sys", "/dev", "/var/tmp", "/root/.cache")) or (
        path.endswith((".db", ".db-journal", ".db-wal", ".db-shm", "history", ".lock"))
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project with a build folder of 312 files, sources, a README and a real-looking .env."""
    root = tmp_path / "project"
    (root / "build").mkdir(parents=True)
    for number in range(312):
        (root / "build" / f"part{number}.o").write_bytes(b"\x7fELF object")
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('app')\n")
    (root / "README.md").write_text("# demo\n")
    (root / ".env").write_text(
        "API_KEY=sk_live_realvalue0123456789abcdef\nDB_PASSWORD=hunter2-real-password\n"
    )
    return root


@pytest.fixture
def none_left(box: Sandbox) -> Callable[[], None]:
    """Asserts that no process of the sandbox's kernel uid is left (SIGKILL takes a moment to finish)."""
    uid = box.backend.host.sandbox_ids[0]
    if uid == os.getuid():
        pytest.skip("the sandbox runs as this user here: its processes cannot be told from the test's")

    def check() -> None:
        deadline = time.monotonic() + 5
        while processes_of(uid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_of(uid) == []

    return check


def processes_of(uid: int) -> list[int]:
    """Live processes whose real uid is `uid` (the sandbox's kernel uid)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            status = (entry / "status").read_text()
            line = next(line for line in status.splitlines() if line.startswith("Uid:"))
            if int(line.split()[1]) == uid and "State:\tZ" not in status:
                found.append(int(entry.name))
    return found


@pytest.fixture
def loopback_listener() -> Iterator[socket.socket]:
    """A TCP listener on the host's 127.0.0.1 that the sandbox must not reach."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    yield listener
    listener.close()


def user_name() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def have(program: str) -> bool:
    return shutil.which(program) is not None
