"""Guard: identity -> intent -> analyzers -> policy -> decision (+ audit).

One engine for every door: the CLI, the service, the hooks and the proxy all build a Subject and
a Context and call `Guard.check`. It never raises for bad content: unreadable, unparseable or
huge input is a finding, and an analyzer that crashes is a finding that escalates the decision.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeward.analyzers import builtin_analyzers
from codeward.analyzers.rulebook import RuleBook
from codeward.context.language import detect, normalise
from codeward.context.project import ProjectReader
from codeward.intent.infer import Inference, infer
from codeward.intent.resolve import Clearances, resolve_intent
from codeward.model import (
    Action,
    Confidence,
    Context,
    Decision,
    Finding,
    FindingSource,
    PolicyRef,
    Severity,
    Subject,
    SubjectKind,
)
from codeward.policy.evaluate import Evaluation, Request, deny_list_hits, evaluate, should_sandbox
from codeward.policy.explain import reasons, remedies
from codeward.policy.loader import Policy, load_policy
from codeward.protocols import Analyzer, SandboxBackend, Store

log = logging.getLogger("codeward")

SandboxMode = str  # "auto" | "always" | "never"


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on the work one decision may do; beyond them, analysis degrades and says so."""

    max_parse_bytes: int = 1_000_000
    """Above this size only the linear-time pattern tier reads the content."""
    max_payload_depth: int = 4
    """How many layers of encoding (base64 of zlib of …) are unwrapped."""
    max_payload_bytes: int = 1_000_000
    """Total decoded bytes analysed per decision."""
    max_findings: int = 400


def new_decision_id(now: float | None = None) -> str:
    """A time-ordered id (48-bit milliseconds + 80 random bits), sortable like a UUIDv7."""
    millis = int((now if now is not None else time.time()) * 1000)
    return f"{millis:012x}{secrets.token_hex(10)}"


