"""What a run changed: the overlay's upper layer over the project, and the decoy home against its snapshot.

The supervisor reads these after the sandbox is gone, as root or as the developer, in a tree
the snippet wrote: it never follows a symlink, never opens anything but a regular file (with
O_NOFOLLOW, relative to a directory descriptor), and reads at most a few KiB of any file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Literal

from codeward.redaction import redact
from codeward.sandbox.report import FileChange

MAX_EXCERPT = 400
MAX_COUNTED = 100_000
_OPAQUE = ("trusted.overlay.opaque", "user.overlay.opaque")

Kind = Literal["file", "dir", "symlink", "other"]


@dataclass(frozen=True, slots=True)
class Entry:
    kind: Kind
    size: int
    mode: int
    mtime_ns: int
    ctime_ns: int
    atime_ns: int


def _kind(mode: int) -> Kind:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISLNK(mode):
        return "symlink"
    return "other"


def snapshot(root: str, *, skip: frozenset[str] = frozenset()) -> dict[str, Entry]:
    """Every entry under `root` by relative path (symlinks neither followed nor descended into).

    One scandir per folder, each entry stat-ed relative to its folder's descriptor: about half
    the cost of os.fwalk with a relpath per folder, and it runs three times in every run."""
    entries: dict[str, Entry] = {}
    try:
        top = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return entries
    try:
        _snapshot_into(entries, top, "", skip)
    finally:
        os.close(top)
    return entries


def _snapshot_into(entries: dict[str, Entry], dirfd: int, prefix: str, skip: frozenset[str]) -> None:
    try:
        with os.scandir(dirfd) as listing:
            items = list(listing)
    except OSError:
        return
    for item in items:
        relative = prefix + item.name
        if relative in skip:
            continue
        try:
            info = item.stat(follow_symlinks=False)
        except OSError:
            continue
        entries[relative] = Entry(
            _kind(info.st_mode),
            info.st_size,
            info.st_mode,
            info.st_mtime_ns,
            info.st_ctime_ns,
            info.st_atime_ns,
        )
        if stat.S_ISDIR(info.st_mode):
            try:  # O_NOFOLLOW: a folder swapped for a symlink since the stat is not entered
                below = os.open(item.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dirfd)
            except OSError:
                continue
            try:
                _snapshot_into(entries, below, relative + "/", skip)
            finally:
                os.close(below)


def snapshot_changes(
    before: dict[str, Entry], root: str, shown_root: str, *, skip: frozenset[str] = frozenset()
) -> list[FileChange]:
    """Changes under `root` since `before`: created, modified, deleted, and read (the access time moved)."""
    after = snapshot(root, skip=skip)
    changes: list[FileChange] = []
    deleted_dirs: list[str] = []
    for relative in sorted(before):
        old = before[relative]
        if any(relative.startswith(d + "/") for d in deleted_dirs):
            continue
        new = after.get(relative)
        path = f"{shown_root}/{relative}"
        if new is None:
            files = sum(1 for r, e in before.items() if r.startswith(relative + "/") and e.kind == "file")
            if old.kind == "dir":
                deleted_dirs.append(relative)
            changes.append(
                FileChange(path=path, change="deleted", kind=old.kind, files=files + (old.kind == "file"))
            )
        elif new.kind != old.kind or new.size != old.size or new.mtime_ns != old.mtime_ns:
            if old.kind == "dir" and new.kind == "dir":
                continue  # a folder's own time moves with any change inside it, reported there
            changes.append(
                FileChange(
                    path=path,
                    change="modified",
                    kind=new.kind,
                    bytes=new.size,
                    excerpt=_excerpt(root, relative, new),
                )
            )
        elif new.ctime_ns != old.ctime_ns and new.kind != "dir":
            changes.append(FileChange(path=path, change="metadata", kind=new.kind, bytes=new.size))
        elif new.atime_ns != old.atime_ns and new.kind == "file":
            changes.append(FileChange(path=path, change="read", kind="file", bytes=new.size))
    for relative in sorted(set(after) - set(before)):
        new = after[relative]
        changes.append(
            FileChange(
                path=f"{shown_root}/{relative}",
                change="created",
                kind=new.kind,
                files=int(new.kind == "file"),
                bytes=new.size,
                excerpt=_excerpt(root, relative, new),
            )
        )
    return changes


def overlay_changes(upper: str, lower: str, shown_root: str, *, seeded: dict[str, bytes]) -> list[FileChange]:
    """Changes recorded by an overlay's upper layer over `lower` (the real project, read-only).

    Whiteouts (0/0 character devices) are deletions; an opaque folder replaced the lower one
    (deleted and recreated), so everything below it in `lower` was deleted too.
    """
    changes: list[FileChange] = []
    for directory, dirnames, filenames, dirfd in os.fwalk(upper):
        relative_dir = os.path.relpath(directory, upper)
        for name in sorted(dirnames + filenames):
            relative = name if relative_dir == "." else f"{relative_dir}/{name}"
            try:
                info = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            except OSError:
                continue
            path = f"{shown_root}/{relative}"
            below = _lstat(os.path.join(lower, relative))
            if stat.S_ISCHR(info.st_mode) and info.st_rdev == 0:
                if below is None:
                    continue
                kind = _kind(below.st_mode)
                files = count_files(os.path.join(lower, relative)) if kind == "dir" else 1
                changes.append(FileChange(path=path, change="deleted", kind=kind, files=files))
                continue
            if stat.S_ISDIR(info.st_mode):
                if below is not None and stat.S_ISDIR(below.st_mode):
                    if _opaque(name, dirfd):
                        files = count_files(os.path.join(lower, relative))
                        changes.append(FileChange(path=path, change="replaced", kind="dir", files=files))
                    elif stat.S_IMODE(info.st_mode) != stat.S_IMODE(below.st_mode):
                        changes.append(FileChange(path=path, change="metadata", kind="dir", files=0))
                elif below is None:
                    changes.append(FileChange(path=path, change="created", kind="dir", files=0))
                continue
            kind = _kind(info.st_mode)
            if relative in seeded:
                if kind == "file" and _content(name, dirfd, len(seeded[relative]) + 1) == seeded[relative]:
                    continue
                change: Literal["modified", "created", "metadata"] = "modified"
            elif below is None:
                change = "created"
            elif (
                kind == "file"
                and stat.S_ISREG(below.st_mode)
                and _same_content(name, dirfd, os.path.join(lower, relative))
            ):
                if stat.S_IMODE(info.st_mode) == stat.S_IMODE(below.st_mode):
                    continue
                change = "metadata"
            else:
                change = "modified"
            changes.append(
                FileChange(
                    path=path,
                    change=change,
                    kind=kind,
                    files=int(kind == "file"),
                    bytes=info.st_size,
                    excerpt=_excerpt_at(name, dirfd, info) if change != "metadata" else "",
                )
            )
    return changes


def count_files(root: str) -> int:
    """Regular files under `root`, bounded; not following symlinks."""
    count = 0
    for _, _, filenames, dirfd in os.fwalk(root):
        for name in filenames:
            try:
                if stat.S_ISREG(os.stat(name, dir_fd=dirfd, follow_symlinks=False).st_mode):
                    count += 1
            except OSError:
                continue
            if count >= MAX_COUNTED:
                return count
    return count


def _opaque(name: str, dirfd: int) -> bool:
    path = f"/proc/self/fd/{dirfd}/{name}"
    for attribute in _OPAQUE:
        try:
            if os.getxattr(path, attribute, follow_symlinks=False) == b"y":
                return True
        except OSError:
            continue
    return False


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _content(name: str, dirfd: int, limit: int) -> bytes | None:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dirfd)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, limit)
    finally:
        os.close(fd)


def _same_content(name: str, dirfd: int, lower: str, limit: int = 1_000_000) -> bool:
    try:
        if os.lstat(lower).st_size > limit:
            return False
        with open(lower, "rb") as original:
            expected = original.read(limit + 1)
    except OSError:
        return False
    return _content(name, dirfd, limit + 1) == expected


def _excerpt_at(name: str, dirfd: int, info: os.stat_result) -> str:
    if not stat.S_ISREG(info.st_mode):
        return ""
    data = _content(name, dirfd, MAX_EXCERPT)
    return _printable(data)


def _excerpt(root: str, relative: str, entry: Entry) -> str:
    if entry.kind != "file":
        return ""
    directory, _, name = relative.rpartition("/")
    try:
        dirfd = os.open(
            os.path.join(root, directory) if directory else root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        )
    except OSError:
        return ""
    try:
        return _printable(_content(name, dirfd, MAX_EXCERPT))
    finally:
        os.close(dirfd)


def _printable(data: bytes | None) -> str:
    if not data or b"\x00" in data[:512]:
        return ""
    return redact(data.decode("utf-8", "replace"))


def copy_project(
    source: str, target: str, *, owner: tuple[int, int] | None, budget: int, decoys: dict[str, bytes]
) -> None:
    """Copy the project into the (empty) view when overlayfs is not available; decoys replace secrets.

    Symlinks are copied as links, never followed; devices, sockets and FIFOs are left out. A project
    larger than `budget` bytes is refused rather than shown in part.
    """
    from codeward.errors import SandboxError

    used = 0
    for directory, dirnames, filenames, dirfd in os.fwalk(source):
        relative_dir = os.path.relpath(directory, source)
        into = target if relative_dir == "." else os.path.join(target, relative_dir)
        for name in dirnames + filenames:
            relative = name if relative_dir == "." else f"{relative_dir}/{name}"
            destination = os.path.join(into, name)
            try:
                info = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                os.mkdir(destination, stat.S_IMODE(info.st_mode) | 0o700)
            elif stat.S_ISLNK(info.st_mode):
                os.symlink(os.readlink(name, dir_fd=dirfd), destination)
            elif stat.S_ISREG(info.st_mode):
                used += info.st_size
                if used > budget:
                    raise SandboxError(
                        f"the project is larger than {budget // (1024 * 1024)} MiB: without overlayfs "
                        "the sandbox copies it, and will not show it in part"
                    )
                content = decoys.get(relative)
                if content is None:
                    content = _read_all(name, dirfd)
                fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                try:
                    os.write(fd, content)
                    os.fchmod(fd, stat.S_IMODE(info.st_mode))
                    # a decoy's access time is set before its modification time, so a read moves it (relatime)
                    accessed = (
                        info.st_mtime_ns - 3_600_000_000_000 if relative in decoys else info.st_atime_ns
                    )
                    os.utime(fd, ns=(accessed, info.st_mtime_ns))
                finally:
                    os.close(fd)
            else:
                continue
            if owner is not None:
                os.chown(destination, *owner, follow_symlinks=False)
    if owner is not None:
        os.chown(target, *owner)


def _read_all(name: str, dirfd: int) -> bytes:
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dirfd)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
