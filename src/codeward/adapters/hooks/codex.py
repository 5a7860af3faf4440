"""OpenAI Codex CLI `PreToolUse` command hook.

The input is Claude Code's shape (`Bash` with `tool_input.command`; newer builds add `apply_patch`).
The output schema is closed, `ask` is treated as a failed hook (the call runs) and so is `allow`
without `updatedInput`: allow and notice therefore print nothing, and confirm, review and block
all become `deny` with a non-empty reason that says how to proceed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from codeward.adapters.hooks.claude_code import read_claude_shaped
from codeward.adapters.hooks.protocol import (
    HookAnswer,
    Permission,
    ToolCall,
    Verdict,
    context_json,
    object_field,
    patch_call,
    text_field,
)


class Codex:
    name = "Codex"
    can_ask = False
    tool = "codex"

    def read(self, payload: Mapping[str, Any]) -> ToolCall | None:
        if text_field(payload, "tool_name") == "apply_patch":
            context = context_json(
                tool=self.tool, project=text_field(payload, "cwd"), session=text_field(payload, "session_id")
            )
            return patch_call(object_field(payload, "tool_input"), context, tool="apply_patch")
        return read_claude_shaped(payload, tool=self.tool)

    def render(self, verdict: Verdict | None) -> HookAnswer:
        if verdict is None or verdict.permission is Permission.ALLOW:
            return HookAnswer()
        output = {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "deny",
                "permissionDecisionReason": verdict.message,
            }
        }
        return HookAnswer(stdout=json.dumps(output, ensure_ascii=False) + "\n")


DIALECT = Codex()
