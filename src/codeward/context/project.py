"""Read a project directory into a manifest: its files, declared dependencies and README.

Bounded (at most 5,000 files, 20 KB of README, manifests under 1 MB) and cached by path and
modification time, so that an agent hook pays for the walk once per change of the tree.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections import OrderedDict
from pathlib import Path

from codeward.errors import InputError
from codeward.model import Project

MAX_FILES = 5000
MAX_README = 20_000
MAX_MANIFEST = 1_000_000
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".tox",
        "dist",
        "build",
        ".idea",
        ".vscode",
        "target",
        ".next",
        ".cache",
    }
)
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class ProjectReader:
    """Reads project directories, remembering the last `capacity` of them."""

    def __init__(self, capacity: int = 32) -> None:
        self._capacity = capacity
        self._cache: OrderedDict[str, tuple[float, Project]] = OrderedDict()

    def read(self, directory: str | Path) -> Project:
        root = Path(directory).expanduser()
        try:
            root = root.resolve(strict=True)
        except (FileNotFoundError, RuntimeError, OSError):
            raise InputError(f"project directory {directory} does not exist") from None
        if not root.is_dir():
            raise InputError(f"project {directory} is not a directory")
        key = str(root)
        stamp = _stamp(root)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == stamp:
            self._cache.move_to_end(key)
            return cached[1]
        project = _read(root)
        self._cache[key] = (stamp, project)
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return project


def _stamp(root: Path) -> float:
    """The newest mtime among the root and its direct children: cheap, and changes when files come or go."""
    newest = root.stat().st_mtime
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                try:
                    newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
                except OSError:
                    continue
    except OSError:
        pass
    return newest


def _read(root: Path) -> Project:
    files: list[str] = []
    for current, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        relative = os.path.relpath(current, root)
        for name in sorted(names):
            files.append(name if relative == "." else f"{relative}/{name}")
            if len(files) >= MAX_FILES:
                break
        if len(files) >= MAX_FILES:
            break
    dependencies: list[str] = []
    readme = ""
    for name in files:
        if "/" in name:
            continue
        lowered = name.lower()
        path = root / name
        if lowered.startswith("readme") and not readme:
            readme = _text(path, MAX_README)
        elif lowered.startswith("requirements") and lowered.endswith(".txt"):
            dependencies += _requirements(_text(path, MAX_MANIFEST))
        elif lowered == "pyproject.toml":
            dependencies += _pyproject(_text(path, MAX_MANIFEST))
        elif lowered == "package.json":
            dependencies += _package_json(_text(path, MAX_MANIFEST))
        elif lowered in ("go.mod", "cargo.toml", "gemfile"):
            dependencies += _generic_manifest(lowered, _text(path, MAX_MANIFEST))
    return Project(path=str(root), files=files, dependencies=sorted(set(dependencies)), readme=readme)


def _text(path: Path, limit: int) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _requirements(text: str) -> list[str]:
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = _REQUIREMENT_NAME.match(line)
        if match:
            names.append(match.group(1).lower())
    return names


def _pyproject(text: str) -> list[str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    requirements: list[str] = list(data.get("project", {}).get("dependencies", []) or [])
    for extra in (data.get("project", {}).get("optional-dependencies", {}) or {}).values():
        requirements += list(extra)
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}) or {}
    requirements += [name for name in poetry if name != "python"]
    return _requirements("\n".join(str(r) for r in requirements))


def _package_json(text: str) -> list[str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return []
    if not isinstance(data, dict):
        return []
    names: list[str] = []
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        section = data.get(key)
        if isinstance(section, dict):
            names += [str(name).lower() for name in section]
    return names


def _generic_manifest(kind: str, text: str) -> list[str]:
    names = []
    if kind == "go.mod":
        for match in re.finditer(r"^\s*(?:require\s+)?([\w.-]+\.[\w.-]+/[\w./-]+)\s+v", text, re.M):
            names.append(match.group(1).rsplit("/", 1)[-1].lower())
    elif kind == "cargo.toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return []
        for key in ("dependencies", "dev-dependencies"):
            names += [str(name).lower() for name in (data.get(key) or {})]
    else:
        names += [m.group(1).lower() for m in re.finditer(r"^\s*gem\s+['\"]([\w.-]+)['\"]", text, re.M)]
    return names
