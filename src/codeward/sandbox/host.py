"""What this machine offers the sandbox: bwrap and its features, strace, the interpreter, the ids to run as.

Detected once per `Sandbox` (a few milliseconds) and kept: features are read from the system
bwrap's own help text rather than assumed from a version (on Ubuntu 24.04 AppArmor lets only the
system binary create user namespaces, so codeward never ships its own).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
from dataclasses import dataclass

INSTALL_HINT = (
    "install it with `apt-get install bubblewrap strace` (Debian/Ubuntu) or `dnf install bubblewrap strace`"
)
DEFAULT_SANDBOX_UID = 2_000_000_000
"""When codeward runs as root, the sandbox runs as this otherwise unused uid (or `codeward-sandbox`'s)."""


@dataclass(frozen=True, slots=True)
class Host:
    bwrap: str | None
    bwrap_version: str
    disable_userns: bool
    strace: str | None
    python: str | None
    root: bool
    sandbox_ids: tuple[int, int]
    """The kernel uid and gid the snippet runs as: the developer's own, or a dedicated one under root."""
    inside_ids: tuple[int, int]
    """The uid and gid the snippet sees (the invoking user's), mapped onto `sandbox_ids`."""
    home: str
    user: str
    max_user_namespaces: int

    def problem(self) -> str | None:
        """Why the sandbox cannot run here, with the fix; None when it can."""
        if self.bwrap is None:
            return f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}"
        if self.max_user_namespaces == 0:
            return "user namespaces are disabled (sysctl user.max_user_namespaces=0); bubblewrap needs them"
        if self.sandbox_ids[0] == 0:
            return "refusing to run the sandbox as uid 0"
        return None


def detect(*, sandbox_uid: int | None = None) -> Host:
    bwrap = "/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else shutil.which("bwrap")
    version, disable_userns = "", False
    if bwrap is not None:
        try:
            found = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=5).stdout
            help_text = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=5).stdout
        except (OSError, subprocess.SubprocessError):
            found, help_text = "", ""
        version = found.strip().removeprefix("bubblewrap ").strip()
        disable_userns = "--disable-userns" in help_text
    strace = "/usr/bin/strace" if os.access("/usr/bin/strace", os.X_OK) else shutil.which("strace")
    python = next((p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if os.access(p, os.X_OK)), None)
    root = os.geteuid() == 0
    entry = _user_entry()
    inside = (os.getuid(), os.getgid())
    if root:
        uid = sandbox_uid if sandbox_uid is not None else _dedicated_uid()
        ids = (uid, uid)
    else:
        ids = inside
    return Host(
        bwrap=bwrap,
        bwrap_version=version,
        disable_userns=disable_userns,
        strace=strace,
        python=python,
        root=root,
        sandbox_ids=ids,
        inside_ids=inside,
        home=entry[1],
        user=entry[0],
        max_user_namespaces=_read_int("/proc/sys/user/max_user_namespaces", 1),
    )


def _dedicated_uid() -> int:
    try:
        return pwd.getpwnam("codeward-sandbox").pw_uid
    except KeyError:
        return int(os.environ.get("CODEWARD_SANDBOX_UID", DEFAULT_SANDBOX_UID))


def _user_entry() -> tuple[str, str]:
    try:
        entry = pwd.getpwuid(os.getuid())
        home = (
            entry.pw_dir if entry.pw_dir.startswith("/") and entry.pw_dir != "/" else f"/home/{entry.pw_name}"
        )
        return entry.pw_name, os.path.normpath(home)
    except KeyError:
        return "user", "/home/user"


def _read_int(path: str, default: int) -> int:
    try:
        with open(path, encoding="ascii") as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return default


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])
