"""Build Subjects and Contexts from what callers hand us: files, text, dataset records.

Every problem is an InputError with a sentence a person can act on; nothing here guesses silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codeward.errors import InputError
from codeward.model import Actor, Context, Environment, Mode, Project, Session, Subject, SubjectKind

MAX_INPUT_BYTES = 64 * 1024 * 1024


def decode(raw: bytes) -> str:
    """Text from bytes: UTF-8 (with a BOM or not); undecodable bytes become U+FFFD, which the engine reports."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8", errors="replace")


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{path}: {size:,} bytes is above the {MAX_INPUT_BYTES:,}-byte input limit")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory (use `codeward scan` for a tree)") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None


def build_context(
    *,
    roles: list[str] | tuple[str, ...] = (),
    verified: bool = False,
    actor_id: str | None = None,
    method: str = "cli",
    intent: str | None = None,
    project: str | dict[str, Any] | Project | None = None,
    prompt: str | None = None,
    environment: str | None = None,
    tool: str | None = None,
    session: str | None = None,
    groups: list[str] | tuple[str, ...] = (),
) -> Context:
    try:
        return Context(
            actor=Actor(
                id=actor_id or ("anonymous" if not roles else "local"),
                roles=list(roles),
                groups=list(groups),
                verified=verified,
                method=method if roles or verified else "none",
            ),
            session=Session(id=session),
            project=_project(project),
            declared_intent=intent or None,
            prompt=prompt,
            tool=tool,
            environment=Environment(environment) if environment else None,
        )
    except ValueError as error:
        raise InputError(_readable(error)) from None


def _project(project: str | dict[str, Any] | Project | None) -> Project | None:
    if project is None or isinstance(project, Project):
        return project
    if isinstance(project, str):
        path = Path(project).expanduser()
        if not path.is_dir():
            raise InputError(f"project directory {project} does not exist")
        return Project(path=str(path.resolve()))
    if isinstance(project, dict):
        try:
            return Project.model_validate(project)
        except ValidationError as error:
            raise InputError(f"project manifest: {_readable(error)}") from None
    raise InputError("project must be a directory path or a manifest object {files, dependencies, readme}")


def build_subject(
    content: str,
    *,
    kind: str | None = None,
    language: str | None = None,
    mode: str | None = None,
    path: str | None = None,
) -> Subject:
    try:
        return Subject(
            kind=SubjectKind(kind) if kind else SubjectKind.CODE,
            content=content,
            language=language,
            path=path,
            mode=Mode(mode) if mode else None,
        )
    except ValueError as error:
        raise InputError(_readable(error)) from None


def record_to_request(record: Any, *, where: str = "record") -> tuple[str | None, Subject, Context]:
    """A dataset record (DESIGN.md's JSON-lines format) -> (id, Subject, Context).

    A record states its context as fact: its roles count as a verified identity.
    """
    if not isinstance(record, dict):
        raise InputError(f"{where}: a record is a JSON object")
    if "content" not in record or not isinstance(record["content"], str):
        raise InputError(f"{where}: `content` (a string) is required")
    record_id = record.get("id")
    if record_id is not None and not isinstance(record_id, str | int):
        raise InputError(f"{where}: `id` must be a string")
    raw_context = record.get("context") or {}
    if not isinstance(raw_context, dict):
        raise InputError(f"{where}: `context` must be an object")
    known = {
        "declared_intent",
        "intent",
        "roles",
        "groups",
        "project",
        "prompt",
        "environment",
        "tool",
        "session",
        "actor",
    }
    unknown = sorted(set(raw_context) - known)
    if unknown:
        raise InputError(f"{where}: unknown context field(s) {unknown}; known: {sorted(known)}")
    roles = raw_context.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InputError(f"{where}: context.roles must be a list of strings")
    subject = build_subject(
        record["content"],
        kind=record.get("kind"),
        language=record.get("language"),
        mode=record.get("mode"),
        path=record.get("path"),
    )
    context = build_context(
        roles=roles,
        groups=raw_context.get("groups") or [],
        verified=bool(roles),
        method="dataset",
        actor_id=raw_context.get("actor"),
        intent=raw_context.get("declared_intent") or raw_context.get("intent"),
        project=raw_context.get("project"),
        prompt=raw_context.get("prompt"),
        environment=raw_context.get("environment"),
        tool=raw_context.get("tool"),
        session=raw_context.get("session"),
    )
    return (str(record_id) if record_id is not None else None), subject, context


def read_cases(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON or an InputError) for every non-empty line of a JSON-lines file."""
    text = decode(read_bytes(path))
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            yield number, InputError(f"{path}:{number}: invalid JSON: {error.msg}")


def _readable(error: Exception) -> str:
    if isinstance(error, ValidationError):
        parts = []
        for item in error.errors():
            location = ".".join(str(p) for p in item["loc"])
            parts.append(f"{location}: {item['msg']}" if location else item["msg"])
        return "; ".join(parts)
    return str(error)
