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
    help="Where each judged item is logged with a hash of what was sent "
    "(default: $CODEWARD_HOME/logs/proxy-audit.jsonl).",
)
@click.option(
    "--db",
    envvar="CODEWARD_DB",
    metavar="URL|FILE",
    help="Where in-process decisions and reviews are recorded (default: $CODEWARD_HOME, as codeward check).",
)
@policy_option
def proxy(
    upstream: str,
    listen: str,
    server: str | None,
    audit_log: str | None,
    db: str | None,
    policies: tuple[str, ...],
) -> None:
    """Forward /v1/chat/completions (streamed or not), /v1/responses and /v1/models to UPSTREAM,
    replacing stopped code blocks and tool calls with an explanation and its decision id.

    \b
    Point a client at it:  OPENAI_BASE_URL=http://127.0.0.1:8732/v1
    Context headers:       X-Codeward-Intent, X-Codeward-Project, X-Codeward-Session,
                           X-Codeward-Token (your codeward token: verified roles)
    Identity:              CODEWARD_OIDC_ISSUER, CODEWARD_OIDC_AUDIENCE, CODEWARD_JWKS
    """
    from codeward.adapters.proxy import (
        AuditLog,
        ProxyConfig,
        create_app,
        default_audit_path,
        guard_judge_factory,
        proxy_authenticator,
        serve,
        service_judge_factory,
    )

    host = listen.rpartition(":")[0]
    if host not in ("127.0.0.1", "localhost", "::1", "[::1]"):
        click.echo(
            f"codeward proxy: listening on {host}: anyone who can reach it can use your upstream", err=True
        )
    audit = AuditLog(audit_log or default_audit_path())
    if server:
        config = ProxyConfig(upstream, service_judge_factory(server, os.environ.get("CODEWARD_TOKEN")), audit)
    else:
        from codeward.engine import Guard
        from codeward.store.local import store_for_check

        guard = Guard(list(policies), sandbox_mode="never", store=store_for_check(db))
        config = ProxyConfig(
            upstream, guard_judge_factory(guard), audit, authenticator=proxy_authenticator(guard.policy)
        )
    app = create_app(config)
    click.echo(f"codeward proxy on http://{listen} -> {upstream}", err=True)
    serve(app, listen)
