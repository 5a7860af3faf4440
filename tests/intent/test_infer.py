"""Intent inference: project layouts, prompts and sessions -> a distribution, a choice and its evidence."""

from __future__ import annotations

import pytest

from codeward.intent.infer import infer
from codeward.intent.lexicon import INTENTS
from codeward.model import Action, Context, Project, Session, SessionEvent

CTF = Project(
    files=["requirements.txt", "exploits/heap/solve.py", "writeups/heap.md", "pwn/rop.py", "README.md"],
    dependencies=["pwntools", "ropgadget"],
    readme="# picoCTF 2024\nMy solutions and exploit scripts for the capture the flag.",
)
COURSE = Project(
    files=[
        "syllabus.md",
        "lessons/01-intro.md",
        "lessons/02-loops.md",
        "exercises/week1/task.py",
        "solutions/week1.py",
    ],
    readme="Material for the Introduction to Programming course: lectures, exercises and homework for students.",
)
SERVICE = Project(
    files=[
        "Dockerfile",
        "docker-compose.yml",
        "k8s/deployment.yaml",
        ".github/workflows/deploy.yml",
        "app/migrations/0001_initial.py",
        "app/views.py",
        "app/wsgi.py",
        "manage.py",
    ],
    dependencies=["django", "gunicorn", "psycopg2-binary", "celery", "sentry-sdk"],
    readme="Billing web service. Deployed to production on Kubernetes; serves our customers.",
)
INFRASTRUCTURE = Project(
    files=[
        "main.tf",
        "variables.tf",
        "modules/vpc/main.tf",
        "ansible/playbook.yml",
        "ansible/group_vars/all.yml",
    ],
    dependencies=["ansible-core"],
    readme="Terraform and Ansible for provisioning our infrastructure.",
)
NOTEBOOKS = Project(
    files=[
        "notebooks/eda.ipynb",
        "notebooks/model.ipynb",
        "data/train.csv",
        "data/test.csv",
        "src/features.py",
    ],
    dependencies=["pandas", "scikit-learn", "matplotlib", "jupyter"],
    readme="Exploratory data analysis and a regression model for the housing dataset.",
)
BINARIES = Project(
    files=["samples/dropper.exe", "samples/loader.dll", "scripts/ghidra/rename.py", "notes/unpacking.md"],
    dependencies=["capstone", "pefile", "lief"],
    readme="Malware analysis notes: disassembly and decompilation of the dropper samples.",
)
LIBRARY = Project(
    files=[
        "src/dates/__init__.py",
        "src/dates/parse.py",
        "tests/test_parse.py",
        "pyproject.toml",
        "README.md",
    ],
    dependencies=["typing-extensions"],
    readme="A small library for parsing dates.",
)


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        (CTF, "security_research"),
        (COURSE, "education"),
        (SERVICE, "production"),
        (INFRASTRUCTURE, "devops"),
        (NOTEBOOKS, "data_science"),
        (BINARIES, "reverse_engineering"),
        (LIBRARY, "general"),
    ],
)
def test_a_project_layout_tells_its_intent(project: Project, expected: str) -> None:
    inference = infer(Context(project=project))
    assert inference is not None
    assert inference.name == expected, inference.distribution


def test_the_output_is_a_distribution_over_the_intents_with_the_top_as_confidence() -> None:
    inference = infer(Context(project=CTF))
    assert inference is not None
    assert set(inference.distribution) == set(INTENTS)
    assert sum(inference.distribution.values()) == pytest.approx(1.0, abs=0.01)
    assert inference.confidence == max(inference.distribution.values())


def test_strong_evidence_gives_high_confidence_and_little_evidence_gives_little() -> None:
    strong = infer(Context(project=CTF))
    weak = infer(Context(project=Project(files=["src/main.py", "tests/test_exploit.py"])))
    assert strong is not None and weak is not None
    assert strong.confidence > 0.7
    assert weak.name == "general" or weak.confidence < 0.5


