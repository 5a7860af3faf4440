"""`codeward proxy`: an OpenAI-compatible proxy that judges code and tool calls in model responses."""

from __future__ import annotations

import os

import click

from codeward.adapters.cli.check import policy_option


@click.command()
@click.option("--upstream", required=True, metavar="URL", help="The OpenAI-compatible API to forward to.")
@click.option("--listen", default="127.0.0.1:8732", show_default=True, metavar="HOST:PORT")
@click.option("--server", metavar="URL", help="Judge with a running codeward service instead of in-process.")
@click.option(
    "--audit-log",
    type=click.Path(dir_okay=False),
    help="Where each judged item is recorded (default: $CODEWARD_HOME/logs/proxy-audit.jsonl).",
)
@policy_option
def proxy(
    upstream: str, listen: str, server: str | None, audit_log: str | None, policies: tuple[str, ...]
) -> None:
    """Forward /v1/chat/completions (streamed or not), /v1/responses and /v1/models to UPSTREAM,
    replacing stopped code blocks and tool calls with an explanation and its decision id.

    \b
    Point a client at it:  OPENAI_BASE_URL=http://127.0.0.1:8732/v1
    Context headers:       X-Codeward-Intent, X-Codeward-Project, X-Codeward-Session
    """
    from codeward.adapters.proxy import (
        AuditLog,
        ProxyConfig,
        create_app,
        default_audit_path,
        guard_judge_factory,
        serve,
        service_judge_factory,
    )

    host = listen.rpartition(":")[0]
    if host not in ("127.0.0.1", "localhost", "::1", "[::1]"):
        click.echo(
            f"codeward proxy: listening on {host}: anyone who can reach it can use your upstream", err=True
        )
    factory = (
        service_judge_factory(server, os.environ.get("CODEWARD_TOKEN"))
        if server
        else guard_judge_factory(policies)
    )
    app = create_app(ProxyConfig(upstream, factory, AuditLog(audit_log or default_audit_path())))
    click.echo(f"codeward proxy on http://{listen} -> {upstream}", err=True)
    serve(app, listen)
