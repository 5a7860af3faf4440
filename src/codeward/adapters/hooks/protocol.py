"""What every agent hook shares: the check request it builds, the answer it gives, and the rules that
turn a decision, or a failure, into an answer that a client with or without `ask` will honour.

Stdlib only: a hook runs on every tool call and must start in tens of milliseconds, so nothing here
imports pydantic. Requests and decisions travel as the JSON of `codeward.model` (`Subject`,
`Context`, `Decision`) and are validated where the engine runs.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple, NotRequired, Protocol, TypedDict

from codeward.adapters.hooks.relay import codeward_home
from codeward.errors import InputError

MAX_STDIN_BYTES = 64 * 1024 * 1024
MAX_REASON_CHARS = 2000
FailMode = Literal["open", "confirm", "closed"]
AskOrDeny = Literal["ask", "deny"]


class SubjectJSON(TypedDict, total=False):
    kind: str
    content: str
    language: str
    path: str
    mode: str


class ContextJSON(TypedDict, total=False):
    actor: dict[str, Any]
    session: dict[str, Any]
    project: dict[str, Any]
    declared_intent: str
    prompt: str
    tool: str
    environment: str


class CheckRequest(TypedDict):
    """The body of `POST /v1/check`: a Subject and a Context as JSON; `token`, who the hook runs for
    (`CODEWARD_TOKEN`), is verified where the check is made and never sent as part of the body."""

    subject: SubjectJSON
    context: ContextJSON
    token: NotRequired[str]


DecisionJSON = dict[str, Any]
"""`codeward.model.Decision` as JSON: the contract between the engine and every adapter."""


class HookSettings(NamedTuple):
    """How a hook answers where the client cannot pause for a person, and what a failure becomes.

    `fail` is the policy's `fail`; `confirm` and `review` come from the policy's `hooks:` section.
    """

    fail: FailMode = "confirm"
    confirm: AskOrDeny = "ask"
    review: AskOrDeny = "ask"

    @classmethod
    def from_json(cls, data: object) -> HookSettings | None:
        if not isinstance(data, dict):
            return None
        fail, confirm, review = data.get("fail"), data.get("confirm"), data.get("review")
        if fail not in ("open", "confirm", "closed") or confirm not in ("ask", "deny"):
            return None
        if review not in ("ask", "deny"):
            return None
        return cls(fail=fail, confirm=confirm, review=review)

    def to_json(self) -> dict[str, str]:
        return {"fail": self.fail, "confirm": self.confirm, "review": self.review}

    def tightened(self, confirm: AskOrDeny | None, review: AskOrDeny | None) -> HookSettings:
        """Command-line options may turn `ask` into `deny`, never the reverse."""
        return HookSettings(
            fail=self.fail,
            confirm="deny" if "deny" in (self.confirm, confirm) else "ask",
            review="deny" if "deny" in (self.review, review) else "ask",
        )


UNKNOWN_POLICY = HookSettings(fail="closed", confirm="deny", review="deny")
"""When the policy itself could not be read, nothing about it is known: fail closed."""


class Permission:
    """The three answers a client understands (plain strings: an Enum costs import time here)."""

    ALLOW = "allow"
    ASK = "ask"
    DENY = "deny"


class Verdict(NamedTuple):
    """The answer in client-neutral terms; each dialect writes it in its own words."""

    permission: str
    """One of Permission's values."""
    action: str
    """The codeward action behind it (allow, notice, confirm, review, block)."""
    message: str
    """The full explanation: what was found, and the way forward."""
    decision_id: str | None = None
    failed: bool = False


class ToolCall(NamedTuple):
    """One judged tool call: the check request and a short label for messages and logs."""

    request: CheckRequest
    label: str
    quiet_unless_stopped: bool = False
    """Reads: codeward speaks only to stop one, and otherwise leaves the client's own flow alone."""


class HookAnswer(NamedTuple):
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0


