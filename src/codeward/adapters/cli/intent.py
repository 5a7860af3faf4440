"""`codeward intent`: why does codeward think this code is being written, and would a declaration count?"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click

from codeward.adapters.cli.check import policy_option
from codeward.adapters.cli.identity import actor_context, token_actor, token_option
from codeward.context.project import ProjectReader
from codeward.intent.infer import infer
from codeward.intent.resolve import Clearances, resolve_intent
from codeward.model import Session
from codeward.policy.loader import load_policy
from codeward.store.local import store_for_check

BAR = 24


@click.command()
@click.option(
    "--project",
    type=click.Path(exists=True, file_okay=False),
    help="The project directory (default: the current directory, unless only --prompt is given).",
)
@click.option("--prompt", help="What the developer asked for.")
@click.option("--intent", "declared", help="A declared intent: shows whether it would be trusted.")
@click.option("--session", help="A session id: its earlier decisions in the audit store are evidence too.")
@click.option(
    "--db", envvar="CODEWARD_DB", metavar="URL|FILE", help="The audit store (default: $CODEWARD_HOME)."
)
@click.option("--role", "roles", multiple=True, help="Your role (repeatable). Unverified without --token.")
@token_option
@policy_option
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def intent(
    project: str | None,
    prompt: str | None,
    declared: str | None,
    session: str | None,
    db: str | None,
    roles: tuple[str, ...],
    token: str | None,
    policies: tuple[str, ...],
    output: str,
) -> None:
    """Infer the intent from a project and a prompt, with the evidence for it.

    \b
    Examples:
      codeward intent
      codeward intent --project ~/ctf/picoctf-2024 --format json
      codeward intent --prompt "exploit the heap overflow in the picoCTF binary"
      codeward intent --project . --intent education --role student
      codeward intent --session 7f3a --prompt "and now the next exercise"
    """
    policy = load_policy(list(policies))
    if project is None and prompt is None and session is None:
        project = os.getcwd()
    manifest = ProjectReader().read(project) if project is not None else None
    actor = token_actor(policy, token, roles)
    context = actor_context(
        actor,
        roles,
        intent=declared,
        project=manifest,
        prompt=prompt,
        tool="cli",
        session=session,
    )
    if session:
        horizon = time.time() - 8 * policy.session.half_life_minutes * 60
        history = store_for_check(db).session_events(session, since=horizon)
        context = context.model_copy(update={"session": Session(id=session, history=history)})
    inference = infer(context)
    clearances = Clearances(policy.clearances, trust_unverified=policy.unverified_roles == "trust")
    governing, findings = resolve_intent(context, clearances, inference)
    if output == "json":
        document = {
            "inferred": governing.inferred,
            "confidence": max(governing.distribution.values(), default=0.0),
            "distribution": governing.distribution,
            "evidence": inference.evidence if inference else [],
            "intent": governing.model_dump(mode="json"),
            "findings": [finding.model_dump(mode="json", exclude_none=True) for finding in findings],
            "project": {
                "path": manifest.path if manifest else None,
                "files": len(manifest.files) if manifest else 0,
                "dependencies": manifest.dependencies if manifest else [],
            },
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    sources = [f"{Path(manifest.path or '.').name}/ ({len(manifest.files)} files)"] if manifest else []
    sources += ["the prompt"] if prompt else []
    if session:
        sources.append(f"session {session} ({len(context.session.history)} earlier decisions)")
    where = ", ".join(sources)
    if inference is None or not governing.distribution:
        click.echo(f"no evidence about the intent in {where}: general")
        return
    top = governing.inferred or "general"
    click.echo(f"inferred intent: {top} ({governing.distribution[top]:.0%}) from {where}")
    for name, probability in sorted(governing.distribution.items(), key=lambda item: -item[1]):
        click.echo(f"  {name:20s} {probability:5.0%} {'█' * round(probability * BAR)}")
    click.echo("evidence:")
    for sentence in inference.evidence or ["(none)"]:
        click.echo(f"  - {sentence}")
    trust = "trusted" if governing.authorized else "not trusted: judged as general"
    click.echo(f"governing intent: {governing.name} ({governing.source}, {trust})")
    for line in governing.evidence:
        if line.startswith(("declared:", "inferred:")):
            click.echo(f"  {line}")
    for finding in findings:
        click.echo(f"  ! {finding.rule_id}: {finding.message}")
