"""Cursor hooks (`.cursor/hooks.json`, version 1): `beforeShellExecution` and `preToolUse`.

In: `hook_event_name`, `conversation_id`, `generation_id`, `workspace_roots`, and `command` + `cwd`
(shell) or `tool_name` + `tool_input` (preToolUse). Out: `permission` allow | deny | ask with a
`user_message` for the person and an `agent_message` for the model. Cursor's auto-review mode has
been reported to ignore `ask`; a policy with `hooks: {confirm: deny, review: deny}` (or the hook's
`--confirm deny --review deny`) answers `deny` instead. The installer sets `failClosed: true`.
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


class Cursor:
    name = "Cursor"
    can_ask = True
    tool = "cursor"

    def read(self, payload: Mapping[str, Any]) -> ToolCall | None:
        event = text_field(payload, "hook_event_name")
        roots = payload.get("workspace_roots")
        root = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], str) else None
        context = context_json(
            tool=self.tool,
            project=root or text_field(payload, "cwd"),
            session=text_field(payload, "conversation_id"),
            actor=text_field(payload, "user_email"),
        )
        if event == "beforeShellExecution" or (event is None and "command" in payload):
            return shell_call(payload, context, tool="shell")
        if event == "beforeReadFile":
            return read_call(payload, context, tool="read")
        if event != "preToolUse":
            return None
        name = text_field(payload, "tool_name")
        if name is None:
            raise InputError("`tool_name` is missing")
        if name in ("Shell", "Bash", "run_terminal_cmd"):
            return shell_call(object_field(payload, "tool_input"), context, tool=name)
        if name == "Write":
            return write_call(object_field(payload, "tool_input"), context, tool=name)
        if name in ("Edit", "StrReplace", "MultiEdit", "search_replace", "edit_file"):
            return edit_call(object_field(payload, "tool_input"), context, tool=name)
        if name in ("Read", "read_file"):
            return read_call(object_field(payload, "tool_input"), context, tool=name)
        return None

    def render(self, verdict: Verdict | None) -> HookAnswer:
        if verdict is None:
            return HookAnswer(stdout=json.dumps({"permission": "allow"}) + "\n")
        output: dict[str, Any] = {"permission": verdict.permission}
        if verdict.permission is not Permission.ALLOW or verdict.action == "notice" or verdict.failed:
            output["user_message"] = verdict.message
            output["agent_message"] = verdict.message
        return HookAnswer(stdout=json.dumps(output, ensure_ascii=False) + "\n")


DIALECT = Cursor()
