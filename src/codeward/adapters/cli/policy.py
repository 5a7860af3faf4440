"""`codeward policy lint|test|schema|packs` and `codeward capabilities`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from codeward import capabilities as taxonomy
from codeward.errors import PolicyError
from codeward.policy.loader import PolicySource, compile_layers, load_policy, pack_names, parse_policy_file
from codeward.policy.schema import json_schema_text
from codeward.policy_suite import run_suite


@click.group()
def policy() -> None:
    """Policy-as-code: validate, test and document policy files."""


@policy.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE|pack:NAME...")
def lint(files: tuple[str, ...]) -> None:
    """Validate policy files (each alone, then layered over the default); report every error with its line."""
    problems: list[str] = []
    for reference in files:
        try:
            parse_policy_file(PolicySource.resolve(reference))
        except PolicyError as error:
            problems.extend(error.problems)
    if not problems:
        try:
            load_policy(list(files))
        except PolicyError as error:
            problems.extend(error.problems)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(2)
    click.echo(f"ok: {', '.join(files)}")


@policy.command("test")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--policy",
    "policies",
    multiple=True,
    metavar="FILE|pack:NAME",
    help="Extra layers on top of the file's own.",
)
def test_command(files: tuple[Path, ...], policies: tuple[str, ...]) -> None:
    """Run policy test files: snippets with a context and the action(s) each must get."""
    total = failures = 0
    for path in files:
        for result in run_suite(path, list(policies)):
            total += 1
            expected = "|".join(a.value for a in result.expected)
            if result.passed:
                click.echo(f"  ok    {path}: {result.name}")
                continue
            failures += 1
            if result.error:
                click.echo(f"  ERROR {path}: {result.name}: {result.error}")
                continue
            assert result.decision is not None
            click.echo(
                f"  FAIL  {path}: {result.name}: expected {expected}, got {result.decision.action.value}"
            )
            for reason in result.decision.reasons[:4]:
                click.echo(f"          {reason}")
    click.echo(f"{total - failures} passed, {failures} failed")
    if total == 0:
        click.echo("no test cases found", err=True)
        sys.exit(2)
    sys.exit(1 if failures else 0)


@policy.command()
def schema() -> None:
    """Print the JSON Schema of policy files."""
    click.echo(json_schema_text())


@policy.command()
@click.argument("layers", nargs=-1, metavar="[FILE|pack:NAME...]")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
def show(layers: tuple[str, ...], output: str) -> None:
    """Show the merged policy: layers, clearances and rules in evaluation order."""
    compiled = load_policy(list(layers))
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "layers": compiled.layers,
                    "revision": compiled.revision,
                    "clearances": {k: sorted(v) for k, v in compiled.clearances.items()},
                    "rules": [
                        {
                            "id": r.rule.id,
                            "layer": r.layer,
                            "action": r.rule.action.value,
                            "intents": {k: v.value for k, v in r.rule.intents.items()},
                            "final": r.rule.final,
                        }
                        for r in compiled.rules
                    ],
                },
                indent=2,
            )
        )
        return
    click.echo(f"layers: {' < '.join(compiled.layers)}  (revision {compiled.revision})")
    click.echo("clearances:")
    for intent, roles in sorted(compiled.clearances.items()):
        click.echo(f"  {intent:<20} {', '.join(sorted(roles))}")
    click.echo("rules (first match wins):")
    for rule in compiled.rules:
        extra = ", ".join(f"{k}: {v.value}" for k, v in rule.rule.intents.items())
        final = " final" if rule.rule.final else ""
        click.echo(f"  {rule.rule.id:<28} {rule.rule.action.value:<8} {extra}  ({rule.layer}{final})")


@policy.command()
def packs() -> None:
    """List the built-in policy packs (use with --policy pack:NAME)."""
    for name in pack_names():
        source = PolicySource.resolve(f"pack:{name}")
        description = (
            compile_layers([source]).files[source.name].description
            if name == "default"
            else (parse_policy_file(source).description)
        )
        click.echo(f"pack:{name:<16} {description}")


@click.command()
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
def capabilities(output: str) -> None:
    """List the capability taxonomy: what code can do, as codeward names it."""
    if output == "json":
        rows = [
            {"name": c.name, "description": c.description, "severity": c.severity.value, "harmful": c.harmful}
            for c in taxonomy.CAPABILITIES
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for capability in taxonomy.CAPABILITIES:
        click.echo(f"{capability.name:<30} {capability.severity.value:<8} {capability.description}")