class Dialect(Protocol):
    """A client's hook protocol: its payload in, its answer out."""

    name: str
    can_ask: bool
    """Whether the client honours an `ask` answer (Codex, Gemini and Copilot do not)."""

    def read(self, payload: Mapping[str, Any]) -> ToolCall | None:
        """The tool call to judge, or None when codeward has no opinion on this tool.

        Raises InputError when the payload lacks what its tool needs.
        """
        ...

    def render(self, verdict: Verdict | None) -> HookAnswer:
        """The answer; None means no opinion (the client's own flow decides)."""
        ...


class JudgeFailure(Exception):
    """No decision could be had: engine error, timeout, unreachable service, invalid policy."""

    def __init__(self, message: str, settings: HookSettings | None = None) -> None:
        super().__init__(message)
        self.settings = settings


class Judged(NamedTuple):
    decision: DecisionJSON
    settings: HookSettings


class Judge(Protocol):
    """Where a check is made. `decide` answers before `deadline` (a time.monotonic() value) or raises."""

    def decide(self, request: CheckRequest, *, deadline: float) -> Judged: ...


# ---------------------------------------------------------------------------------------------- answering
def respond(
    dialect: Dialect,
    raw: bytes,
    judge: Judge,
    *,
    deadline: float,
    defaults: HookContext | None = None,
    tighten: tuple[AskOrDeny | None, AskOrDeny | None] = (None, None),
) -> HookAnswer:
    """The whole hook: payload bytes in, the client's answer out. Never raises, never allows silently
    on a failure unless the policy says `fail: open`; every failure is logged."""
    try:
        payload = parse_payload(raw)
        call = dialect.read(payload)
    except InputError as error:
        return failure_answer(dialect, f"the {dialect.name} hook input is unusable: {error}", None, tighten)
    if call is None:
        return dialect.render(None)
    request = (defaults or HookContext()).apply(call.request)
    try:
        judged = judge.decide(request, deadline=deadline)
    except JudgeFailure as failure:
        problem = f"no decision for {call.label}: {failure}"
        return failure_answer(dialect, problem, failure.settings, tighten)
    except Exception as error:  # the hook must answer whatever happens inside it
        problem = f"no decision for {call.label}: internal error {type(error).__name__}: {error}"
        return failure_answer(dialect, problem, None, tighten)
    settings = judged.settings.tightened(*tighten)
    verdict = verdict_for(judged.decision, dialect, settings)
    if call.quiet_unless_stopped and verdict.permission is Permission.ALLOW:
        return dialect.render(None)
    return dialect.render(verdict)


def failure_answer(
    dialect: Dialect,
    problem: str,
    settings: HookSettings | None,
    tighten: tuple[AskOrDeny | None, AskOrDeny | None],
) -> HookAnswer:
    """The answer to a call that got no decision: the failure rule of `settings` (or, unknown, fail
    closed) in the dialect's words, the problem on stderr and in the hook log."""
    known = (settings or UNKNOWN_POLICY).tightened(*tighten)
    log_failure(dialect.name, problem)
    verdict = failure_verdict(problem, dialect, known)
    answer = dialect.render(verdict)
    return HookAnswer(answer.stdout, (answer.stderr + f"codeward: {problem}\n"), answer.exit_code)


