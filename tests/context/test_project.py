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


def test_docs_index_pages_follow_the_readme(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Tool")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("Lessons and exercises for the course.")
    (tmp_path / "docs" / "api.md").write_text("not an index page")
    readme = ProjectReader().read(tmp_path).readme
    assert readme.startswith("# Tool")
    assert "Lessons and exercises" in readme
    assert "not an index page" not in readme


def test_more_dependency_manifests_are_read(tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("django>=5\n")
    (tmp_path / "Pipfile").write_text('[packages]\ncelery = "*"\n[dev-packages]\npytest = "*"\n')
    (tmp_path / "environment.yml").write_text(
        "name: x\ndependencies:\n  - conda-forge::pandas=2.1\n  - scikit-learn\n  - pip:\n    - shap==0.44\n"
    )
    (tmp_path / "setup.cfg").write_text("[options]\ninstall_requires =\n    angr>=9\n    capstone\n\n[x]\n")
    (tmp_path / "go.mod").write_text("module x\nrequire github.com/gin-gonic/gin v1.9.1\n")
    (tmp_path / "Cargo.toml").write_text('[dependencies]\naxum = "0.7"\n')
    (tmp_path / "Gemfile").write_text("gem 'rails', '~> 7'\n")
    dependencies = set(ProjectReader().read(tmp_path).dependencies)
    assert dependencies >= {
        "django",
        "celery",
        "pytest",
        "pandas",
        "scikit-learn",
        "shap",
        "angr",
        "capstone",
    }
    assert dependencies >= {"gin", "axum", "rails"}


def test_ci_and_deploy_files_are_read_as_ci_text(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "release.yml").write_text(
        "jobs:\n  deploy:\n    run: kubectl apply"
    )
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nCMD gunicorn app:app")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.yml").write_text("not a ci file")
    ci = ProjectReader().read(tmp_path).ci
    assert "kubectl apply" in ci
    assert "gunicorn" in ci
    assert "not a ci file" not in ci


def test_a_file_added_two_levels_down_is_seen_by_the_cache(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    reader = ProjectReader()
    assert reader.read(tmp_path).files == []
    (tmp_path / "a" / "b" / "new.py").write_text("x")
    assert reader.read(tmp_path).files == ["a/b/new.py"]


def test_a_broken_manifest_is_skipped_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{broken")
    (tmp_path / "pyproject.toml").write_text("[project\n")
    (tmp_path / "environment.yml").write_text("dependencies: [unclosed")
    (tmp_path / "Pipfile").write_text("=")
    assert ProjectReader().read(tmp_path).dependencies == []
