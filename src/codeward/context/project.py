"""Read a project directory into a manifest: its files, declared dependencies, README and docs, and
the text of its CI and deploy files.

Bounded (at most 5,000 files, 20 KB of README and docs, 64 KB of CI files, manifests under 1 MB)
and cached by path and modification time (of the root and the directories two levels down), so
that an agent hook pays for the walk once per change of the tree.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import re2
import yaml

from codeward.errors import InputError
from codeward.model import Project

MAX_FILES = 5000
MAX_README = 20_000
MAX_MANIFEST = 1_000_000
MAX_CI = 64_000
MAX_CI_FILES = 16
DOCS_DIRS = ("docs", "doc")
DOCS_PAGES = (
    "index.md",
    "index.rst",
    "readme.md",
    "readme.rst",
    "intro.md",
    "introduction.md",
    "overview.md",
)
CI_FILES = frozenset(
    {
        ".gitlab-ci.yml",
        "jenkinsfile",
        "azure-pipelines.yml",
        "bitbucket-pipelines.yml",
        "cloudbuild.yaml",
        "cloudbuild.yml",
        ".travis.yml",
        "docker-compose.yml",
        "docker-compose.yaml",
        "compose.yml",
        "compose.yaml",
        "dockerfile",
        "procfile",
        "fly.toml",
        "app.yaml",
        "skaffold.yaml",
    }
)
CI_DIRS = (
    ".github/workflows/",
    ".circleci/",
    "k8s/",
    "kubernetes/",
    "deploy/",
    "deployment/",
    "manifests/",
    "helm/",
    "charts/",
)
"""Where CI and deploy files live: their YAML (and Dockerfiles) is read as `ci` text."""
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
    """The newest mtime among the root, its children and its grandchildren: a file that comes or goes
    up to two directories down changes it. Deeper changes are seen once their parent level changes."""
    newest = root.stat().st_mtime
    for entry in _entries(root):
        newest = max(newest, _mtime(entry))
        if entry.is_dir(follow_symlinks=False) and entry.name not in SKIP_DIRS:
            for child in _entries(Path(entry.path)):
                newest = max(newest, _mtime(child))
    return newest


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as entries:
            return list(entries)
    except OSError:
        return []


def _mtime(entry: os.DirEntry[str]) -> float:
    try:
        return entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return 0.0


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
        lowered = name.lower()
        path = root / name
        if "/" not in name and lowered.startswith("readme") and not readme:
            readme = _text(path, MAX_README)
        elif _is_requirements(lowered):
            dependencies += _requirements(_text(path, MAX_MANIFEST))
        elif "/" in name:
            continue
        elif lowered == "pyproject.toml":
            dependencies += _pyproject(_text(path, MAX_MANIFEST))
        elif lowered == "package.json":
            dependencies += _package_json(_text(path, MAX_MANIFEST))
        elif lowered in ("go.mod", "cargo.toml", "gemfile", "pipfile", "setup.cfg"):
            dependencies += _generic_manifest(lowered, _text(path, MAX_MANIFEST))
        elif lowered in ("environment.yml", "environment.yaml"):
            dependencies += _conda_environment(_text(path, MAX_MANIFEST))
    readme = _with_docs(root, files, readme)
    ci = "\n".join(_text(root / name, MAX_CI) for name in _ci_files(files))[:MAX_CI]
    return Project(path=str(root), files=files, dependencies=sorted(set(dependencies)), readme=readme, ci=ci)


def _is_requirements(lowered: str) -> bool:
    """`requirements*.txt` at the top, or any `.txt` in a top-level `requirements/` folder."""
    if not lowered.endswith(".txt"):
        return False
    if "/" not in lowered:
        return lowered.startswith("requirements")
    folder, _, rest = lowered.partition("/")
    return folder == "requirements" and "/" not in rest


def _with_docs(root: Path, files: list[str], readme: str) -> str:
    """The README, then the index pages of `docs/`, within the README budget."""
    pages = [
        name
        for name in files
        if name.count("/") == 1
        and name.split("/")[0].lower() in DOCS_DIRS
        and name.split("/")[1].lower() in DOCS_PAGES
    ]
    text = readme
    for page in pages:
        if len(text) >= MAX_README:
            break
        text += "\n\n" + _text(root / page, MAX_README - len(text))
    return text[:MAX_README]


def _ci_files(files: list[str]) -> Iterator[str]:
    found = 0
    for name in files:
        lowered = name.lower()
        base = lowered.rsplit("/", 1)[-1]
        in_ci_dir = lowered.startswith(CI_DIRS) and base.endswith((".yml", ".yaml", ".tf", "dockerfile"))
        if (base in CI_FILES and lowered.count("/") <= 1) or in_ci_dir:
            yield name
            found += 1
            if found >= MAX_CI_FILES:
                return


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


_GO_REQUIRE = re2.compile(r"(?m)^\s*(?:require\s+)?([\w.-]+\.[\w.-]+/[\w./-]+)\s+v")
"""RE2: a cloned project's go.mod is untrusted, and in `re` this is quadratic on a run of `a.a.a.`."""


_INSTALL_REQUIRES = re2.compile(r"(?m)^install_requires[ \t]*=[ \t]*\n((?:[ \t]+\S[^\n]*(?:\n|$))*)")
"""setup.cfg's `install_requires =` followed by one requirement per indented line (RE2, like the above)."""


def _generic_manifest(kind: str, text: str) -> list[str]:
    names = []
    if kind == "go.mod":
        for match in _GO_REQUIRE.finditer(text):
            names.append(match.group(1).rsplit("/", 1)[-1].lower())
    elif kind == "cargo.toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return []
        for key in ("dependencies", "dev-dependencies"):
            names += [str(name).lower() for name in (data.get(key) or {})]
    elif kind == "pipfile":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return []
        for key in ("packages", "dev-packages"):
            names += [str(name).lower() for name in (data.get(key) or {})]
    elif kind == "setup.cfg":
        block = _INSTALL_REQUIRES.search(text)
        if block:
            names += _requirements(block.group(1))
    else:
        names += [m.group(1).lower() for m in re.finditer(r"^\s*gem\s+['\"]([\w.-]+)['\"]", text, re.M)]
    return names


def _conda_environment(text: str) -> list[str]:
    """A conda `environment.yml`: its conda packages (`numpy=1.26`) and its pip list."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        return []
    lines: list[str] = []
    for item in data["dependencies"]:
        if isinstance(item, str):
            lines.append(item.split("::")[-1].split("=")[0])
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            lines += [str(requirement) for requirement in item["pip"]]
    return _requirements("\n".join(lines))
