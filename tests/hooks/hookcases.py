"""What the hook tests share: a reader of each dialect's answer, payload builders in each client's
input shape, and judges that misbehave on purpose."""

from __future__ import annotations

import json
import time
from typing import Any

from codeward import Guard
from codeward.adapters.hooks import CLIENTS
from codeward.adapters.hooks.protocol import CheckRequest, HookAnswer, HookSettings, Judged

ALL_CLIENTS = sorted(CLIENTS)
ASKING_CLIENTS = ["claude-code", "cursor"]
DENY_ONLY_CLIENTS = ["codex", "copilot", "gemini"]


def shell_payload(client: str, command: str, *, cwd: str = "/tmp") -> dict[str, Any]:
    """A shell tool call in `client`'s own input shape."""
    if client in ("claude-code", "codex"):
        return {
            "session_id": "s-1",
            "transcript_path": None,
            "cwd": cwd,
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "model": "gpt-5-codex",
            "tool_name": "Bash",
            "tool_input": {"command": command},
            "tool_use_id": "toolu_1",
        }
    if client == "cursor":
        return {
            "hook_event_name": "beforeShellExecution",
            "conversation_id": "c-1",
            "generation_id": "g-1",
            "workspace_roots": [cwd],
            "command": command,
            "cwd": cwd,
        }
    if client == "gemini":
        return {
            "session_id": "s-1",
            "transcript_path": "/tmp/t.json",
            "cwd": cwd,
            "hook_event_name": "BeforeTool",
            "timestamp": "2026-11-27T00:00:00Z",
            "tool_name": "run_shell_command",
            "tool_input": {"command": command},
            "mcp_context": None,
        }
    assert client == "copilot"
    return {
        "timestamp": 1704614600000,
        "cwd": cwd,
        "toolName": "bash",
        "toolArgs": json.dumps({"command": command}),
    }


def outcome(client: str, answer: HookAnswer) -> str:
    """What the client will do with `answer`: allow, ask, deny, or none (its own flow decides)."""
    if answer.exit_code == 2:
        return "deny"
    assert answer.exit_code == 0, answer
    if not answer.stdout.strip():
        # Codex and Copilot read silence as "proceed": for them it is the allow answer
        return "allow" if client in ("codex", "copilot") else "none"
    data = json.loads(answer.stdout)
    if client in ("claude-code", "codex"):
        specific = data["hookSpecificOutput"]
        assert specific["hookEventName"] == "PreToolUse"
        return str(specific["permissionDecision"])
    if client == "cursor":
        return str(data["permission"])
    if client == "gemini":
        return "deny" if data["decision"] in ("deny", "block") else str(data["decision"])
    return str(data["permissionDecision"])


def message(client: str, answer: HookAnswer) -> str:
    data = json.loads(answer.stdout)
    if client in ("claude-code", "codex"):
        return str(data["hookSpecificOutput"]["permissionDecisionReason"])
    if client == "cursor":
        return str(data["agent_message"])
    if client == "gemini":
        return str(data["reason"])
    return str(data["permissionDecisionReason"])


class FixedJudge:
    """Answers every request with one decision; records what it was asked."""

    def __init__(self, decision: dict[str, Any], settings: HookSettings | None = None) -> None:
        self.decision = decision
        self.settings = settings or HookSettings()
        self.requests: list[CheckRequest] = []

    def decide(self, request: CheckRequest, *, deadline: float) -> Judged:
        self.requests.append(request)
        return Judged(self.decision, self.settings)


class RaisingGuard:
    """An engine whose check raises; its policy is the real default policy (`fail: confirm`)."""

    def __init__(self, guard: Guard, *, fail: str | None = None, delay: float = 0.0) -> None:
        self.policy = guard.policy
        if fail is not None:
            self.policy = _with_fail(guard, fail)
        self.delay = delay

    def check(self, subject: Any, context: Any, *, deadline: float | None = None) -> Any:
        if self.delay:
            time.sleep(self.delay)
            return None
        raise RuntimeError("analyzer exploded")


def _with_fail(guard: Guard, fail: str) -> Any:
    from dataclasses import replace

    return replace(guard.policy, fail=fail)
