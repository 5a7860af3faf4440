"""`codeward review list|show|approve|deny|appeal|export-tests`: the review queue from a terminal,
against the local store or a service (`--server URL`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import click
import yaml

from codeward.adapters.cli.check import policy_option
from codeward.adapters.cli.service_client import Remote, access_options, local_actor, open_store
from codeward.adapters.http import authority
from codeward.errors import NotFound
from codeward.model import Action, Actor
from codeward.policy.loader import Policy, load_policy
from codeward.policy.schema import PolicyTestCase, PolicyTestFile
from codeward.store.records import Appeal, AppealStatus, ReviewItem, ReviewStatus, StoredDecision

if TYPE_CHECKING:
    from codeward.store.sql import SqlStore


class Reviews(Protocol):
    def queue(self, status: ReviewStatus | None) -> list[ReviewItem]: ...
    def show(self, reference: str) -> tuple[ReviewItem, StoredDecision]: ...
    def decide(self, reference: str, *, approve: bool, comment: str) -> ReviewItem: ...
    def appeal(self, decision_id: str, *, why: str, expect: list[Action]) -> Appeal: ...
    def upheld(self) -> list[tuple[Appeal, StoredDecision]]: ...
    def close(self) -> None: ...


class LocalReviews:
    """The local store, with the same rules as the service: the policy's reviewer roles, four-eyes."""

    def __init__(self, store: SqlStore, policy: Policy, actor: Actor) -> None:
        self.store, self.policy, self.actor = store, policy, actor

    def queue(self, status: ReviewStatus | None) -> list[ReviewItem]:
        return self.store.reviews(status=status)

    def show(self, reference: str) -> tuple[ReviewItem, StoredDecision]:
        item = self.store.review_for(reference)
        return item, self.store.decision(item.decision_id)

    def decide(self, reference: str, *, approve: bool, comment: str) -> ReviewItem:
        item, stored = self.show(reference)
        authority.require_reviewer(
            self.policy,
            self.actor,
            capabilities=item.capabilities,
            requesters={item.requester, stored.actor.id},
        )
        return self.store.decide_review(item.id, approve=approve, reviewer=self.actor, comment=comment)

    def appeal(self, decision_id: str, *, why: str, expect: list[Action]) -> Appeal:
        return self.store.file_appeal(decision_id, appellant=self.actor, why=why, expect=expect)

    def upheld(self) -> list[tuple[Appeal, StoredDecision]]:
        return [
            (a, self.store.decision(a.decision_id)) for a in self.store.appeals(status=AppealStatus.UPHELD)
        ]

    def close(self) -> None:
        self.store.close()


class RemoteReviews:
    """A codeward service: it decides who may do what."""

    def __init__(self, remote: Remote) -> None:
        self.remote = remote

    def queue(self, status: ReviewStatus | None) -> list[ReviewItem]:
        params = {"status": status.value} if status else {}
        return [ReviewItem.model_validate(r) for r in self.remote.call("GET", "/v1/reviews", params=params)]

    def show(self, reference: str) -> tuple[ReviewItem, StoredDecision]:
        if reference.startswith("r"):
            item = ReviewItem.model_validate(self.remote.call("GET", f"/v1/reviews/{reference}"))
            return item, self._decision(item.decision_id)
        stored = self._decision(reference)
        return review_of(stored), stored

    def decide(self, reference: str, *, approve: bool, comment: str) -> ReviewItem:
        item, _ = self.show(reference)
        verb = "approve" if approve else "deny"
        answer = self.remote.call("POST", f"/v1/reviews/{item.id}/{verb}", json={"comment": comment})
        return ReviewItem.model_validate(answer)

    def appeal(self, decision_id: str, *, why: str, expect: list[Action]) -> Appeal:
        body = {"why": why, "expect": [a.value for a in expect]}
        return Appeal.model_validate(
            self.remote.call("POST", f"/v1/decisions/{decision_id}/appeal", json=body)
        )

    def upheld(self) -> list[tuple[Appeal, StoredDecision]]:
        appeals = self.remote.call("GET", "/v1/appeals", params={"status": AppealStatus.UPHELD.value})
        found = [Appeal.model_validate(a) for a in appeals]
        return [(a, self._decision(a.decision_id)) for a in found]

    def _decision(self, decision_id: str) -> StoredDecision:
        answer = self.remote.call("GET", f"/v1/decisions/{decision_id}")
        answer.pop("effective_action", None)
        return StoredDecision.model_validate(answer)

    def close(self) -> None:
        self.remote.close()