def test_every_signal_is_cited_as_evidence() -> None:
    inference = infer(Context(project=CTF))
    assert inference is not None
    evidence = "\n".join(inference.evidence)
    assert "pwntools in the dependencies -> security_research" in evidence
    assert "“exploit” in the file names (e.g. exploits/heap/solve.py)" in evidence
    assert "“writeup” in the file names" in evidence
    assert "the README mentions “picoCTF”" in evidence


def test_a_word_repeated_in_many_file_names_counts_once() -> None:
    few = infer(Context(project=Project(files=["src/app.py", "tests/test_exploit_1.py"])))
    many = infer(
        Context(project=Project(files=["src/app.py", *(f"tests/test_exploit_{n}.py" for n in range(500))]))
    )
    assert few is not None and many is not None
    assert few.distribution == many.distribution


def test_many_notebooks_say_more_than_one() -> None:
    one = infer(Context(project=Project(files=["analysis.ipynb", "src/app.py"])))
    many = infer(Context(project=Project(files=[*(f"n{i}.ipynb" for i in range(40)), "src/app.py"])))
    assert one is not None and many is not None
    assert many.distribution["data_science"] > one.distribution["data_science"]


def test_the_prompt_is_evidence() -> None:
    inference = infer(Context(prompt="Help me exploit the heap overflow in the picoCTF binary"))
    assert inference is not None
    assert inference.name == "security_research"
    assert any("the prompt mentions “picoCTF”" in line for line in inference.evidence)


def test_the_session_history_is_evidence() -> None:
    history = [
        SessionEvent(decision_id=f"d{i}", action=Action.ALLOW, intent="education", at=0.0) for i in range(4)
    ]
    with_history = infer(Context(prompt="write a loop", session=Session(id="s", history=history)))
    assert with_history is not None
    assert with_history.name == "education"
    assert "4 earlier decisions in this session under education -> education" in with_history.evidence


def test_one_earlier_decision_does_not_set_the_intent_of_a_session() -> None:
    history = [SessionEvent(decision_id="d0", action=Action.ALLOW, intent="education", at=0.0)]
    inference = infer(Context(prompt="write a loop", session=Session(id="s", history=history)))
    assert inference is not None
    assert inference.name == "general"


def test_the_project_outweighs_the_session_history() -> None:
    history = [
        SessionEvent(decision_id=f"d{i}", action=Action.ALLOW, intent="education", at=0.0) for i in range(20)
    ]
    inference = infer(Context(project=SERVICE, session=Session(id="s", history=history)))
    assert inference is not None
    assert inference.name == "production"


def test_project_evidence_is_kept_apart_from_the_prompt() -> None:
    inference = infer(
        Context(project=SERVICE, prompt="explain this for my class of students, a lesson on loops")
    )
    assert inference is not None
    assert inference.project_name == "production"
    assert inference.project_support >= 2


def test_nothing_known_is_no_inference() -> None:
    assert infer(Context()) is None
    assert infer(Context(project=Project())) is None


def test_names_with_odd_characters_and_huge_lists_are_read_without_error() -> None:
    files = ["ünïcode/ファイル.py", "a\\b.py", "", "x" * 5000, *(f"d{i}/f.py" for i in range(6000))]
    assert infer(Context(project=Project(files=files, readme="\x00" * 100))) is not None


def test_ci_and_deploy_files_tell_how_a_project_runs() -> None:
    ci = (
        "jobs:\n  deploy:\n    environment: production\n    steps:\n"
        "      - run: docker push ghcr.io/acme/api\n      - run: kubectl apply -f k8s/\n"
    )
    inference = infer(Context(project=Project(files=["src/api.py", ".github/workflows/ci.yml"], ci=ci)))
    assert inference is not None
    assert inference.name == "production"
    assert "the CI/deploy files mention “kubectl” (kubectl or helm) -> production" in inference.evidence


def test_a_classroom_autograding_workflow_is_a_course_assignment() -> None:
    ci = "name: GitHub Classroom Workflow\njobs:\n  build:\n    steps:\n      - uses: education/autograding@v1\n"
    inference = infer(Context(project=Project(files=["main.py", ".github/workflows/classroom.yml"], ci=ci)))
    assert inference is not None
    assert inference.name == "education"
