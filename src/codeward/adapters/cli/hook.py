"""`codeward hook CLIENT`: listed here for `codeward --help`; the executable routes hook calls to
`codeward.adapters.hooks.run` before this CLI loads, and this command hands over to the same code."""

from __future__ import annotations

import sys

import click


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def hook(arguments: tuple[str, ...]) -> None:
    """Answer one agent hook call (claude-code, codex, cursor, gemini, copilot); `codeward hook -h`."""
    from codeward.adapters.hooks.run import main

    sys.exit(main(list(arguments)))
