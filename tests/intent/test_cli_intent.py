"""`codeward intent`: the inferred intent with its evidence, as text or JSON, for a directory and a prompt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from codeward.adapters.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["intent", *args])


@pytest.fixture
def ctf(tmp_path: Path) -> Path:
    (tmp_path / "exploits").mkdir()
    (tmp_path / "exploits" / "heap.py").write_text("")
    (tmp_path / "writeups").mkdir()
    (tmp_path / "writeups" / "heap.md").write_text("")
    (tmp_path / "requirements.txt").write_text("pwntools==4.12\n")
    (tmp_path / "README.md").write_text("# picoCTF 2024\nSolutions.")
    return tmp_path


@pytest.fixture
def service(tmp_path: Path) -> Path:
    for path in ("Dockerfile", "docker-compose.yml", "manage.py", "app/wsgi.py", "app/migrations/0001.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    (tmp_path / "requirements.txt").write_text("django\ngunicorn\npsycopg2-binary\n")
    (tmp_path / "README.md").write_text("Billing web service, deployed to production.")
    return tmp_path


def test_the_text_output_names_the_intent_and_its_evidence(ctf: Path) -> None:
    result = run("--project", str(ctf))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("inferred intent: security_research")
    assert "pwntools in the dependencies -> security_research" in result.output
    assert "“writeup” in the file names (e.g. writeups/heap.md)" in result.output
    assert "governing intent: security_research (inferred, not trusted" in result.output


def test_the_json_output_is_a_distribution_with_evidence(ctf: Path) -> None:
    result = run("--project", str(ctf), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["inferred"] == "security_research"
    assert sum(document["distribution"].values()) == pytest.approx(1.0, abs=0.01)
    assert document["confidence"] == max(document["distribution"].values())
    assert any("picoCTF" in line for line in document["evidence"])
    assert document["project"]["dependencies"] == ["pwntools"]


def test_a_role_given_without_a_token_does_not_make_a_declaration_count(ctf: Path) -> None:
    result = run("--project", str(ctf), "--intent", "security_research", "--role", "security-engineer")
    assert result.exit_code == 0, result.output
    assert "governing intent: security_research (declared, not trusted" in result.output
    assert "was not verified" in result.output


def test_a_declaration_the_project_contradicts_is_reported(service: Path) -> None:
    result = run("--project", str(service), "--intent", "education", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["inferred"] == "production"
    assert [f["rule_id"] for f in document["findings"]] == ["intent.unauthorized", "intent.mismatch"]


def test_a_prompt_alone_is_enough() -> None:
    result = run("--prompt", "exploit the heap overflow in the picoCTF binary, then write the writeup")
    assert result.exit_code == 0, result.output
    assert "inferred intent: security_research" in result.output
    assert "from the prompt" in result.output


def test_a_missing_directory_is_a_usage_error_without_a_traceback(tmp_path: Path) -> None:
    result = run("--project", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_check_cases_take_the_project_as_a_manifest_object(tmp_path: Path) -> None:
    service = {
        "files": ["Dockerfile", "manage.py", "app/wsgi.py", "app/migrations/0001.py"],
        "dependencies": ["django", "gunicorn", "psycopg2-binary"],
        "readme": "Billing web service, deployed to production.",
        "ci": "jobs:\n  deploy:\n    environment: production\n    steps:\n      - run: kubectl apply -f k8s/\n",
    }
    ctf = {
        "files": ["exploits/heap.py", "writeups/heap.md"],
        "dependencies": ["pwntools"],
        "readme": "picoCTF",
    }
    records = [
        {
            "id": "claimed-course",
            "content": "print(1)",
            "context": {"declared_intent": "education", "roles": ["student"], "project": service},
        },
        {"id": "ctf", "content": "print(1)", "context": {"roles": ["student"], "project": ctf}},
    ]
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(record) for record in records) + "\n")
    result = CliRunner().invoke(cli, ["check", "--cases", str(cases), "--format", "json"])
    decisions = {d["id"]: d for d in map(json.loads, result.output.splitlines())}
    claimed = decisions["claimed-course"]
    assert claimed["intent"]["inferred"] == "production"
    assert claimed["intent"]["authorized"] is False
    assert "intent.mismatch" in {f["rule_id"] for f in claimed["findings"]}
    # the record's student role is verified (a dataset states its context as fact), yet not cleared for research
    assert (decisions["ctf"]["intent"]["name"], decisions["ctf"]["intent"]["authorized"]) == (
        "security_research",
        False,
    )


def test_a_session_s_earlier_decisions_in_the_store_are_evidence(tmp_path: Path) -> None:
    runner, env = CliRunner(), {"CODEWARD_HOME": str(tmp_path), "CODEWARD_DB": None}
    for _ in range(3):
        args = ["check", "-c", "ls", "--intent", "education", "--role", "student", "--session", "s9"]
        assert runner.invoke(cli, args, env=env).exit_code == 0
    result = runner.invoke(cli, ["intent", "--session", "s9", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["inferred"] == "education"
    assert "3 earlier decisions in this session under education -> education" in document["evidence"]
    # the claimed role is unverified: the session's history cannot make education count
    assert document["intent"]["authorized"] is False
    other = json.loads(runner.invoke(cli, ["intent", "--session", "s10", "--format", "json"], env=env).output)
    assert (other["evidence"], other["intent"]["name"]) == ([], "general")
