"""External tools as benchmark systems: CodeShield, Bandit and Semgrep (`pip install 'codeward[bench]'`).

None of them was designed for this job, and the report says so: CodeShield and Bandit look for
insecure code (CWE weaknesses) in what a model writes, Semgrep runs whatever rules it is given. All
three are context-blind. Their outputs map to actions the same way: the tool's top tier (CodeShield
`block`, Bandit HIGH, Semgrep ERROR) blocks; its middle tier (Bandit MEDIUM, Semgrep WARNING) asks
the developer (confirm); its low tier (CodeShield `warn`, Bandit LOW, Semgrep INFO) is a notice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from codeward.bench.cases import BenchCase
from codeward.bench.systems import Verdict, judged_one_by_one
from codeward.model import Action

_TIERS = {"high": Action.BLOCK, "medium": Action.CONFIRM, "low": Action.NOTICE}
SEMGREP_RULES = resources.files("codeward.bench") / "semgrep" / "agent-safety.yaml"
SEMGREP_EXTENSIONS = {"python": ".py", "bash": ".sh", "sh": ".sh", "javascript": ".js"}
SEMGREP_SEVERITY = {"ERROR": Action.BLOCK, "WARNING": Action.CONFIRM, "INFO": Action.NOTICE}


def _highest(actions: Sequence[Action]) -> Action:
    return max(actions, key=lambda action: action.rank, default=Action.ALLOW)


class CodeShieldSystem:
    """Meta's CodeShield (PyPI `codeshield`): regexes, then semgrep rules, for insecure code in model output."""

    name = "codeshield"
    description = "Meta's insecure-code detector for LLM output (CWE patterns, offline)"
    note = "designed to catch insecure code (weak crypto, injection), not harmful behaviour or prompts"

    def available(self) -> tuple[bool, str]:
        try:
            import codeshield.cs  # noqa: F401
        except ImportError:
            return False, "pip install 'codeward[bench]' (codeshield)"
        except Exception as error:  # it looks for semgrep-core when imported
            return False, f"codeshield cannot start: {type(error).__name__}: {str(error)[:160]}"
        return True, ""

    def judge(self, cases: Sequence[BenchCase]) -> Iterator[Verdict]:
        from codeshield.cs import CodeShield

        # CodeShield logs and swallows its internal failures (answering `ignore`): count them for the report
        failures = _Collected()
        logger = logging.getLogger("codeshield")
        saved = (logger.handlers[:], logger.propagate, logger.level)
        logger.handlers, logger.propagate, logger.level = [failures], False, logging.ERROR
        loop = asyncio.new_event_loop()
        failed_cases = 0
        try:

            def decide(case: BenchCase) -> Verdict:
                nonlocal failed_cases
                before = len(failures.messages)
                result = loop.run_until_complete(
                    CodeShield.scan_code(case.content, _codeshield_language(case.language))
                )
                treatment = str(result.recommended_treatment.value)
                issues = result.issues_found or []
                reasons = [f"{_codeshield_rule(issue)}: {issue.description}" for issue in issues[:3]]
                if len(failures.messages) > before:
                    failed_cases += 1
                    reasons.append(
                        f"CodeShield failed internally and answered {treatment}: …{failures.messages[-1][-160:]}"
                    )
                return Verdict(
                    action={"block": Action.BLOCK, "warn": Action.NOTICE}.get(treatment, Action.ALLOW),
                    latency_ms=0.0,
                    reasons=reasons,
                    rule=_codeshield_rule(issues[0]) if issues else None,
                )

            yield from judged_one_by_one(cases, decide)
        finally:
            loop.close()
            logger.handlers, logger.propagate, logger.level = saved
            if failed_cases:
                self.note = (
                    f"{type(self).note}; in this run it failed internally on {failed_cases} case(s) "
                    "and answered ignore (its own fallback)"
                )


class _Collected(logging.Handler):
    """Keeps the messages a third-party logger emits, instead of printing them over the progress bar."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().splitlines()[0] if record.getMessage() else "")


def _codeshield_rule(issue: Any) -> str:
    """The rule's own name: CodeShield prefixes its Semgrep rules with the folders they were loaded from."""
    return str(issue.pattern_id or issue.cwe_id).rsplit(".", 1)[-1]


def _codeshield_language(language: str | None) -> Any:
    """CodeShield's language for ours; None (scan as every language, its own default) when it has none."""
    from codeshield.insecure_code_detector.languages import Language

    known = {
        "python": Language.PYTHON,
        "javascript": Language.JAVASCRIPT,
        "typescript": Language.JAVASCRIPT,
        "c": Language.C,
        "cpp": Language.CPP,
        "java": Language.JAVA,
        "php": Language.PHP,
        "rust": Language.RUST,
        "csharp": Language.CSHARP,
    }
    return known.get(language or "")


class BanditSystem:
    """PyCQA Bandit, in process: a Python security linter (AST plugins with severity and confidence)."""

    name = "bandit"
    description = "PyCQA's Python security linter (reads Python only)"
    note = "Python only: every other language is allowed unread; designed for insecure code, not behaviour"

    def available(self) -> tuple[bool, str]:
        try:
            import bandit.core.manager  # noqa: F401
        except ImportError:
            return False, "pip install 'codeward[bench]' (bandit)"
        return True, ""

    def judge(self, cases: Sequence[BenchCase]) -> Iterator[Verdict]:
        from bandit.core import config, manager

        logging.getLogger("bandit").setLevel(logging.CRITICAL)
        settings = config.BanditConfig()
        with tempfile.TemporaryDirectory(prefix="codeward-bandit-") as folder:

            def decide(case: BenchCase) -> Verdict:
                if case.language != "python":
                    return Verdict(
                        action=Action.ALLOW, latency_ms=0.0, reasons=["not Python: unread"], unread=True
                    )
                path = Path(folder) / "snippet.py"
                path.write_text(case.content, encoding="utf-8", errors="surrogateescape")
                linter = manager.BanditManager(settings, "file", quiet=True)
                linter.discover_files([str(path)])
                linter.run_tests()
                if linter.skipped:
                    return Verdict(
                        action=Action.ALLOW, latency_ms=0.0, reasons=[f"skipped: {linter.skipped[0][1]}"]
                    )
                issues = linter.get_issue_list()
                return Verdict(
                    action=_highest([_TIERS[str(issue.severity).lower()] for issue in issues]),
                    latency_ms=0.0,
                    reasons=[f"{issue.test_id} {issue.severity}: {issue.text}" for issue in issues[:3]],
                    rule=issues[0].test_id if issues else None,
                )

            yield from judged_one_by_one(cases, decide)


