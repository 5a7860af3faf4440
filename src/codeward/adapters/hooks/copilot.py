"""GitHub Copilot agent hooks (`.github/hooks/*.json`, `preToolUse`) for the CLI and the cloud agent.

In: `timestamp`, `cwd`, `toolName`, and `toolArgs` as a JSON string. Out: `permissionDecision` and
`permissionDecisionReason`; the documentation says only `deny` is processed, so the mapping is
Codex's: allow and notice print nothing, confirm, review and block become `deny` with the way forward.
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


class Copilot:
    name = "GitHub Copilot"
    can_ask = False
    tool = "copilot"

    def read(self, payload: Mapping[str, Any]) -> ToolCall | None:
        name = text_field(payload, "toolName")
        if name is None:
            raise InputError("`toolName` is missing")
        context = context_json(tool=self.tool, project=text_field(payload, "cwd"))
        if name in ("bash", "shell", "powershell"):
            language = "powershell" if name == "powershell" else "bash"
            return shell_call(object_field(payload, "toolArgs"), context, tool=name, language=language)
        if name == "create":
            return write_call(object_field(payload, "toolArgs"), context, tool=name)
        if name in ("edit", "str_replace", "str_replace_editor"):
            return edit_call(object_field(payload, "toolArgs"), context, tool=name)
        if name == "view":
            return read_call(object_field(payload, "toolArgs"), context, tool=name)
        return None

    def render(self, verdict: Verdict | None) -> HookAnswer:
        if verdict is None or verdict.permission is Permission.ALLOW:
            return HookAnswer()
        output = {"permissionDecision": "deny", "permissionDecisionReason": verdict.message}
        return HookAnswer(stdout=json.dumps(output, ensure_ascii=False) + "\n")


DIALECT = Copilot()