def parse_payload(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_STDIN_BYTES:
        raise InputError(f"{len(raw):,} bytes is above the {MAX_STDIN_BYTES:,}-byte hook input limit")
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        raise InputError("nothing was received on standard input")
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(payload, dict):
        raise InputError("the input is JSON but not an object")
    return payload


_FAILURE_ACTION = {"open": "notice", "confirm": "confirm", "closed": "block"}


def failure_verdict(problem: str, dialect: Dialect, settings: HookSettings) -> Verdict:
    action = _FAILURE_ACTION[settings.fail]
    permission = _permission(action, dialect, settings)
    if permission is Permission.ALLOW:
        way = "the policy says `fail: open`, so it may proceed; the failure is logged"
    else:
        way = (
            f"the policy says `fail: {settings.fail}`, so it does not proceed unchecked. Fix the cause (see "
            f"{log_path()}) and retry, or run the command yourself after reading it"
        )
    message = f"codeward could not judge this ({problem}); {way}."
    return Verdict(permission, action, _bounded(message), failed=True)


def verdict_for(decision: DecisionJSON, dialect: Dialect, settings: HookSettings) -> Verdict:
    action = str(decision.get("action", "block"))
    if action not in _FAILURE_ACTION.values() and action not in ("allow", "review"):
        action = "block"
    permission = _permission(action, dialect, settings)
    return Verdict(
        permission,
        action,
        _bounded(explain(decision, action, permission, dialect)),
        decision_id=_text(decision.get("decision_id")),
    )


def _permission(action: str, dialect: Dialect, settings: HookSettings) -> str:
    if action in ("allow", "notice"):
        return Permission.ALLOW
    if action == "block":
        return Permission.DENY
    wanted = settings.confirm if action == "confirm" else settings.review
    return Permission.ASK if dialect.can_ask and wanted == "ask" else Permission.DENY


def explain(decision: DecisionJSON, action: str, permission: str, dialect: Dialect) -> str:
    """One paragraph: what codeward decided and why, then what would let it proceed."""
    reasons = [str(r) for r in decision.get("reasons") or []]
    remedies = [str(r) for r in decision.get("remedies") or []]
    decision_id = _text(decision.get("decision_id")) or "?"
    risk = decision.get("risk")
    head = f"codeward {action}" + (f" (risk {risk})" if isinstance(risk, int) else "")
    if action == "review":
        review_id = _text(decision.get("review_id"))
        held = f"review {review_id} is pending" if review_id else "it needs a reviewer's approval"
        head += f": {held}"
    if permission is Permission.DENY and action in ("confirm", "review"):
        head += f" — {dialect.name} cannot pause for a person here, so it is denied for now"
    why = "; ".join(reasons[:4]) or "no reason given"
    text = f"{head}. Why: {why}."
    if permission is not Permission.ALLOW:
        ways = remedies[:3] or ["ask the developer to read it and run it themselves"]
        if action in ("confirm", "review") and permission is Permission.DENY:
            ways = [*ways, "or the developer reads it and runs it themselves"]
        text += f" Way forward: {'; '.join(ways)}."
    return f"{text} [decision {decision_id}]"


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------------------------------------- requests
class HookContext(NamedTuple):
    """What the hook's own command line and environment add to every request (`--intent`, `--env`,
    `CODEWARD_TOKEN`)."""

    declared_intent: str | None = None
    environment: str | None = None
    token: str | None = None

    def apply(self, request: CheckRequest) -> CheckRequest:
        context: ContextJSON = dict(request["context"])  # type: ignore[assignment]
        if self.declared_intent and "declared_intent" not in context:
            context["declared_intent"] = self.declared_intent
        if self.environment and "environment" not in context:
            context["environment"] = self.environment
        applied: CheckRequest = {"subject": request["subject"], "context": context}
        if self.token and self.token.strip():
            applied["token"] = self.token.strip()
        return applied


PATH_KEYS = ("file_path", "path", "absolute_path", "notebook_path", "filePath", "target_file")
CONTENT_KEYS = ("content", "contents", "file_text", "text", "new_source", "code")
NEW_TEXT_KEYS = ("new_string", "new_str", "newText", "new_text", "new_source", "replacement")


def shell_call(
    arguments: Mapping[str, Any], context: ContextJSON, *, tool: str, language: str = "bash"
) -> ToolCall:
    command = arguments.get("command", arguments.get("cmd"))
    if isinstance(command, list) and command and all(isinstance(part, str) for part in command):
        command = shlex.join(command)
    if not isinstance(command, str):
        raise InputError(f"{tool}: `command` (a string) is missing")
    subject: SubjectJSON = {"kind": "command", "content": command, "language": language, "mode": "execute"}
    return ToolCall({"subject": subject, "context": context}, f"{tool} `{_preview(command)}`")


def write_call(arguments: Mapping[str, Any], context: ContextJSON, *, tool: str) -> ToolCall:
    path = _first_text(arguments, PATH_KEYS)
    content = _first_text(arguments, CONTENT_KEYS)
    if path is None or content is None:
        raise InputError(f"{tool}: a file path and the content to write are required")
    subject: SubjectJSON = {"kind": "file_write", "content": content, "path": path}
    return ToolCall({"subject": subject, "context": context}, f"{tool} {path}")


def edit_call(arguments: Mapping[str, Any], context: ContextJSON, *, tool: str) -> ToolCall:
    """An edit is judged by its new text, written to its file."""
    path = _first_text(arguments, PATH_KEYS)
    pieces: list[str] = []
    edits = arguments.get("edits")
    if isinstance(edits, list):
        for edit in edits:
            if isinstance(edit, Mapping):
                piece = _first_text(edit, NEW_TEXT_KEYS)
                if piece is not None:
                    pieces.append(piece)
    else:
        piece = _first_text(arguments, NEW_TEXT_KEYS)
        if piece is not None:
            pieces.append(piece)
    if path is None or (not pieces and not isinstance(edits, list)):
        raise InputError(f"{tool}: a file path and the new text are required")
    subject: SubjectJSON = {"kind": "file_write", "content": "\n".join(pieces), "path": path}
    return ToolCall({"subject": subject, "context": context}, f"{tool} {path}")


def read_call(arguments: Mapping[str, Any], context: ContextJSON, *, tool: str) -> ToolCall:
    """A read is judged as the command `cat -- PATH` in execute mode, so that every credential rule
    of the shell analyzers applies to it unchanged; codeward speaks only to stop it."""
    path = _first_text(arguments, PATH_KEYS)
    if path is None:
        raise InputError(f"{tool}: a file path is required")
    subject: SubjectJSON = {
        "kind": "command",
        "content": f"cat -- {shlex.quote(path)}",
        "language": "bash",
        "mode": "execute",
    }
    return ToolCall({"subject": subject, "context": context}, f"{tool} {path}", quiet_unless_stopped=True)


def patch_call(arguments: Mapping[str, Any], context: ContextJSON, *, tool: str) -> ToolCall:
    patch = _first_text(arguments, ("patch", "input", "command", "content"))
    if patch is None:
        raise InputError(f"{tool}: the patch text is missing")
    subject: SubjectJSON = {"kind": "patch", "content": patch}
    return ToolCall({"subject": subject, "context": context}, f"{tool} ({len(patch.splitlines())} lines)")


def context_json(
    *,
    tool: str,
    project: str | None,
    session: str | None = None,
    actor: str | None = None,
) -> ContextJSON:
    """The context every hook can give: the client, its working directory as the project, the session."""
    context: ContextJSON = {"tool": tool}
    if project:
        context["project"] = {"path": project}
    if session:
        context["session"] = {"id": session}
    if actor:
        context["actor"] = {"id": actor, "verified": False, "method": "none"}
    return context


def text_field(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value if isinstance(value, str) and value else None


def object_field(payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A field that should hold an object; some clients send it as a JSON string."""
    value = payload.get(key)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise InputError(f"`{key}` is a string that is not JSON") from None
    if value is None:
        raise InputError(f"`{key}` is missing")
    if not isinstance(value, Mapping):
        raise InputError(f"`{key}` must be an object")
    return value


def _first_text(arguments: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = arguments.get(key)
        if isinstance(value, str):
            return value
    return None


def _preview(command: str) -> str:
    line = " ".join(command.split())
    return line if len(line) <= 80 else line[:79] + "…"


# ---------------------------------------------------------------------------------------------- logging
def log_path() -> str:
    return os.path.join(codeward_home(), "logs", "hooks.log")


def log_failure(client: str, problem: str) -> None:
    """Append one JSON line to `$CODEWARD_HOME/logs/hooks.log`; logging never stops the answer."""
    record = {"at": round(time.time(), 3), "client": client, "problem": problem, "pid": os.getpid()}
    try:
        path = log_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError as error:
        sys.stderr.write(f"codeward: cannot write the hook log ({error})\n")