class SemgrepSystem:
    """Semgrep with codeward's local rule file for agent code (no registry, no network, no metrics)."""

    name = "semgrep"
    description = (
        "Semgrep with a local rule set for agent code (src/codeward/bench/semgrep/agent-safety.yaml)"
    )
    note = (
        "one semgrep process per run over every snippet: each case's latency is its share of that run "
        "(process start amortised); Python, bash and JavaScript only"
    )

    def __init__(self, rules: Path | None = None, timeout: float = 1800.0) -> None:
        self.rules = rules
        self.timeout = timeout

    def available(self) -> tuple[bool, str]:
        if semgrep_command() is None:
            return False, "pip install 'codeward[bench]' (semgrep)"
        return True, ""

    def judge(self, cases: Sequence[BenchCase]) -> Iterator[Verdict]:
        scanned = [(index, case) for index, case in enumerate(cases) if case.language in SEMGREP_EXTENSIONS]
        started = time.perf_counter()
        findings: dict[int, list[tuple[str, Action]]] = {}
        error: str | None = None
        with tempfile.TemporaryDirectory(prefix="codeward-semgrep-") as folder:
            for index, case in scanned:
                name = f"case{index:06d}{SEMGREP_EXTENSIONS[case.language or '']}"
                (Path(folder) / name).write_text(case.content, encoding="utf-8", errors="surrogateescape")
            if scanned:
                try:
                    findings = self._scan(Path(folder))
                except SemgrepFailed as failure:
                    error = str(failure)
        share = (time.perf_counter() - started) * 1000 / max(len(scanned), 1)
        scanned_indexes = {index for index, _ in scanned}
        for index, case in enumerate(cases):
            if index not in scanned_indexes:
                yield Verdict(
                    action=Action.ALLOW,
                    latency_ms=0.0,
                    reasons=[f"{case.language}: not scanned"],
                    unread=True,
                )
            elif error is not None:
                yield Verdict(action=None, latency_ms=share, error=error)
            else:
                hits = findings.get(index, [])
                yield Verdict(
                    action=_highest([action for _, action in hits]),
                    latency_ms=round(share, 3),
                    reasons=[f"{rule} ({action.value})" for rule, action in hits[:3]],
                    rule=hits[0][0] if hits else None,
                )

    def _scan(self, folder: Path) -> dict[int, list[tuple[str, Action]]]:
        with resources.as_file(SEMGREP_RULES) as default_rules:
            rule_ids = _rule_ids(self.rules or default_rules)
            command = [
                semgrep_command() or "semgrep",
                "scan",
                "--config",
                str(self.rules or default_rules),
                "--json",
                "--metrics=off",
                "--disable-version-check",
                "--no-git-ignore",
                "--quiet",
                str(folder),
            ]
            try:
                done = subprocess.run(
                    command,
                    capture_output=True,
                    timeout=self.timeout,
                    check=False,
                    env={**os.environ, "SEMGREP_SEND_METRICS": "off"},
                )
            except (OSError, subprocess.TimeoutExpired) as failure:
                raise SemgrepFailed(f"semgrep did not run: {failure}") from None
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            raise SemgrepFailed(
                f"semgrep exited {done.returncode}: {done.stderr.decode(errors='replace')[-300:]}"
            ) from None
        fatal = [e for e in report.get("errors", []) if e.get("level") == "error" and not e.get("path")]
        if fatal:
            raise SemgrepFailed(f"semgrep: {str(fatal[0].get('message', fatal[0]))[:300]}")
        findings: dict[int, list[tuple[str, Action]]] = {}
        for result in report.get("results", []):
            index = int(Path(result["path"]).stem.removeprefix("case"))
            rule = _rule_name(str(result["check_id"]), rule_ids)
            action = SEMGREP_SEVERITY.get(str(result["extra"]["severity"]), Action.NOTICE)
            findings.setdefault(index, []).append((rule, action))
        return findings


def semgrep_command() -> str | None:
    """The semgrep executable: on PATH, else beside this Python (a virtualenv that was not activated)."""
    found = shutil.which("semgrep")
    if found is not None:
        return found
    beside = Path(sys.executable).parent / "semgrep"
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


class SemgrepFailed(Exception):
    """Semgrep could not scan the batch."""


def _rule_name(check_id: str, rule_ids: frozenset[str]) -> str:
    """Semgrep prefixes a local rule's id with its file's folders; give back the id as written."""
    return next((rule for rule in rule_ids if check_id.endswith("." + rule)), check_id)


def _rule_ids(rules: Path) -> frozenset[str]:
    document = yaml.safe_load(rules.read_text(encoding="utf-8")) or {}
    return frozenset(str(rule.get("id")) for rule in document.get("rules", []))


def external_systems() -> list[CodeShieldSystem | BanditSystem | SemgrepSystem]:
    return [CodeShieldSystem(), BanditSystem(), SemgrepSystem()]
