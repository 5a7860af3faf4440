"""Each client's payload becomes the subject the issue describes: what is judged, in which mode."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hookcases import FixedJudge, shell_payload

from codeward.adapters.hooks import dialect
from codeward.adapters.hooks.protocol import HookAnswer

Ask = Callable[..., HookAnswer]
ALLOW = {"decision_id": "d1", "action": "allow", "risk": 0, "reasons": [], "remedies": []}


def judged(ask: Ask, client: str, payload: dict[str, Any]) -> dict[str, Any]:
    judge = FixedJudge(ALLOW)
    ask(client, payload, judge=judge)
    assert len(judge.requests) == 1
    return dict(judge.requests[0])


def test_claude_code_bash_is_an_execute_mode_command_with_the_cwd_as_project(ask: Ask) -> None:
    request = judged(ask, "claude-code", shell_payload("claude-code", "npm test", cwd="/repo"))
    assert request["subject"] == {
        "kind": "command",
        "content": "npm test",
        "language": "bash",
        "mode": "execute",
    }
    assert request["context"]["project"] == {"path": "/repo"}
    assert request["context"]["session"] == {"id": "s-1"}
    assert request["context"]["tool"] == "claude-code"


def test_claude_code_powershell_is_judged_as_powershell(ask: Ask) -> None:
    payload = {
        **shell_payload("claude-code", ""),
        "tool_name": "PowerShell",
        "tool_input": {"command": "Get-ChildItem"},
    }
    assert judged(ask, "claude-code", payload)["subject"]["language"] == "powershell"


def test_claude_code_write_is_a_file_write_with_path_and_content(ask: Ask) -> None:
    payload = {
        **shell_payload("claude-code", ""),
        "tool_name": "Write",
        "tool_input": {"file_path": "/repo/deploy.sh", "content": "#!/bin/sh\nmake\n"},
    }
    subject = judged(ask, "claude-code", payload)["subject"]
    assert subject == {"kind": "file_write", "content": "#!/bin/sh\nmake\n", "path": "/repo/deploy.sh"}


def test_claude_code_multiedit_is_judged_by_its_new_text(ask: Ask) -> None:
    payload = {
        **shell_payload("claude-code", ""),
        "tool_name": "MultiEdit",
        "tool_input": {
            "file_path": "/repo/a.py",
            "edits": [
                {"old_string": "x = 1", "new_string": "import os"},
                {"old_string": "y", "new_string": "os.remove(p)"},
            ],
        },
    }
    subject = judged(ask, "claude-code", payload)["subject"]
    assert subject["content"] == "import os\nos.remove(p)"
    assert subject["path"] == "/repo/a.py"
    assert "x = 1" not in subject["content"]


def test_a_read_is_judged_as_cat_of_its_path(ask: Ask) -> None:
    payload = {
        **shell_payload("claude-code", ""),
        "tool_name": "Read",
        "tool_input": {"file_path": "/home/a b/.ssh/id_rsa"},
    }
    subject = judged(ask, "claude-code", payload)["subject"]
    assert subject["content"] == "cat -- '/home/a b/.ssh/id_rsa'"
    assert subject["mode"] == "execute"


def test_codex_apply_patch_is_a_patch_subject(ask: Ask) -> None:
    patch = "*** Begin Patch\n*** Add File: x.sh\n+rm -rf build\n*** End Patch\n"
    payload = {**shell_payload("codex", ""), "tool_name": "apply_patch", "tool_input": {"command": patch}}
    assert judged(ask, "codex", payload)["subject"] == {"kind": "patch", "content": patch}


def test_copilot_tool_arguments_arrive_as_a_json_string(ask: Ask) -> None:
    payload = {
        "timestamp": 1,
        "cwd": "/repo",
        "toolName": "create",
        "toolArgs": json.dumps({"path": "a.py", "file_text": "x"}),
    }
    assert judged(ask, "copilot", payload)["subject"] == {
        "kind": "file_write",
        "content": "x",
        "path": "a.py",
    }


def test_cursor_uses_the_first_workspace_root_and_the_conversation(ask: Ask) -> None:
    payload = {
        **shell_payload("cursor", "ls", cwd="/repo/sub"),
        "workspace_roots": ["/repo"],
        "user_email": "a@b.c",
    }
    context = judged(ask, "cursor", payload)["context"]
    assert context["project"] == {"path": "/repo"}
    assert context["session"] == {"id": "c-1"}
    assert context["actor"] == {"id": "a@b.c", "verified": False, "method": "none"}


def test_cursor_pre_tool_use_write(ask: Ask) -> None:
    payload = {
        "hook_event_name": "preToolUse",
        "conversation_id": "c",
        "workspace_roots": ["/r"],
        "tool_name": "Write",
        "tool_input": {"file_path": "/r/x.py", "contents": "print(1)"},
    }
    assert judged(ask, "cursor", payload)["subject"]["content"] == "print(1)"


def test_gemini_replace_is_judged_by_its_new_string(ask: Ask) -> None:
    payload = {
        **shell_payload("gemini", ""),
        "tool_name": "replace",
        "tool_input": {"file_path": "/r/a.py", "old_string": "a", "new_string": "b"},
    }
    assert judged(ask, "gemini", payload)["subject"]["content"] == "b"


def test_the_declared_intent_and_environment_of_the_hook_reach_the_request(ask: Ask) -> None:
    from codeward.adapters.hooks.protocol import HookContext

    judge = FixedJudge(ALLOW)
    ask("codex", shell_payload("codex", "ls"), judge=judge, defaults=HookContext("devops", "production"))
    context = judge.requests[0]["context"]
    assert context["declared_intent"] == "devops"
    assert context["environment"] == "production"


@pytest.mark.parametrize("event", ["PostToolUse", "UserPromptSubmit"])
def test_other_events_get_no_opinion(ask: Ask, event: str) -> None:
    payload = {**shell_payload("claude-code", "rm -rf /"), "hook_event_name": event}
    judge = FixedJudge(ALLOW)
    assert ask("claude-code", payload, judge=judge).stdout == ""
    assert judge.requests == []
    assert dialect("claude-code").render(None).stdout == ""
