"""Gemini CLI `BeforeTool` command hook.

In: `session_id`, `transcript_path`, `cwd`, `hook_event_name`, `timestamp`, `tool_name`, `tool_input`,
`mcp_context`. Out: `decision` allow | deny with a `reason` (sent to the agent) and a `systemMessage`
(shown to the user). There is no `ask`, so confirm and review become `deny` with the way forward.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from codeward.adapters.hooks.protocol import (
    HookAnswer,
    Permission,
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


class Gemini:
    name = "Gemini CLI"
    can_ask = False
    tool = "gemini"

    def read(self, payload: Mapping[str, Any]) -> ToolCall | None:
        event = text_field(payload, "hook_event_name")
        if event is not None and event != "BeforeTool":
            return None
        name = text_field(payload, "tool_name")
        if name is None:
            raise InputError("`tool_name` is missing")
        context = context_json(
            tool=self.tool, project=text_field(payload, "cwd"), session=text_field(payload, "session_id")
        )
        if name == "run_shell_command":
            return shell_call(object_field(payload, "tool_input"), context, tool=name)
        if name == "write_file":
            return write_call(object_field(payload, "tool_input"), context, tool=name)
        if name in ("replace", "edit"):
            return edit_call(object_field(payload, "tool_input"), context, tool=name)
        if name == "read_file":
            return read_call(object_field(payload, "tool_input"), context, tool=name)
        return None

    def render(self, verdict: Verdict | None) -> HookAnswer:
        if verdict is None:
            return HookAnswer()
        output: dict[str, Any] = {"decision": "allow" if verdict.permission is Permission.ALLOW else "deny"}
        if verdict.permission is not Permission.ALLOW:
            output["reason"] = verdict.message
            output["systemMessage"] = verdict.message
        elif verdict.action == "notice" or verdict.failed:
            output["systemMessage"] = verdict.message
        return HookAnswer(stdout=json.dumps(output, ensure_ascii=False) + "\n")


DIALECT = Gemini()
