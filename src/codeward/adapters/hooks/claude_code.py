"""Claude Code `PreToolUse` command hook.

In: `session_id`, `transcript_path`, `cwd`, `permission_mode`, `hook_event_name`, `tool_name`,
`tool_input`, `tool_use_id` on stdin. Out (exit 0): `hookSpecificOutput` with `permissionDecision`
allow | deny | ask and its reason. `Bash` and `PowerShell` are commands; `Write`, `Edit`, `MultiEdit`
and `NotebookEdit` are file writes; `Read` is judged as `cat PATH` and answered only to stop it;
every other tool gets no answer, so that Claude Code's own permission flow decides.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from codeward.adapters.hooks.protocol import (
    HookAnswer,
    ToolCall,
    Verdict,
    context_json,
    edit_call,
    object_field,
    read_call,
    shell_call,
    text_field,
    write_call,
)
from codeward.errors import InputError


class ClaudeCode:
    name = "Claude Code"
    can_ask = True
    tool = "claude-code"

    def read(self, payload: Mapping[str, Any]) -> ToolCall | None:
        return read_claude_shaped(payload, tool=self.tool)

    def render(self, verdict: Verdict | None) -> HookAnswer:
        if verdict is None:
            return HookAnswer()
        output = {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": verdict.permission,
                "permissionDecisionReason": verdict.message,
            }
        }
        return HookAnswer(stdout=json.dumps(output, ensure_ascii=False) + "\n")


def read_claude_shaped(payload: Mapping[str, Any], *, tool: str) -> ToolCall | None:
    """Claude Code's payload, which Codex shares: the tool name decides the subject."""
    event = text_field(payload, "hook_event_name")
    if event is not None and event != "PreToolUse":
        return None
    name = text_field(payload, "tool_name")
    if name is None:
        raise InputError("`tool_name` is missing")
    context = context_json(
        tool=tool, project=text_field(payload, "cwd"), session=text_field(payload, "session_id")
    )
    if name in ("Bash", "PowerShell", "shell", "local_shell", "exec_command", "container.exec"):
        language = "powershell" if name == "PowerShell" else "bash"
        return shell_call(object_field(payload, "tool_input"), context, tool=name, language=language)
    if name == "Write":
        return write_call(object_field(payload, "tool_input"), context, tool=name)
    if name in ("Edit", "MultiEdit", "NotebookEdit"):
        return edit_call(object_field(payload, "tool_input"), context, tool=name)
    if name == "Read":
        return read_call(object_field(payload, "tool_input"), context, tool=name)
    return None


DIALECT = ClaudeCode()