def review_of(stored: StoredDecision) -> ReviewItem:
    """A decision's pending review, else its newest."""
    if not stored.reviews:
        raise NotFound(f"decision {stored.decision.decision_id} has no review")
    pending = [r for r in stored.reviews if r.status is ReviewStatus.PENDING]
    return (pending or stored.reviews)[-1]


def _reviews(
    server: str | None, db: str | None, token: str | None, api_key: str | None, policies: tuple[str, ...]
) -> Reviews:
    if server:
        return RemoteReviews(Remote(server, token=token, api_key=api_key))
    store = open_store(db)
    return LocalReviews(store, load_policy(list(policies)), local_actor(store, token, api_key))


@click.group()
def review() -> None:
    """The review queue: snippets held for a person, appeals of stops, and what they teach the policy.

    \b
    Examples:
      codeward review list
      codeward review show <review-or-decision-id>
      codeward review approve <id> --comment 'build cleanup, checked the path'
      codeward review appeal <decision-id> --why 'a CTF exercise in our lab'
      codeward review export-tests -o tests/appeals.yaml
    """


@review.command("list")
@click.option(
    "--status",
    type=click.Choice(["pending", "approved", "denied", "all"]),
    default="pending",
    show_default=True,
)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@access_options
@policy_option
def list_command(
    status: str,
    output: str,
    server: str | None,
    db: str | None,
    token: str | None,
    api_key: str | None,
    policies: tuple[str, ...],
) -> None:
    """The review items, the pending ones oldest first."""
    reviews = _reviews(server, db, token, api_key, policies)
    try:
        items = reviews.queue(None if status == "all" else ReviewStatus(status))
    finally:
        reviews.close()
    if output == "json":
        click.echo(json.dumps([i.model_dump(mode="json") for i in items], indent=2))
        return
    if not items:
        click.echo(f"no {'' if status == 'all' else status + ' '}review items")
    for item in items:
        click.echo(
            f"{item.id}  {item.status.value:<8} {item.reason.value:<6} decision {item.decision_id}  "
            f"by {item.requester}  needs {', '.join(item.capabilities)}"
        )


@review.command("show")
@click.argument("reference", metavar="ID")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@access_options
@policy_option
def show(
    reference: str,
    output: str,
    server: str | None,
    db: str | None,
    token: str | None,
    api_key: str | None,
    policies: tuple[str, ...],
) -> None:
    """A review item (by review id, or by the id of its decision) with the snippet and why it was held."""
    reviews = _reviews(server, db, token, api_key, policies)
    try:
        item, stored = reviews.show(reference)
    finally:
        reviews.close()
    if output == "json":
        click.echo(
            json.dumps(
                {"review": item.model_dump(mode="json"), "decision": stored.model_dump(mode="json")}, indent=2
            )
        )
        return
    decision = stored.decision
    flagged = {line for f in decision.findings for line in f.lines}
    click.echo(f"review {item.id}: {item.status.value} ({item.reason.value}), requested by {item.requester}")
    click.echo(
        f"decision {decision.decision_id}: {decision.action.value}, risk {decision.risk}, {decision.language}, {decision.mode.value}"
    )
    for number, line in enumerate(str(stored.subject.get("content", "")).splitlines(), start=1):
        click.echo(f"{'>' if number in flagged else ' '} {number:4} | {line}")
    for reason in decision.reasons:
        click.echo(f"  • {reason}")
    if item.status is not ReviewStatus.PENDING:
        click.echo(f"{item.status.value} by {item.decided_by}: {item.comment}")


