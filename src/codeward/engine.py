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
import threading
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
    Confidence,
    Context,
    Decision,
    Finding,
    FindingSource,
    Intent,
    PolicyRef,
    Severity,
    Subject,
    SubjectKind,
)
from codeward.policy.evaluate import (
    Evaluation,
    Request,
    combined_risk,
    deny_list_hits,
    evaluate,
    fail_action,
    should_sandbox,
)
from codeward.policy.explain import reasons, remedies
from codeward.policy.loader import Policy, load_policy
from codeward.protocols import Analyzer, SandboxBackend, Store

log = logging.getLogger("codeward")

SandboxMode = str  # "auto" | "always" | "never"
_MIN_SANDBOX_SECONDS = 0.5
"""Below this much time left before a deadline, the sandbox is not started."""
MAX_OVERRUNNING = 2
"""Analyses left running past their deadline at once; beyond it a new check is not analysed."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on the work one decision may do; beyond them, analysis degrades and says so."""

    max_parse_bytes: int = 1_000_000
    """Above this size only the linear-time pattern tier reads the content."""
    max_payload_depth: int = 4
    """How many layers of encoding (base64 of zlib of …) are unwrapped."""
    max_payload_bytes: int = 1_000_000
    """Total decoded bytes analysed per decision."""
    max_payloads: int = 64
    """How many payloads are unwrapped per decision (each costs a pass of every analyzer)."""
    max_findings: int = 400


