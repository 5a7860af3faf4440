from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeward.context.project import MAX_FILES, ProjectReader
from codeward.errors import InputError


def test_a_project_directory_yields_files_dependencies_and_readme(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# CTF notes\nwriteups for picoCTF")
    (tmp_path / "requirements.txt").write_text("pwntools==4.12  # exploit dev\n-r other.txt\nrequests\n")
    (tmp_path / "package.json").write_text(
        json.dumps({"dependencies": {"express": "4"}, "devDependencies": {"jest": "1"}})
    )
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\ndependencies=["capstone>=5"]\n')
    (tmp_path / "writeups").mkdir()
    (tmp_path / "writeups" / "pwn1.md").write_text("x")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "junk.js").write_text("x")
    project = ProjectReader().read(tmp_path)
    assert "writeups/pwn1.md" in project.files
    assert not any(f.startswith("node_modules") for f in project.files)
    assert set(project.dependencies) >= {"pwntools", "requests", "express", "jest", "capstone"}
    assert "picoCTF" in project.readme


def test_reading_is_cached_until_the_tree_changes(tmp_path: Path) -> None:
    reader = ProjectReader()
    first = reader.read(tmp_path)
    assert reader.read(tmp_path) is first
    (tmp_path / "new.py").write_text("x")
    assert "new.py" in reader.read(tmp_path).files


def test_the_walk_is_bounded(tmp_path: Path) -> None:
    for index in range(MAX_FILES + 50):
        (tmp_path / f"f{index}.txt").touch()
    assert len(ProjectReader().read(tmp_path).files) == MAX_FILES


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        ProjectReader().read(tmp_path / "nope")
