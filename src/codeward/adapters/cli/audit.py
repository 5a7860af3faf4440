"""`codeward audit verify|export|tail`: the hash-chained audit log, from the local store or a service."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from codeward.adapters.cli.service_client import Remote, access_options, open_store
from codeward.store.records import AuditQuery, AuditRecord, ChainReport

EXIT_BROKEN = 1
FOLLOW_SECONDS = 1.0


@click.group()
def audit() -> None:
    """The audit log: every decision, review, appeal and override, each record chained to the last.

    \b
    Examples:
      codeward audit verify
      codeward audit export -o audit.jsonl
      codeward audit tail -n 20 --follow
    """


@audit.command()
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@access_options
def verify(output: str, server: str | None, db: str | None, token: str | None, api_key: str | None) -> None:
    """Check every link of the chain. Exit 0 when intact, 1 when a record was altered, inserted or removed."""
    if server:
        remote = Remote(server, token=token, api_key=api_key)
        try:
            report = ChainReport.model_validate(remote.call("POST", "/v1/audit/verify"))
        finally:
            remote.close()
    else:
        store = open_store(db)
        try:
            report = store.verify()
        finally:
            store.close()
    if output == "json":
        click.echo(report.model_dump_json(indent=2))
    elif report.intact:
        click.echo(f"intact: {report.records} record(s); head {report.head_hash}")
    else:
        click.echo(
            f"BROKEN at record {report.first_bad_seq}: {report.problem} "
            f"({report.records} record(s) before it are sound)"
        )
    sys.exit(0 if report.intact else EXIT_BROKEN)


@audit.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout)."
)
@access_options
def export(
    output: Path | None, server: str | None, db: str | None, token: str | None, api_key: str | None
) -> None:
    """The whole chain in order as JSON lines (each record with its prev_hash and hash)."""
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    count = 0
    try:
        if server:
            remote = Remote(server, token=token, api_key=api_key)
            try:
                for line in remote.lines("/v1/audit/export"):
                    handle.write(line + "\n")
                    count += 1
            finally:
                remote.close()
        else:
            store = open_store(db)
            try:
                for record in store.audit_records():
                    handle.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
                    count += 1
            finally:
                store.close()
    finally:
        if output:
            handle.close()
    if output:
        click.echo(f"{count} record(s) written to {output}", err=True)


@audit.command()
@click.option("-n", "--lines", "count", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--kind", help="Only records of this kind (decision, review.approved, appeal.filed, …).")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new records as they are appended.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@access_options
def tail(
    count: int,
    kind: str | None,
    follow: bool,
    output: str,
    server: str | None,
    db: str | None,
    token: str | None,
    api_key: str | None,
) -> None:
    """The newest records, oldest of them first."""
    remote = Remote(server, token=token, api_key=api_key) if server else None
    store = None if remote else open_store(db)

    def fetch(query: AuditQuery) -> list[AuditRecord]:
        if store is not None:
            return store.audit(query)
        assert remote is not None
        params = {k: v for k, v in query.model_dump().items() if v is not None}
        page = remote.call("GET", "/v1/audit", params=params)
        return [_record(r) for r in page["records"]]

    try:
        records = list(reversed(fetch(AuditQuery(kind=kind, limit=count, newest_first=True))))
        last = records[-1].seq if records else 0
        for record in records:
            click.echo(_line(record, output))
        while follow:
            time.sleep(FOLLOW_SECONDS)
            for record in fetch(AuditQuery(kind=kind, after_seq=last, limit=1000)):
                click.echo(_line(record, output))
                last = record.seq
    except KeyboardInterrupt:
        pass
    finally:
        if store is not None:
            store.close()
        if remote is not None:
            remote.close()


def _record(exported: dict[str, object]) -> AuditRecord:
    body = exported["body"]
    return AuditRecord(
        seq=int(str(exported["seq"])),
        id=str(exported["id"]),
        at_ms=round(float(str(exported["at"])) * 1000),
        kind=str(exported["kind"]),
        actor=str(exported["actor"]),
        ref=None if exported.get("ref") is None else str(exported["ref"]),
        body_text=json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        prev_hash=str(exported["prev_hash"]),
        hash=str(exported["hash"]),
    )


def _line(record: AuditRecord, output: str) -> str:
    if output == "json":
        return json.dumps(record.to_dict(), ensure_ascii=False)
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(record.at))
    body = record.body
    if record.kind == "decision":
        decision = body.get("decision", {})
        summary = f"{decision.get('action')} risk {decision.get('risk')} {body.get('subject', {}).get('language', '')}"
    else:
        summary = str(body.get("comment") or body.get("why") or body.get("label") or "")
    return f"{record.seq:>7}  {when}  {record.kind:<16} {record.actor:<20} {record.ref or '':<34} {summary}"
