"""Put codeward's hook into a client's settings, and take it out again.

`install` merges one hook entry into the client's settings file (creating it if needed), keeps
everything else as it was, backs the old file up once per change, and does nothing when the entry
is already there. `uninstall` removes only entries whose command is a codeward hook for that client,
and the containers that became empty because of it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeward.errors import InputError

HOOK_TIMEOUT_SECONDS = 30
"""The client's timeout for the hook; the hook's own deadline (10 s) answers well before it."""


@dataclass(frozen=True, slots=True)
class Change:
    path: Path
    changed: bool
    backup: Path | None
    message: str


@dataclass(frozen=True, slots=True)
class Client:
    name: str
    project_file: str
    """Relative to the project directory."""
    user_file: str | None
    """Relative to the home directory; None when the client reads hooks from the repository only."""
    add: Callable[[dict[str, Any], str], bool]
    remove: Callable[[dict[str, Any], str], int]


def hook_command(
    client: str, *, executable: str | None = None, options: list[str] | None = None, fast: bool = False
) -> str:
    """The command line the client will run: this installation's `codeward`, so that the client finds
    it; `fast`: this interpreter running the hook relay without `site` (a few ms less per call). With
    `--server http://…` on a POSIX system with bash, the shell relay (`relay.sh`): no interpreter
    starts at all, and it fails closed on its own."""
    options = options or []
    server = next((options[i + 1] for i, o in enumerate(options[:-1]) if o == "--server"), None)
    bash = shutil.which("bash") if os.name == "posix" else None
    if server is not None and server.startswith("http://") and bash and _shell_relay_runs_on(bash):
        from codeward.adapters.hooks import relay

        shell_relay = os.path.join(os.path.dirname(os.path.abspath(relay.__file__)), "relay.sh")
        # -p: no $BASH_ENV and no functions from the environment, which could print or answer for it
        return shlex.join([bash, "-p", shell_relay, client, *options])
    if fast:
        from codeward.adapters.hooks import relay

        launcher = os.path.join(os.path.dirname(os.path.abspath(relay.__file__)), "launch.py")
        relay_script = [sys.executable, "-I", "-S", launcher]
        return shlex.join([*relay_script, client, *options])
    return shlex.join([executable or _codeward_executable(), "hook", client, *options])


def _shell_relay_runs_on(bash: str) -> bool:
    """Whether `bash` is 4.4 or later, as the shell relay needs (macOS ships 3.2)."""
    import subprocess

    version_check = "((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4)))"
    try:
        return subprocess.run([bash, "-c", version_check], timeout=10, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _codeward_executable() -> str:
    found = shutil.which("codeward")
    if found:
        return found
    beside = Path(sys.executable).with_name("codeward")
    return str(beside) if beside.exists() else "codeward"


def is_codeward_hook(command: object, client: str) -> bool:
    if not isinstance(command, str):
        return False
    after = rf"['\"]?\s+{re.escape(client)}(\s|$)"
    return (
        re.search(rf"(^|[/\\\s'\"])codeward(\.exe)?['\"]?\s+hook\s+{re.escape(client)}(\s|$)", command)
        is not None
        or re.search(rf"[/\\]codeward[/\\]adapters[/\\]hooks[/\\](relay\.(py|sh)|launch\.py){after}", command)
        is not None
    )


# ---------------------------------------------------------------------------------------------- clients
def _matcher_groups_add(event: str, matcher: str, timeout: float) -> Callable[[dict[str, Any], str], bool]:
    """Claude Code, Codex and Gemini CLI: hooks.<event> is a list of {matcher, hooks: [handler]}."""

    def add(settings: dict[str, Any], command: str) -> bool:
        groups = _list(_object(settings, "hooks"), event)
        for group in groups:
            if isinstance(group, dict):
                for existing in group.get("hooks") or []:
                    if isinstance(existing, dict) and existing.get("command") == command:
                        return False
        handler: dict[str, Any] = {"type": "command", "command": command, "timeout": timeout}
        if event == "BeforeTool":
            handler["name"] = "codeward"
        groups.append({"matcher": matcher, "hooks": [handler]})
        return True

    return add


def _matcher_groups_remove(event: str, client: str) -> Callable[[dict[str, Any], str], int]:
    def remove(settings: dict[str, Any], command: str) -> int:
        hooks = settings.get("hooks")
        if not isinstance(hooks, dict) or not isinstance(hooks.get(event), list):
            return 0
        removed = 0
        kept_groups = []
        for group in hooks[event]:
            if isinstance(group, dict) and isinstance(group.get("hooks"), list):
                handlers = [
                    h
                    for h in group["hooks"]
                    if not (isinstance(h, dict) and is_codeward_hook(h.get("command"), client))
                ]
                removed += len(group["hooks"]) - len(handlers)
                if not handlers and len(group["hooks"]) > 0:
                    continue
                group = {**group, "hooks": handlers}
            kept_groups.append(group)
        _set_or_drop(hooks, event, kept_groups)
        _set_or_drop(settings, "hooks", hooks)
        return removed

    return remove


def _cursor_add(settings: dict[str, Any], command: str) -> bool:
    settings.setdefault("version", 1)
    hooks = _object(settings, "hooks")
    changed = False
    wanted = {
        "beforeShellExecution": {"command": command, "timeout": HOOK_TIMEOUT_SECONDS, "failClosed": True},
        "preToolUse": {
            "command": command,
            "matcher": "Write|Edit|StrReplace|MultiEdit|Read",
            "timeout": HOOK_TIMEOUT_SECONDS,
            "failClosed": True,
        },
    }
    for event, entry in wanted.items():
        entries = _list(hooks, event)
        if not any(isinstance(e, dict) and e.get("command") == command for e in entries):
            entries.append(entry)
            changed = True
    return changed


def _flat_remove(event_names: tuple[str, ...], key: str, client: str) -> Callable[[dict[str, Any], str], int]:
    """Cursor and Copilot: hooks.<event> is a flat list of handlers."""

    def remove(settings: dict[str, Any], command: str) -> int:
        hooks = settings.get("hooks")
        if not isinstance(hooks, dict):
            return 0
        removed = 0
        for event in event_names:
            entries = hooks.get(event)
            if not isinstance(entries, list):
                continue
            kept = [e for e in entries if not (isinstance(e, dict) and is_codeward_hook(e.get(key), client))]
            removed += len(entries) - len(kept)
            _set_or_drop(hooks, event, kept)
        _set_or_drop(settings, "hooks", hooks)
        return removed

    return remove


def _copilot_add(settings: dict[str, Any], command: str) -> bool:
    settings.setdefault("version", 1)
    entries = _list(_object(settings, "hooks"), "preToolUse")
    if any(isinstance(e, dict) and e.get("bash") == command for e in entries):
        return False
    entries.append(
        {"type": "command", "bash": command, "powershell": command, "timeoutSec": HOOK_TIMEOUT_SECONDS}
    )
    return True


CLIENTS: dict[str, Client] = {
    "claude-code": Client(
        "Claude Code",
        ".claude/settings.json",
        ".claude/settings.json",
        _matcher_groups_add(
            "PreToolUse", "Bash|PowerShell|Write|Edit|MultiEdit|NotebookEdit|Read", HOOK_TIMEOUT_SECONDS
        ),
        _matcher_groups_remove("PreToolUse", "claude-code"),
    ),
    "codex": Client(
        "Codex",
        ".codex/hooks.json",
        ".codex/hooks.json",
        _matcher_groups_add("PreToolUse", "Bash|apply_patch|shell|exec_command", HOOK_TIMEOUT_SECONDS),
        _matcher_groups_remove("PreToolUse", "codex"),
    ),
    "cursor": Client(
        "Cursor",
        ".cursor/hooks.json",
        ".cursor/hooks.json",
        _cursor_add,
        _flat_remove(("beforeShellExecution", "preToolUse"), "command", "cursor"),
    ),
    "gemini": Client(
        "Gemini CLI",
        ".gemini/settings.json",
        ".gemini/settings.json",
        # Gemini's timeout is in milliseconds
        _matcher_groups_add(
            "BeforeTool", "run_shell_command|write_file|replace|read_file", HOOK_TIMEOUT_SECONDS * 1000
        ),
        _matcher_groups_remove("BeforeTool", "gemini"),
    ),
    "copilot": Client(
        "GitHub Copilot",
        ".github/hooks/codeward.json",
        None,
        _copilot_add,
        _flat_remove(("preToolUse",), "bash", "copilot"),
    ),
}


# ---------------------------------------------------------------------------------------------- files
def settings_path(
    client: str, *, project: Path | None = None, user: bool = False, home: Path | None = None
) -> Path:
    spec = _client(client)
    if user:
        if spec.user_file is None:
            raise InputError(f"{spec.name} reads its hooks from the repository only; use --project DIR")
        base = home or Path.home()
        if client == "codex" and os.environ.get("CODEX_HOME") and home is None:
            return Path(os.environ["CODEX_HOME"]).expanduser() / "hooks.json"
        return base / spec.user_file
    root = (project or Path.cwd()).expanduser()
    if not root.is_dir():
        raise InputError(f"project directory {root} does not exist")
    return root / spec.project_file


def install(client: str, path: Path, *, command: str, dry_run: bool = False) -> Change:
    spec = _client(client)
    settings = _load(path)
    if not spec.add(settings, command):
        return Change(path, False, None, f"{spec.name}: codeward's hook is already in {path}")
    if dry_run:
        return Change(path, True, None, f"{spec.name}: would add codeward's hook to {path}")
    backup = _write(path, settings)
    return Change(path, True, backup, f"{spec.name}: added `{command}` to {path}")


def uninstall(client: str, path: Path, *, dry_run: bool = False) -> Change:
    spec = _client(client)
    if not path.exists():
        return Change(path, False, None, f"{spec.name}: {path} does not exist; nothing to remove")
    settings = _load(path)
    removed = spec.remove(settings, "")
    if not removed:
        return Change(path, False, None, f"{spec.name}: no codeward hook in {path}")
    if dry_run:
        return Change(path, True, None, f"{spec.name}: would remove {removed} codeward hook(s) from {path}")
    backup = _write(path, settings)
    if path.name == "codeward.json" and not settings.get("hooks"):
        path.unlink()  # the file codeward created for Copilot holds nothing else
    return Change(path, True, backup, f"{spec.name}: removed {removed} codeward hook(s) from {path}")


def _client(client: str) -> Client:
    try:
        return CLIENTS[client]
    except KeyError:
        raise InputError(f"unknown client {client!r}; one of: {', '.join(CLIENTS)}") from None


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error}") from None
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}:{error.lineno}: not valid JSON ({error.msg}); fix it first, nothing was changed"
        ) from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: the settings are not a JSON object; nothing was changed")
    return data


def _write(path: Path, settings: dict[str, Any]) -> Path | None:
    """Write atomically; keep the previous file as `<name>.codeward-backup-<time>`."""
    backup = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            backup = path.with_name(f"{path.name}.codeward-backup-{time.strftime('%Y%m%d-%H%M%S')}")
            shutil.copy2(path, backup)
        temporary = path.with_name(f".{path.name}.codeward-{os.getpid()}")
        temporary.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        raise InputError(f"{path}: cannot write: {error}") from None
    return backup


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        value = parent[key] = {}
    if not isinstance(value, dict):
        raise InputError(f"`{key}` in the settings is not an object; nothing was changed")
    return value


def _list(parent: dict[str, Any], key: str) -> list[Any]:
    value = parent.get(key)
    if value is None:
        value = parent[key] = []
    if not isinstance(value, list):
        raise InputError(f"`{key}` in the settings is not a list; nothing was changed")
    return value


def _set_or_drop(parent: dict[str, Any], key: str, value: Any) -> None:
    if value in ([], {}):
        parent.pop(key, None)
    else:
        parent[key] = value