class Guard:
    """Judges snippets. Build one and reuse it: the policy, rules and parsers are compiled once."""

    def __init__(
        self,
        policies: Sequence[str | Path] = (),
        *,
        policy: Policy | None = None,
        analyzers: Sequence[Analyzer] | None = None,
        rulebook: RuleBook | None = None,
        store: Store | None = None,
        sandbox: SandboxBackend | None = None,
        sandbox_mode: SandboxMode = "auto",
        inferrer: Callable[[Context], Inference | None] | None = infer,
        project_reader: ProjectReader | None = None,
        limits: Limits = Limits(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        if sandbox_mode not in ("auto", "always", "never"):
            raise ValueError(f"sandbox_mode must be auto, always or never, not {sandbox_mode!r}")
        self.policy = policy if policy is not None else load_policy(list(policies))
        self.rulebook = rulebook if rulebook is not None else RuleBook.builtin()
        self.analyzers: list[Analyzer] = (
            list(analyzers) if analyzers is not None else builtin_analyzers(self.rulebook)
        )
        self.store = store
        self.sandbox = sandbox
        self.sandbox_mode = sandbox_mode
        self.inferrer = inferrer
        self.projects = project_reader or ProjectReader()
        self.limits = limits
        self.clock = clock
        self._clearances = Clearances(
            self.policy.clearances, trust_unverified=self.policy.unverified_roles == "trust"
        )

    # ------------------------------------------------------------------ the one public verb
    def check(
        self, subject: Subject, context: Context | None = None, *, record_id: str | None = None
    ) -> Decision:
        started = time.perf_counter()
        now = self.clock()
        context = context or Context()
        subject = self._normalise(subject)
        language = subject.language or "text"
        mode = subject.effective_mode
        decision_id = new_decision_id(now)

        context = self._with_project(context)
        context = self._with_history(context, now)
        findings = self.analyze(subject, context)
        findings += self._deny_list(subject, language)

        inference = self._infer(context)
        intent, intent_findings = resolve_intent(context, self._clearances, inference)
        findings += intent_findings

        request = Request(subject, context, intent, findings, mode, language, now)
        evaluation = evaluate(self.policy, request)
        sandbox_summary: dict[str, Any] | None = None
        if self._wants_sandbox(request, evaluation):
            sandbox_findings, sandbox_summary = self._run_sandbox(subject, context)
            request.findings = findings = findings + sandbox_findings
            evaluation = evaluate(self.policy, request)

        decision = Decision(
            decision_id=decision_id,
            action=evaluation.action,
            risk=evaluation.risk,
            reasons=reasons(self.policy, request, evaluation),
            findings=findings,
            intent=intent,
            policy=PolicyRef(
                id=self.policy.id,
                version=f"{self.policy.version}+{self.policy.revision}",
                rule=_decisive_rule(evaluation),
                layers=self.policy.layers,
            ),
            remedies=remedies(self.policy, request, evaluation, decision_id),
            latency_ms=0.0,
            mode=mode,
            kind=subject.kind,
            language=language,
            content_sha256=hashlib.sha256(subject.content.encode("utf-8", "surrogatepass")).hexdigest(),
            id=record_id,
            sandbox=sandbox_summary,
        )
        decision.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        if self.store is not None:
            self._record(decision, subject, context)
        return decision

    # ------------------------------------------------------------------ analysis
    def analyze(self, subject: Subject, context: Context, *, depth: int = 0) -> list[Finding]:
        """Every analyzer's findings for `subject`, payloads unwrapped, failures turned into findings."""
        subject = self._normalise(subject)
        language = subject.language or "text"
        size = len(subject.content.encode("utf-8", "surrogatepass"))
        findings: list[Finding] = []
        if depth == 0:
            findings += _input_findings(subject.content, size)
        parse = size <= self.limits.max_parse_bytes
        specific = [a for a in self.analyzers if language in a.languages]
        if not parse:
            findings.append(
                _engine_finding(
                    "engine.too-large",
                    "analysis.incomplete",
                    f"input of {size:,} bytes is above the parse limit ({self.limits.max_parse_bytes:,}): "
                    "only the pattern tier read it",
                    Severity.LOW,
                )
            )
        elif not specific and subject.kind.value != "prompt":
            findings.append(
                _engine_finding(
                    "engine.pattern-tier-only",
                    "analysis.incomplete",
                    f"{language} is analysed by the pattern tier only (no parser for it here)",
                    Severity.INFO,
                )
            )
        for analyzer in self.analyzers:
            if language not in analyzer.languages and "*" not in analyzer.languages:
                continue
            if not parse and language in analyzer.languages:
                continue
            try:
                findings += analyzer.analyze(subject, context)
            except Exception as error:  # fail safe: a crash is evidence, never a silent allow
                log.exception("analyzer %s failed", analyzer.name)
                findings.append(
                    _engine_finding(
                        f"engine.analyzer-failed.{analyzer.name}",
                        "analysis.error",
                        f"the {analyzer.name} analyzer failed ({type(error).__name__}: {str(error)[:120]}); "
                        "decided without its evidence",
                        Severity.MEDIUM,
                    )
                )
        findings = self._unwrap_payloads(findings, context, depth)
        return _deduplicate(findings)[: self.limits.max_findings]

    def _unwrap_payloads(self, findings: list[Finding], context: Context, depth: int) -> list[Finding]:
        budget = self.limits.max_payload_bytes
        result: list[Finding] = []
        for finding in findings:
            result.append(finding)
            payload = finding.payload
            if payload is None:
                continue
            if depth + 1 > self.limits.max_payload_depth or len(payload.content) > budget:
                result.append(
                    _engine_finding(
                        "engine.payload-budget",
                        "analysis.incomplete",
                        f"a payload ({payload.origin}) was not unwrapped further: depth or size budget reached",
                        Severity.LOW,
                        lines=finding.lines,
                    )
                )
                continue
            budget -= len(payload.content)
            inner = Subject(kind=SubjectKind.CODE, content=payload.content, language=payload.language)
            for nested in self.analyze(inner, context, depth=depth + 1):
                nested.lines = list(finding.lines)
                nested.evidence = f"[{payload.origin}] {nested.evidence}"
                nested.message = f"{nested.message} (inside {payload.origin})"
                result.append(nested)
        return result

    # ------------------------------------------------------------------ context
    def _normalise(self, subject: Subject) -> Subject:
        language = normalise(subject.language) or detect(
            subject.content, path=subject.path, kind=subject.kind
        )
        if language == subject.language:
            return subject
        return subject.model_copy(update={"language": language})

    def _with_project(self, context: Context) -> Context:
        project = context.project
        if project is None or not project.path or project.files:
            return context
        if not os.path.isdir(project.path):
            return context
        return context.model_copy(update={"project": self.projects.read(project.path)})

    def _with_history(self, context: Context, now: float) -> Context:
        if self.store is None or not context.session.id or context.session.history:
            return context
        horizon = now - 8 * self.policy.session.half_life_minutes * 60
        try:
            history = self.store.session_events(context.session.id, since=horizon)
        except Exception:
            log.exception("could not read the session history")
            return context
        session = context.session.model_copy(update={"history": history})
        return context.model_copy(update={"session": session})

    def _infer(self, context: Context) -> Inference | None:
        if self.inferrer is None:
            return None
        try:
            return self.inferrer(context)
        except Exception:
            log.exception("intent inference failed")
            return None

    def _deny_list(self, subject: Subject, language: str) -> list[Finding]:
        findings = []
        for compiled, line in deny_list_hits(self.policy, subject, subject.effective_mode, language):
            entry = compiled.entry
            findings.append(
                Finding(
                    rule_id=f"policy.deny.{entry.id}",
                    capability="policy.deny_list",
                    severity=Severity.HIGH,
                    confidence=Confidence.HIGH,
                    source=FindingSource.POLICY,
                    lines=[line],
                    evidence=entry.pattern,
                    message=entry.reason or f"matches the deny list entry {entry.id} ({compiled.layer})",
                )
            )
        return findings

    # ------------------------------------------------------------------ sandbox and store
    def _wants_sandbox(self, request: Request, evaluation: Evaluation) -> bool:
        if self.sandbox is None or self.sandbox_mode == "never":
            return False
        if self.sandbox_mode == "always":
            return True
        try:
            return should_sandbox(self.policy, request, evaluation)
        except Exception:
            log.exception("the sandbox condition failed")
            return False

    def _run_sandbox(self, subject: Subject, context: Context) -> tuple[list[Finding], dict[str, Any] | None]:
        assert self.sandbox is not None
        try:
            report = self.sandbox.run(subject, context, timeout=self.policy.sandbox.timeout_seconds)
            return list(report.findings), report.summary()
        except Exception as error:
            log.exception("the sandbox failed")
            return [
                _engine_finding(
                    "engine.sandbox-failed",
                    "analysis.error",
                    f"the sandbox could not run the snippet ({type(error).__name__}: {str(error)[:160]})",
                    Severity.MEDIUM,
                )
            ], None

    def _record(self, decision: Decision, subject: Subject, context: Context) -> None:
        assert self.store is not None
        try:
            review_id = self.store.record_decision(decision, subject, context)
        except Exception as error:
            log.exception("the store failed")
            fail = {"open": Action.NOTICE, "confirm": Action.CONFIRM, "closed": Action.BLOCK}[
                self.policy.fail
            ]
            if fail > decision.action:
                decision.action = fail
            decision.reasons.append(
                f"the audit store failed ({type(error).__name__}); the decision is not on record "
                f"(policy fail: {self.policy.fail})"
            )
            return
        if isinstance(review_id, str):
            decision.review_id = review_id


def _decisive_rule(evaluation: Evaluation) -> str | None:
    if evaluation.decisive is None:
        return None
    return evaluation.decisive.rule_id


def _engine_finding(
    rule_id: str, capability: str, message: str, severity: Severity, *, lines: list[int] | None = None
) -> Finding:
    return Finding(
        rule_id=rule_id,
        capability=capability,
        severity=severity,
        confidence=Confidence.HIGH,
        source=FindingSource.ENGINE,
        lines=lines or [],
        evidence=message,
        message=message,
    )


def _input_findings(content: str, size: int) -> list[Finding]:
    findings = []
    if "\x00" in content:
        findings.append(
            _engine_finding(
                "engine.binary-input",
                "analysis.incomplete",
                "the input contains NUL bytes (binary data): parsers may have missed parts of it",
                Severity.LOW,
            )
        )
    bad = content.count("\ufffd")
    if bad:
        findings.append(
            _engine_finding(
                "engine.not-utf8",
                "analysis.incomplete",
                f"the input is not valid UTF-8 ({bad} undecodable byte(s) replaced)",
                Severity.LOW,
            )
        )
    return findings


_SOURCE_RANK = {FindingSource.SANDBOX: 3, FindingSource.AST: 2, FindingSource.PATTERN: 1}


def _deduplicate(findings: list[Finding]) -> list[Finding]:
    """Keep one finding per (capability, target, lines): the riskiest, preferring stronger evidence."""
    best: dict[tuple[str, str | None, tuple[int, ...]], Finding] = {}
    order: list[tuple[str, str | None, tuple[int, ...]]] = []
    for finding in findings:
        key = (finding.capability, finding.target, tuple(finding.lines))
        current = best.get(key)
        if current is None:
            best[key] = finding
            order.append(key)
        elif (finding.risk, _SOURCE_RANK.get(finding.source, 0)) > (
            current.risk,
            _SOURCE_RANK.get(current.source, 0),
        ):
            best[key] = finding
    return [best[key] for key in order]
