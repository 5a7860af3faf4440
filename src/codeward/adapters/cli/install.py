"""`codeward install|uninstall CLIENT`: add codeward's hook to an agent's settings, or remove it."""

from __future__ import annotations

from pathlib import Path

import click

from codeward.adapters.install import CLIENTS, hook_command, install, settings_path, uninstall

_CLIENT = click.Choice(sorted(CLIENTS))


def _where(function: click.decorators.FC) -> click.decorators.FC:
    function = click.option(
        "--user",
        is_flag=True,
        help="The user-wide settings (e.g. ~/.claude/settings.json) instead of a project's.",
    )(function)
    return click.option(
        "--project",
        type=click.Path(file_okay=False, path_type=Path),
        help="The project whose settings to change (default: the current directory).",
    )(function)


@click.command("install")
@click.argument("client", type=_CLIENT)
@_where
@click.option("--server", metavar="URL", help="Have the hook ask a running codeward service.")
@click.option(
    "--policy", "policies", multiple=True, metavar="FILE|pack:NAME", help="Policy layers for the hook."
)
@click.option(
    "--fast",
    is_flag=True,
    help="Run the hook relay with this Python under -I -S instead of the `codeward` script (a few ms less per call).",
)
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
def install_command(
    client: str,
    project: Path | None,
    user: bool,
    server: str | None,
    policies: tuple[str, ...],
    fast: bool,
    dry_run: bool,
) -> None:
    """Add codeward's hook to CLIENT's settings (merged, idempotent, the old file backed up).

    \b
    Examples:
      codeward install claude-code              # .claude/settings.json of this project
      codeward install codex --user             # ~/.codex/hooks.json
      codeward install cursor --project ~/repo  # ~/repo/.cursor/hooks.json, failClosed: true
    """
    if project and user:
        raise click.UsageError("give --project DIR or --user, not both")
    options: list[str] = []
    if server:
        options += ["--server", server]
    for policy in policies:
        options += ["--policy", str(Path(policy).resolve()) if not policy.startswith("pack:") else policy]
    path = settings_path(client, project=project, user=user)
    command = hook_command(client, options=options, fast=fast)
    change = install(client, path, command=command, dry_run=dry_run)
    click.echo(change.message)
    if change.backup:
        click.echo(f"the previous file is kept as {change.backup}")


@click.command("uninstall")
@click.argument("client", type=_CLIENT)
@_where
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
def uninstall_command(client: str, project: Path | None, user: bool, dry_run: bool) -> None:
    """Remove codeward's hook from CLIENT's settings; everything else stays as it is."""
    if project and user:
        raise click.UsageError("give --project DIR or --user, not both")
    change = uninstall(client, settings_path(client, project=project, user=user), dry_run=dry_run)
    click.echo(change.message)
    if change.backup:
        click.echo(f"the previous file is kept as {change.backup}")