def _decide(approve: bool) -> Any:
    verb = "approve" if approve else "deny"

    @review.command(verb)
    @click.argument("reference", metavar="ID")
    @click.option("--comment", "-m", required=True, help="Why, for the record.")
    @access_options
    @policy_option
    def decide(
        reference: str,
        comment: str,
        server: str | None,
        db: str | None,
        token: str | None,
        api_key: str | None,
        policies: tuple[str, ...],
    ) -> None:
        reviews = _reviews(server, db, token, api_key, policies)
        try:
            item = reviews.decide(reference, approve=approve, comment=comment)
        finally:
            reviews.close()
        click.echo(f"review {item.id} {item.status.value} by {item.decided_by}")

    decide.__doc__ = (
        f"{verb.capitalize()} a pending review (by review id or decision id). Needs a verified identity "
        "with a reviewer role for its capabilities, and not the requester's (four-eyes)."
    )
    decide.help = decide.__doc__
    return decide


approve = _decide(True)
deny = _decide(False)


@review.command("appeal")
@click.argument("decision_id")
@click.option("--why", required=True, help="Why the stop was wrong: the reviewer reads this.")
@click.option(
    "--expect",
    "expected",
    multiple=True,
    type=click.Choice([a.value for a in Action]),
    help="The action(s) that would have been right (default: allow, notice).",
)
@access_options
@policy_option
def appeal(
    decision_id: str,
    why: str,
    expected: tuple[str, ...],
    server: str | None,
    db: str | None,
    token: str | None,
    api_key: str | None,
    policies: tuple[str, ...],
) -> None:
    """Appeal a stopped decision: a reviewer upholds or rejects it; upheld appeals become policy tests."""
    expect = [Action(a) for a in expected] or [Action.ALLOW, Action.NOTICE]
    reviews = _reviews(server, db, token, api_key, policies)
    try:
        filed = reviews.appeal(decision_id, why=why, expect=expect)
    finally:
        reviews.close()
    click.echo(f"appeal {filed.id} filed: review {filed.review_id} is pending")


@review.command("export-tests")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout)."
)
@click.option(
    "--layer",
    "layers",
    multiple=True,
    metavar="FILE|pack:NAME",
    help="A policy layer the tests run against (written into the file; repeatable).",
)
@access_options
@policy_option
def export_tests(
    output: Path | None,
    layers: tuple[str, ...],
    server: str | None,
    db: str | None,
    token: str | None,
    api_key: str | None,
    policies: tuple[str, ...],
) -> None:
    """Upheld appeals as a policy test file for `codeward policy test`: each is a false positive to fix."""
    reviews = _reviews(server, db, token, api_key, policies)
    try:
        upheld = reviews.upheld()
    finally:
        reviews.close()
    suite = PolicyTestFile(policies=list(layers), cases=[appeal_as_case(a, stored) for a, stored in upheld])
    text = (
        "# Upheld appeals exported by `codeward review export-tests`: each case is a false positive on the\n"
        "# record. Run with `codeward policy test FILE`; fix the policy until they pass, and keep them.\n"
        + yaml.safe_dump(
            suite.model_dump(mode="json", exclude_defaults=False), sort_keys=False, allow_unicode=True
        )
    )
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(suite.cases)} case(s) written to {output}", err=True)


def appeal_as_case(appeal: Appeal, stored: StoredDecision) -> PolicyTestCase:
    """One upheld appeal as a case: the snippet (secrets masked) in its context, with the expected actions."""
    subject = {
        key: stored.subject[key]
        for key in ("content", "kind", "language", "mode", "path")
        if stored.subject.get(key) is not None
    }
    recorded = stored.context
    context: dict[str, Any] = {
        key: recorded[key]
        for key in ("declared_intent", "prompt", "environment", "tool")
        if recorded.get(key) is not None
    }
    project = recorded.get("project")
    if isinstance(project, dict):
        manifest = {k: v for k, v in project.items() if k != "path" and v}
        if manifest:
            context["project"] = manifest
    if stored.actor.verified and stored.actor.roles:
        context["roles"] = list(stored.actor.roles)
    summary = " ".join(appeal.why.split())[:80]
    return PolicyTestCase(
        name=f"appeal {appeal.id} (decision {appeal.decision_id}): {summary}",
        subject=subject,
        context=context,
        expect=list(appeal.expect),
    )
