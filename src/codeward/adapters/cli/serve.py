"""`codeward serve`: the HTTP API, the dashboard and /metrics; and `codeward api-key` for service accounts."""

from __future__ import annotations

import getpass
import os

import click

from codeward.adapters.cli.check import policy_option
from codeward.adapters.cli.service_client import open_store


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8731, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--db",
    envvar="CODEWARD_DB",
    metavar="URL|FILE",
    help="postgresql://… or a SQLite file (default: $CODEWARD_HOME/codeward.db).",
)
@policy_option
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--require-auth", is_flag=True, help="Refuse requests without a verified identity (401).")
@click.option(
    "--webhook",
    metavar="URL",
    envvar="CODEWARD_WEBHOOK",
    help="POSTed a JSON note for every new review item.",
)
@click.option(
    "--public-url", metavar="URL", help="How reviewers reach this service (for links in webhook calls)."
)
@click.option(
    "--hook-review-wait",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 600),
    metavar="SECONDS",
    help="How long an agent hook (POST /v1/hooks/CLIENT) waits for a reviewer on a held call.",
)
@click.option(
    "--project-paths/--no-project-paths",
    default=None,
    help="Read a request's project.path from this machine (default: only when listening on loopback).",
)
def serve(
    host: str,
    port: int,
    db: str | None,
    policies: tuple[str, ...],
    workers: int,
    require_auth: bool,
    webhook: str | None,
    public_url: str | None,
    hook_review_wait: float,
    project_paths: bool | None,
) -> None:
    """Start the service: POST /v1/check, decisions, reviews, appeals, audit, /metrics, the dashboard.

    \b
    Examples:
      codeward serve --policy examples/policy.yaml
      codeward serve --db postgresql://codeward@db/codeward --workers 2 --require-auth
    """
    import uvicorn

    from codeward.adapters.http.app import create_app
    from codeward.adapters.http.service import ENVIRONMENT_KEY, Service, ServiceConfig
    from codeward.policy.loader import load_policy

    load_policy(list(policies))  # a policy error stops here, with file:line, before anything listens
    config = ServiceConfig(
        db=db,
        policies=list(policies),
        require_auth=require_auth,
        webhook_url=webhook,
        public_url=public_url or f"http://{_url_host(host)}:{port}",
        hook_review_wait=hook_review_wait,
        read_project_paths=_loopback(host) if project_paths is None else project_paths,
    )
    store = open_store(db)  # migrate once, before the workers start
    keys = len(store.api_keys())
    where = store.engine.url.render_as_string(hide_password=True)
    store.close()
    base = f"http://{_url_host(host)}:{port}"
    click.echo(f"codeward service: {base}  (store {where}; {workers} worker(s))", err=True)
    click.echo(f"  dashboard  {base}/ui/", err=True)
    click.echo(f"  API        {base}/docs  ({base}/openapi.json)", err=True)
    if keys == 0:
        click.echo("  log in with an API key: codeward api-key create NAME --role reviewer", err=True)
    if not _loopback(host):
        click.echo(
            f"  listening on {host}: put TLS in front of it before anyone logs in over a network", err=True
        )
    if workers == 1:
        service = Service(config)
        uvicorn.run(create_app(service=service), host=host, port=port, log_level="warning")
        service.close()
        return
    os.environ[ENVIRONMENT_KEY] = config.to_environment()
    uvicorn.run(
        "codeward.adapters.http.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


@click.group("api-key")
def api_key() -> None:
    """API keys for service accounts and reviewers, kept in the store as SHA-256 only."""


@api_key.command("create")
@click.argument("account")
@click.option("--role", "roles", multiple=True, help="A role of the account (repeatable).")
@click.option("--label", default="", help="What the key is for.")
@click.option("--db", envvar="CODEWARD_DB", metavar="URL|FILE")
def create(account: str, roles: tuple[str, ...], label: str, db: str | None) -> None:
    """Create a key for ACCOUNT and print it once: it cannot be shown again."""
    from codeward.identity import key_hash, new_api_key
    from codeward.model import Actor

    key = new_api_key()
    store = open_store(db)
    try:
        store.add_api_key(
            key_hash(key),
            Actor(id=account, roles=list(roles)),
            label=label or account,
            created_by=f"local:{getpass.getuser()}",
        )
    finally:
        store.close()
    click.echo(key)
    click.echo(
        f"(the key of {account}, roles {', '.join(roles) or 'none'}: keep it now, it is not stored)", err=True
    )


@api_key.command("list")
@click.option("--db", envvar="CODEWARD_DB", metavar="URL|FILE")
def list_keys(db: str | None) -> None:
    """The keys: fingerprint (a prefix of the hash), account, roles, and whether revoked."""
    store = open_store(db)
    try:
        for info in store.api_keys():
            state = "revoked" if info.revoked else "live"
            click.echo(
                f"{info.fingerprint}  {state:<7} {info.actor.id:<20} {','.join(info.actor.roles):<24} {info.label}"
            )
    finally:
        store.close()


@api_key.command("revoke")
@click.argument("fingerprint")
@click.option("--db", envvar="CODEWARD_DB", metavar="URL|FILE")
def revoke(fingerprint: str, db: str | None) -> None:
    """Revoke the key whose fingerprint starts with FINGERPRINT (from `codeward api-key list`)."""
    store = open_store(db)
    try:
        count = store.revoke_api_key(fingerprint, revoked_by=f"local:{getpass.getuser()}")
    finally:
        store.close()
    click.echo(f"{count} key(s) revoked")