class _Evidence:
    """What one decision has gathered so far, shared with the thread that gathers it.

    The deadline (a `time.monotonic()` instant) is checked between analyzers and payloads; once it
    has expired, nothing more is added and the decision is made on `gathered()`.
    """

    def __init__(self, context: Context, payload_budget: int, deadline: float | None) -> None:
        self.context = context
        self.payload_budget = payload_budget
        self.payloads = 0
        self.unwrapped: dict[tuple[str, str, int], list[Finding]] = {}
        """Findings of payloads already analysed in this decision, by (language, content, depth):
        the same command line handed to `subprocess.run` in ten places is read once."""
        self.deadline = deadline
        self.stage = "starting"
        self.expired = False
        self.finished = threading.Event()
        self.overran = False
        self._lock = threading.Lock()
        self._gathered: list[Finding] = []
        self._analysed: list[str] = []
        self._complete: list[Finding] | None = None
        self._context_read = False
        self.evaluation: Evaluation | None = None
        self._expired_stage = ""

    def out_of_time(self) -> bool:
        if self.deadline is not None and not self.expired and time.monotonic() >= self.deadline:
            self.expire()
        return self.expired

    def expire(self) -> None:
        with self._lock:
            if not self.expired:
                self.expired = True
                self._expired_stage = self.stage

    def add(self, findings: list[Finding], *, analyzer: str | None = None) -> None:
        with self._lock:
            if not self.expired:
                self._gathered += findings
                if analyzer is not None:
                    self._analysed.append(analyzer)

    def analysed(self, findings: list[Finding]) -> None:
        """Every analyzer has run: these are the findings, whatever happens to the project reading."""
        with self._lock:
            if not self.expired:
                self._complete = findings

    def complete(self, context: Context) -> None:
        with self._lock:
            if not self.expired:
                self.context = context
                self._context_read = True

    def evaluated(self, evaluation: Evaluation) -> Evaluation:
        """Remember the policy's latest evaluation: a later failure must not decide less than it."""
        self.evaluation = evaluation
        return evaluation

    def gathered(self) -> list[Finding]:
        with self._lock:
            return _deduplicate(list(self._gathered))

    def result(self, applicable: list[str], limit: int) -> list[Finding]:
        """The complete findings; past the deadline, those gathered in time and a finding that says
        what was left out: analysis (the policy's `fail` action) or only the project's context."""
        with self._lock:
            complete, context_read = self._complete, self._context_read
            missing = [name for name in applicable if name not in self._analysed]
            stage = self._expired_stage
        if complete is not None and context_read:
            return list(complete)
        if complete is not None:
            message = f"the decision's deadline passed while {stage}: judged without the project's context"
            context_lost = _engine_finding("engine.deadline", "analysis.incomplete", message, Severity.LOW)
            return [*complete, context_lost.model_copy(update={"target": PROJECT_CONTEXT})]
        partial = self.gathered()[:limit]
        left_out = f"not analysed: {', '.join(missing)}" if missing else "payloads left unwrapped"
        message = (
            f"the decision's deadline passed while {stage}; decided on the {len(partial)} finding(s) "
            f"gathered in time ({left_out})"
        )
        return [*partial, _engine_finding("engine.deadline", "analysis.error", message, Severity.MEDIUM)]


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
            list(analyzers)
            if analyzers is not None
            else builtin_analyzers(self.rulebook, parse_limit=limits.max_parse_bytes)
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
        self._overrun_lock = threading.Lock()
        self._overrunning = 0

    # ------------------------------------------------------------------ the one public verb
    def check(
        self,
        subject: Subject,
        context: Context | None = None,
        *,
        record_id: str | None = None,
        deadline: float | None = None,
    ) -> Decision:
        """The decision for `subject` in `context`. Never raises: an internal failure is a decision
        with the policy's `fail` action whose reasons name what failed.

        `deadline` is a `time.monotonic()` instant: analysis still running then is abandoned and the
        policy decides on the findings gathered so far, its reasons saying what was not analysed.
        Keep a little time after it for the policy and the reply (milliseconds, not seconds).
        """
        started = time.perf_counter()
        now = self.clock()
        evidence = _Evidence(context or Context(), self.limits.max_payload_bytes, deadline)
        decision_id = new_decision_id(now)
        try:
            subject = self._normalise(subject)
            decision = self._decide(subject, evidence, decision_id, now, record_id)
        except Exception as error:  # fail safe: an internal error is a decision, never a traceback
            log.exception("the engine failed while %s", evidence.stage)
            decision = self._failure(subject, evidence, decision_id, error, record_id)
        decision.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        if self.store is not None:
            self._record(decision, subject, evidence.context)
        return decision

    def _decide(
        self, subject: Subject, evidence: _Evidence, decision_id: str, now: float, record_id: str | None
    ) -> Decision:
        language = subject.language or "text"
        mode = subject.effective_mode
        self._gather(subject, evidence, now)
        context = evidence.context
        findings = evidence.result(self._applicable_analyzers(language), self.limits.max_findings)
        evidence.stage = "matching the deny list"
        findings += self._deny_list(subject, language)

        evidence.stage = "resolving the intent"
        inference = self._infer(context)
        intent, intent_findings = resolve_intent(context, self._clearances, inference)
        findings += intent_findings

        evidence.stage = "evaluating the policy"
        request = Request(subject, context, intent, findings, mode, language, now)
        evaluation = evidence.evaluated(evaluate(self.policy, request))
        sandbox_summary: dict[str, Any] | None = None
        wants_sandbox, problem = self._wants_sandbox(request, evaluation)
        if problem is not None:
            request.findings = findings = [*findings, problem]
            evaluation = evidence.evaluated(evaluate(self.policy, request))
        if wants_sandbox:
            evidence.stage = "running the sandbox"
            sandbox_findings, sandbox_summary = self._run_sandbox(subject, context, evidence.deadline)
            request.findings = findings = findings + sandbox_findings
            evidence.stage = "evaluating the policy with the sandbox's evidence"
            evaluation = evidence.evaluated(evaluate(self.policy, request))

        evidence.stage = "explaining the decision"
        return Decision(
            decision_id=decision_id,
            action=evaluation.action,
            risk=evaluation.risk,
            reasons=reasons(self.policy, request, evaluation),
            findings=findings,
            intent=intent,
            policy=self._policy_ref(_decisive_rule(evaluation)),
            remedies=remedies(self.policy, request, evaluation, decision_id),
            latency_ms=0.0,
            mode=mode,
            kind=subject.kind,
            language=language,
            content_sha256=_content_sha256(subject),
            id=record_id,
            sandbox=sandbox_summary,
        )

    def _failure(
        self, subject: Subject, evidence: _Evidence, decision_id: str, error: Exception, record_id: str | None
    ) -> Decision:
        """The policy's `fail` action, or what the policy had already decided if that is stronger, with
        what failed and whatever evidence was gathered before it."""
        action = fail_action(self.policy)
        what = (
            f"codeward failed while {evidence.stage} ({type(error).__name__}: {str(error)[:160]}); "
            f"the policy's `fail: {self.policy.fail}` makes this {action.value}"
        )
        decided = evidence.evaluation.action if evidence.evaluation is not None else None
        if decided is not None and decided > action:
            action = decided
            what += f", and the policy had already decided {decided.value} before the failure"
        findings = evidence.gathered()
        findings.append(_engine_finding("engine.failed", "analysis.error", what, Severity.MEDIUM))
        return Decision(
            decision_id=decision_id,
            action=action,
            risk=combined_risk(findings),
            reasons=[what],
            findings=findings,
            intent=Intent(),
            policy=self._policy_ref(f"fail.{self.policy.fail}"),
            remedies=[f"retry; if it fails again, report decision {decision_id} with the codeward log"],
            latency_ms=0.0,
            mode=subject.effective_mode,
            kind=subject.kind,
            language=subject.language or "text",
            content_sha256=_content_sha256(subject),
            id=record_id,
        )

    def _policy_ref(self, rule: str | None) -> PolicyRef:
        return PolicyRef(
            id=self.policy.id,
            version=f"{self.policy.version}+{self.policy.revision}",
            rule=rule,
            layers=self.policy.layers,
        )

    # ------------------------------------------------------------------ evidence
    def _gather(self, subject: Subject, evidence: _Evidence, now: float) -> None:
        """History, analysis and project. With a deadline they run in a helper thread that is waited
        on until the deadline only: an analyzer cannot be interrupted, so a slow one is left to finish
        unobserved while the decision is made without it. While MAX_OVERRUNNING such analyses are
        still running, a new one is not started (they would pile up): it is decided as unanalysed."""
        if evidence.deadline is None:
            self._collect(subject, evidence, now)
            return
        with self._overrun_lock:
            busy = self._overrunning
        if busy >= MAX_OVERRUNNING:
            evidence.stage = f"{busy} earlier analyses that overran their deadlines still held the engine"
            evidence.expire()
            return
        failure: list[Exception] = []

        def collect() -> None:
            try:
                self._collect(subject, evidence, now)
            except Exception as error:
                failure.append(error)
            finally:
                with self._overrun_lock:
                    evidence.finished.set()
                    if evidence.overran:
                        self._overrunning -= 1

        threading.Thread(target=collect, name="codeward-analysis", daemon=True).start()
        if not evidence.finished.wait(max(0.0, evidence.deadline - time.monotonic())):
            with self._overrun_lock:
                if not evidence.finished.is_set():
                    evidence.overran = True
                    self._overrunning += 1
            evidence.expire()
        if failure and not evidence.expired:
            raise failure[0]

    def _collect(self, subject: Subject, evidence: _Evidence, now: float) -> None:
        """History first (it can raise friction), then the analyzers, then the project (which only
        informs the intent): past a deadline, what is missing is the least decisive part."""
        evidence.stage = "reading the session history"
        context, history_findings = self._with_history(evidence.context, now)
        evidence.context = context
        evidence.add(history_findings)
        analysed = history_findings + self._analyze(subject, context, 0, evidence)
        evidence.analysed(analysed)
        evidence.stage = "reading the project"
        evidence.complete(self._with_project(context))

    def _applicable_analyzers(self, language: str) -> list[str]:
        return [a.name for a in self.analyzers if language in a.languages or "*" in a.languages]

    # ------------------------------------------------------------------ analysis
    def analyze(self, subject: Subject, context: Context, *, depth: int = 0) -> list[Finding]:
        """Every analyzer's findings for `subject`, payloads unwrapped, failures turned into findings."""
        return self._analyze(subject, context, depth, _Evidence(context, self.limits.max_payload_bytes, None))

    def _analyze(self, subject: Subject, context: Context, depth: int, evidence: _Evidence) -> list[Finding]:
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
        if depth == 0:
            evidence.add(findings)
        for analyzer in self.analyzers:
            if language not in analyzer.languages and "*" not in analyzer.languages:
                continue
            if not parse and language in analyzer.languages:
                continue
            if evidence.out_of_time():
                break
            evidence.stage = f"running the {analyzer.name} analyzer"
            try:
                produced = analyzer.analyze(subject, context)
            except Exception as error:  # fail safe: a crash is evidence, never a silent allow
                log.exception("analyzer %s failed", analyzer.name)
                produced = [
                    _engine_finding(
                        f"engine.analyzer-failed.{analyzer.name}",
                        "analysis.error",
                        f"the {analyzer.name} analyzer failed ({type(error).__name__}: {str(error)[:120]}); "
                        "decided without its evidence",
                        Severity.MEDIUM,
                    )
                ]
            findings += produced
            if depth == 0:
                evidence.add(produced, analyzer=analyzer.name)
        findings = self._unwrap_payloads(findings, context, depth, evidence)
        return _deduplicate(findings)[: self.limits.max_findings]

    def _unwrap_payloads(
        self, findings: list[Finding], context: Context, depth: int, evidence: _Evidence
    ) -> list[Finding]:
        """Each payload is analysed in turn, within one depth and size budget for the whole decision:
        a payload that fans out into many payloads does not get a fresh budget for each."""
        result: list[Finding] = []
        for finding in findings:
            result.append(finding)
            payload = finding.payload
            if payload is None:
                continue
            if evidence.out_of_time():
                continue
            size = len(payload.content)
            spent = evidence.payloads >= self.limits.max_payloads or size > evidence.payload_budget
            if depth + 1 > self.limits.max_payload_depth or spent:
                budget = _engine_finding(
                    "engine.payload-budget",
                    "analysis.incomplete",
                    f"a payload ({payload.origin}) was not unwrapped: the decision's budget (payloads nested "
                    f"{self.limits.max_payload_depth} deep, {self.limits.max_payloads} payloads, "
                    f"{self.limits.max_payload_bytes:,} decoded bytes) is spent",
                    Severity.LOW,
                    lines=finding.lines,
                )
                result.append(budget)
                if depth == 0:
                    evidence.add([budget])
                continue
            evidence.payload_budget -= size
            evidence.payloads += 1
            evidence.stage = f"unwrapping a payload ({payload.origin})"
            key = (payload.language or "", payload.content, depth + 1)
            known = evidence.unwrapped.get(key)
            if known is None:
                inner = Subject(kind=SubjectKind.CODE, content=payload.content, language=payload.language)
                known = self._analyze(inner, context, depth + 1, evidence)
                evidence.unwrapped[key] = known
            nested_findings = [nested.model_copy() for nested in known]
            for nested in nested_findings:
                nested.lines = list(finding.lines)
                nested.evidence = f"[{payload.origin}] {nested.evidence}"
                nested.message = f"{nested.message} (inside {payload.origin})"
            result += nested_findings
            if depth == 0:
                evidence.add(nested_findings)
        return result

    # ------------------------------------------------------------------ context
    def _normalise(self, subject: Subject) -> Subject:
        content = _valid_unicode(subject.content)
        language = normalise(subject.language) or detect(content, path=subject.path, kind=subject.kind)
        if language == subject.language and content is subject.content:
            return subject
        return subject.model_copy(update={"language": language, "content": content})

    def _with_project(self, context: Context) -> Context:
        project = context.project
        if project is None or not project.path or project.files:
            return context
        if not os.path.isdir(project.path):
            return context
        return context.model_copy(update={"project": self.projects.read(project.path)})

    def _with_history(self, context: Context, now: float) -> tuple[Context, list[Finding]]:
        if self.store is None or not context.session.id or context.session.history:
            return context, []
        horizon = now - 8 * self.policy.session.half_life_minutes * 60
        try:
            history = self.store.session_events(context.session.id, since=horizon)
        except Exception as error:
            log.exception("could not read the session history")
            failed = _engine_finding(
                "engine.store-failed",
                "analysis.error",
                f"the session history could not be read from the store ({type(error).__name__}), so the "
                "session's graduated response could not be applied",
                Severity.MEDIUM,
            )
            return context, [failed]
        session = context.session.model_copy(update={"history": history})
        return context.model_copy(update={"session": session}), []

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
    def _wants_sandbox(self, request: Request, evaluation: Evaluation) -> tuple[bool, Finding | None]:
        """Whether to run the sandbox, and a finding when the policy's condition for it failed."""
        if self.sandbox is None or self.sandbox_mode == "never":
            return False, None
        if self.sandbox_mode == "always":
            return True, None
        try:
            return should_sandbox(self.policy, request, evaluation), None
        except Exception as error:
            log.exception("the sandbox condition failed")
            return False, _engine_finding(
                "engine.sandbox-condition-failed",
                "analysis.error",
                f"the policy's sandbox condition failed ({type(error).__name__}: {str(error)[:120]}), so the "
                "sandbox was not run",
                Severity.MEDIUM,
            )

    def _run_sandbox(
        self, subject: Subject, context: Context, deadline: float | None
    ) -> tuple[list[Finding], dict[str, Any] | None]:
        assert self.sandbox is not None
        timeout = self.policy.sandbox.timeout_seconds
        if deadline is not None:
            timeout = min(timeout, deadline - time.monotonic())
            if timeout < _MIN_SANDBOX_SECONDS:
                return [
                    _engine_finding(
                        "engine.sandbox-skipped",
                        "analysis.incomplete",
                        "the policy asked for a sandbox run, but the decision's deadline left no time for it",
                        Severity.LOW,
                    )
                ], None
        try:
            report = self.sandbox.run(subject, context, timeout=timeout)
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
            fail = fail_action(self.policy)
            if fail > decision.action:
                decision.action = fail
            decision.reasons.append(
                f"the audit store failed ({type(error).__name__}); the decision is not on record "
                f"(policy fail: {self.policy.fail})"
            )
            return
        if isinstance(review_id, str):
            decision.review_id = review_id


def _valid_unicode(content: str) -> str:
    """`content` with lone surrogates (from JSON `\\udcff` escapes or undecodable file names) replaced
    by U+FFFD: RE2, SQLite and PostgreSQL reject them, and a deny list must not be dodged by one."""
    if content.isascii():
        return content
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:
        return content.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return content


def _content_sha256(subject: Subject) -> str:
    return hashlib.sha256(subject.content.encode("utf-8", "surrogatepass")).hexdigest()


def _decisive_rule(evaluation: Evaluation) -> str | None:
    if evaluation.decisive is None:
        return None
    return evaluation.decisive.rule_id


PROJECT_CONTEXT = "project context"
"""The target of a deadline finding that lost only the project's context (every analyzer ran)."""


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
