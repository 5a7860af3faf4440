"""A per-run cgroup (v1 pids and memory controllers), nested under codeward's own cgroup.

Nesting keeps every outer bound in force (a test's, a service's), and makes the run's process
and memory limits its own rather than shared by every sandbox of one uid. Creating one costs
about 0.3 ms, joining it ~0.4 ms (the launcher moves itself as a thread; see launcher.py). Where the controllers are not writable (not root, cgroup v2 without delegation),
there is no per-run cgroup and the rlimits set inside the sandbox are the only bound.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CONTROLLERS = ("pids", "memory")


@dataclass(frozen=True, slots=True)
class CgroupUsage:
    pids_limit_hits: int
    memory_limit_hits: int
    oom_kills: int
    peak_memory_bytes: int


def controller_roots() -> dict[str, Path] | None:
    """Writable v1 directories of this process's own pids and memory cgroups, or None."""
    mounts: dict[str, Path] = {}
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as mountinfo:
            for line in mountinfo:
                before, _, after = line.partition(" - ")
                fields, tail = before.split(), after.split()
                if len(tail) < 3 or tail[0] != "cgroup":
                    continue
                options = set(tail[2].split(","))
                for controller in CONTROLLERS:
                    if controller in options:
                        mounts[controller] = Path(fields[4])
        own: dict[str, str] = {}
        with open("/proc/self/cgroup", encoding="utf-8") as cgroups:
            for line in cgroups:
                _, names, path = line.rstrip("\n").split(":", 2)
                for controller in names.split(","):
                    own[controller] = path
    except OSError:
        return None
    roots = {}
    for controller in CONTROLLERS:
        if controller not in mounts or controller not in own:
            return None
        directory = mounts[controller] / own[controller].lstrip("/")
        if not os.access(directory, os.W_OK):
            return None
        roots[controller] = directory
    return roots


class RunCgroup:
    """One run's cgroups; `tasks` are the files the launcher joins them through."""

    def __init__(self, roots: dict[str, Path], name: str, *, pids_max: int, memory_bytes: int) -> None:
        self.paths = {controller: roots[controller] / name for controller in CONTROLLERS}
        created: list[Path] = []
        try:
            for path in self.paths.values():
                path.mkdir()
                created.append(path)
            (self.paths["pids"] / "pids.max").write_text(str(pids_max))
            (self.paths["memory"] / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = self.paths["memory"] / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(memory_bytes))
        except OSError:
            for path in reversed(created):
                _remove(path)
            raise

    @property
    def tasks(self) -> list[str]:
        return [str(path / "tasks") for path in self.paths.values()]

    def usage(self) -> CgroupUsage:
        pids_events = _keyed(self.paths["pids"] / "pids.events")
        oom = _keyed(self.paths["memory"] / "memory.oom_control")
        return CgroupUsage(
            pids_limit_hits=pids_events.get("max", 0),
            memory_limit_hits=_number(self.paths["memory"] / "memory.failcnt"),
            oom_kills=oom.get("oom_kill", 0),
            peak_memory_bytes=_number(self.paths["memory"] / "memory.max_usage_in_bytes"),
        )

    def members(self) -> list[int]:
        try:
            text = (self.paths["pids"] / "cgroup.procs").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def close(self, *, spare: int | None = None) -> bool:
        """Kill whatever is left (except `spare`), then remove the cgroups. False if something survived."""
        deadline = time.monotonic() + 2.0
        while True:
            members = [pid for pid in self.members() if pid != spare]
            if not members:
                break
            if time.monotonic() > deadline:
                return False
            for pid in members:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.005)
        removed = True
        for path in self.paths.values():
            removed = _remove(path, deadline) and removed
        return removed


def _remove(path: Path, deadline: float | None = None) -> bool:
    deadline = deadline or time.monotonic() + 1.0
    while True:
        try:
            path.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError as error:
            if error.errno != errno.EBUSY or time.monotonic() > deadline:
                return False
            time.sleep(0.005)


def _keyed(path: Path) -> dict[str, int]:
    values = {}
    try:
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            if value.strip().isdigit():
                values[key] = int(value)
    except OSError:
        pass
    return values


def _number(path: Path) -> int:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return 0
