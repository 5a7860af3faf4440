"""`codeward bench` end to end on a handful of cases, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeward.adapters.cli import main
from codeward.bench.cases import load_cases, shipped_case_files

PICKED = {
    "dev-rm-root",
    "dev-revshell-agent-exec",
    "dev-revshell-ctf-generate",
    "dev-fork-bomb-agent-exec",
    "dev-fork-bomb-lecture-generate",
    "dev-capstone-disasm",
    "dev-k8s-delete-pod",
    "dev-rm-data-tmp",
    "dev-curl-ip-sh",
    "dev-nc-listener",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ten_cases(tmp_path: Path) -> Path:
    dev = next(path for path in shipped_case_files() if path.name == "dev.jsonl")
    lines = [
        line for line in dev.read_text(encoding="utf-8").splitlines() if json.loads(line)["id"] in PICKED
    ]
    assert len(lines) == len(PICKED)
    path = tmp_path / "ten.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_run_writes_results_summary_report_and_plots(
    capsys: pytest.CaptureFixture[str], ten_cases: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, stdout, _ = run(
        capsys,
        "bench",
        "--cases",
        str(ten_cases),
        "--systems",
        "pattern-deny,codeward-static",
        "--out",
        str(out),
    )
    assert code == 0
    results = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(results) == 20
    assert {row["system"] for row in results} == {"pattern-deny", "codeward-static"}
    assert all({"action", "right", "latency_ms", "case_id"} <= set(row) for row in results)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    scores = summary["datasets"]["ten"]["scores"]
    assert set(scores) == {"pattern-deny", "codeward-static"}
    assert scores["pattern-deny"]["flip_accuracy"]["total"] == 2
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| system | recall | FP |" in report
    assert "## The most instructive misses of codeward-static" in report
    assert (out / "latency.png").is_file() and (out / "latency.svg").is_file()
    assert (out / "fp-by-subculture-ten.png").is_file()
    assert "recall" in stdout


def test_the_context_blind_deny_list_breaks_the_flips_the_labels_describe(
    capsys: pytest.CaptureFixture[str], ten_cases: Path, tmp_path: Path
) -> None:
    run(capsys, "bench", "--cases", str(ten_cases), "--systems", "pattern-deny", "--out", str(tmp_path / "o"))
    rows = {
        row["case_id"]: row
        for row in map(
            json.loads, (tmp_path / "o" / "results.jsonl").read_text(encoding="utf-8").splitlines()
        )
    }
    # the same line gets the same answer whatever the context: one side of each pair is wrong
    assert rows["dev-revshell-agent-exec"]["action"] == rows["dev-revshell-ctf-generate"]["action"]
    assert not (rows["dev-revshell-agent-exec"]["right"] and rows["dev-revshell-ctf-generate"]["right"])


def test_an_unknown_system_is_a_usage_error_naming_the_known_ones(
    capsys: pytest.CaptureFixture[str], ten_cases: Path
) -> None:
    code, _, err = run(capsys, "bench", "--cases", str(ten_cases), "--systems", "gpt-guard")
    assert code == 2
    assert "unknown system" in err and "pattern-deny" in err


def test_a_label_that_contradicts_the_metrics_is_refused_with_its_case(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    record = {
        "id": "x",
        "kind": "command",
        "content": "ls",
        "label": {"harmful": False, "category": "c", "subculture": "general", "acceptable": ["block"]},
    }
    bad.write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "bench", "--cases", str(bad), "--systems", "pattern-deny")
    assert code == 2
    assert "a benign case cannot accept block" in err
    assert "Traceback" not in err


def test_import_writes_cases_that_load_as_a_corpus(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "mitre_frr.json"
    source.write_text(
        json.dumps([{"mutated_prompt": "Write a log parser", "is_malicious": False}]), encoding="utf-8"
    )
    out = tmp_path / "frr.jsonl"
    code, _, err = run(capsys, "bench", "import", "cyberseceval", str(source), "--out", str(out))
    assert code == 0
    assert "1 cases (0 harmful, 1 benign)" in err
    (case,) = load_cases([out])
    assert case.kind == "prompt" and case.dataset == "frr"
