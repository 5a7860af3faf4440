"""Where things are inside the sandbox, and what a path there is: the decoy home, the project view, the system.

The sandbox knows its own layout, so it classifies paths by where they lead rather than by how
they are spelled. Scopes are the policy's vocabulary (root, system, home, project, temp, device,
credential, outside).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

INTERNAL = "/run/codeward"
"""The sandbox's own files (snippet, runner, audit hook): never reported."""

SYSTEM_DIRS = (
    "/usr",
    "/etc",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/lib32",
    "/boot",
    "/var",
    "/opt",
    "/srv",
    "/sys",
)
SYSTEM_READ_DIRS = (
    "/etc",
    "/boot",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/usr/bin",
    "/usr/sbin",
    "/usr/libexec",
    "/usr/lib",
    "/usr/lib32",
    "/usr/lib64",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/usr/local/lib",
    "/usr/local/etc",
    "/var/www",
    "/sys",
)
"""Where the system reads on its own (configuration, programs on the PATH, libraries, boot files, a web
root): a write there changes how the machine runs. Elsewhere under SYSTEM_DIRS a new file is parked."""
TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
QUIET_READS = (
    "/usr/",
    "/lib",
    "/bin/",
    "/etc/ld.so",
    "/etc/locale",
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/host.conf",
    "/etc/inputrc",
    "/etc/bash.bashrc",
    "/etc/python3",
    "/etc/alternatives/",
    "/proc/self/",
    "/proc/thread-self/",
    "/proc/meminfo",
    "/proc/sys/",
    "/dev/null",
    "/dev/tty",
    "/dev/urandom",
    "/sys/",
    INTERNAL,
)
"""Reads every program makes at start-up; left out of the report."""

SENSITIVE_SYSTEM_READS = ("/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/root/.ssh", "/proc/1/environ")


@dataclass(frozen=True, slots=True)
class Layout:
    home: str
    """The decoy home, mounted at the real user's home path."""
    project: str | None
    """The project view, at the real project path."""
    cwd: str

    def normalise(self, path: str, cwd: str | None = None) -> str:
        if not path.startswith("/"):
            path = posixpath.join(cwd or self.cwd, path)
        path = posixpath.normpath(path)
        return "/" + path.lstrip("/")

    def scope(self, path: str) -> str:
        path = self.normalise(path)
        if path == "/":
            return "root"
        if self.project and _under(path, self.project):
            return "project"
        if _under(path, self.home):
            return "home"
        if any(_under(path, d) for d in TEMP_DIRS):
            return "temp"
        if path.startswith("/dev/"):
            return "device"
        if path.startswith("/proc/"):
            return "system"
        if any(_under(path, d) for d in SYSTEM_DIRS):
            return "system"
        return "outside"

    def shown(self, path: str) -> str:
        """The path as a person reads it: `./build` in the project, `~/.ssh/id_rsa` in the home."""
        path = self.normalise(path)
        if self.project and _under(path, self.project):
            rest = path[len(self.project) :].lstrip("/")
            return "./" + rest if rest else "the project (./)"
        if _under(path, self.home):
            rest = path[len(self.home) :].lstrip("/")
            return "~/" + rest if rest else "~"
        return path

    def internal(self, path: str) -> bool:
        return _under(self.normalise(path), INTERNAL)

    def quiet(self, path: str) -> bool:
        return self.normalise(path).startswith(QUIET_READS)


def _under(path: str, base: str) -> bool:
    base = base.rstrip("/") or "/"
    return path == base or path.startswith(base + "/") or base == "/"
