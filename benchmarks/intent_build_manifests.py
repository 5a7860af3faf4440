"""Build the project manifests that intent inference is evaluated on, from real package sources.

For every project in bench/projects/projects.yaml that has no manifest yet, download its source
(`pip download --no-deps --no-binary :all:` for an sdist, `npm pack` for npm), unpack it into a
temporary directory, read it with codeward's own ProjectReader (the same reader the CLI uses), and
store only what inference sees: the file list, dependency names and a README excerpt of at most
2 KB, with the package's licence and where it came from. The package itself is deleted.

    python benchmarks/intent_build_manifests.py [--only NAME ...] [--force]
"""

from __future__ import annotations

import argparse
import email.parser
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import yaml

from codeward.context.project import ProjectReader

ROOT = Path(__file__).resolve().parent.parent / "bench" / "projects"
README_LIMIT = 2048
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="Build only these project names.")
    parser.add_argument("--force", action="store_true", help="Rebuild manifests that already exist.")
    arguments = parser.parse_args()
    listing = yaml.safe_load((ROOT / "projects.yaml").read_text(encoding="utf-8"))["projects"]
    (ROOT / "manifests").mkdir(exist_ok=True)
    failures = []
    for entry in listing:
        if arguments.only and entry["name"] not in arguments.only:
            continue
        target = ROOT / "manifests" / f"{entry['registry']}-{entry['name']}.json"
        if target.exists() and not arguments.force:
            continue
        try:
            manifest = build(entry)
        except (
            OSError,
            subprocess.CalledProcessError,
            subprocess.TimeoutExpired,
            ValueError,
            tarfile.TarError,
        ) as error:
            failures.append(entry["name"])
            print(f"FAILED {entry['name']}: {_why(error)}", file=sys.stderr, flush=True)
            continue
        target.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(
            f"{entry['name']}: {len(manifest['files'])} files, {len(manifest['dependencies'])} deps",
            flush=True,
        )
    if failures:
        print(f"{len(failures)} failed: {', '.join(failures)}", file=sys.stderr)
    return 0


def _why(error: Exception) -> str:
    """The last line the failed download printed, which names the cause, else the error itself."""
    output = getattr(error, "stderr", None)
    if isinstance(output, bytes):
        lines = [line for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
        if lines:
            return lines[-1].strip()
    return str(error)


def build(entry: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="codeward-manifest-") as temporary:
        work = Path(temporary)
        archive = download(entry["registry"], entry["name"], work)
        tree = work / "tree"
        unpack(archive, tree)
        roots = [p for p in tree.iterdir() if p.is_dir()]
        root = roots[0] if len(roots) == 1 else tree
        project = ProjectReader().read(root)
        metadata = read_metadata(root, entry["registry"])
        dependencies = sorted(set(project.dependencies) | set(metadata["requires"]))
        readme = project.readme or metadata["description"]
        return {
            "name": entry["name"],
            "registry": entry["registry"],
            "archive": archive.name,
            "label": entry["label"],
            "why": entry["why"],
            "licence": metadata["licence"] or "unknown",
            "attribution": f"README excerpt from the {entry['registry']} package {archive.name}; "
            f"© its authors, licence: {metadata['licence'] or 'see the package'}",
            "files": project.files,
            "dependencies": dependencies,
            "readme": readme[:README_LIMIT],
        }


def download(registry: str, name: str, work: Path) -> Path:
    if registry == "pypi":
        # The sdist of the project itself (`--no-binary NAME`); its build tools may come as wheels,
        # which pip needs only to read the sdist's metadata.
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", name, "-q"]
        subprocess.run([*command, name, "-d", str(work)], check=True, capture_output=True, timeout=900)
    elif registry == "npm":
        subprocess.run(
            ["npm", "pack", name, "--ignore-scripts", "--silent"],
            cwd=work,
            check=True,
            capture_output=True,
            timeout=600,
        )
    else:
        raise ValueError(f"unknown registry {registry}")
    archives = [p for p in work.iterdir() if p.is_file()]
    if len(archives) != 1:
        raise ValueError(f"expected one archive, found {[p.name for p in archives]}")
    return archives[0]


def unpack(archive: Path, tree: Path) -> None:
    """Unpack without running anything; the `data` filter refuses links and paths out of the tree."""
    tree.mkdir()
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise ValueError(f"unsafe path {member} in {archive.name}")
            bundle.extractall(tree)
        return
    with tarfile.open(archive) as bundle:
        bundle.extractall(tree, filter="data")


def read_metadata(root: Path, registry: str) -> dict[str, Any]:
    if registry == "npm":
        try:
            data = json.loads((root / "package.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            data = {}
        licence = data.get("license") if isinstance(data.get("license"), str) else None
        return {"licence": licence, "requires": [], "description": str(data.get("description", ""))}
    info = root / "PKG-INFO"
    if not info.is_file():
        return {"licence": None, "requires": [], "description": ""}
    message = email.parser.Parser().parsestr(info.read_text(encoding="utf-8", errors="replace"))
    licence = message.get("License-Expression") or message.get("License") or ""
    if not licence or len(licence) > 80:
        classifiers = [c for c in message.get_all("Classifier") or [] if c.startswith("License ::")]
        licence = classifiers[0].split("::")[-1].strip() if classifiers else licence[:80]
    requires = []
    for requirement in message.get_all("Requires-Dist") or []:
        match = _REQUIREMENT.match(requirement)
        if match:
            requires.append(match.group(1).lower())
    return {
        "licence": licence.strip() or None,
        "requires": requires,
        "description": message.get_payload() or "",
    }


if __name__ == "__main__":
    sys.exit(main())
