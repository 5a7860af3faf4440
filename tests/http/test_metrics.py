"""/metrics in the Prometheus text format: what a team charts to see over-refusal creep in."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpcases import as_

from servicecases import HELD_SNIPPET


def sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + ("{" if labels else " ")) and line.split(" ")[0] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no sample {name} {labels} in\n{text}")


def test_metrics_count_decisions_latency_queue_and_rates(client: TestClient, keys: dict[str, str]) -> None:
    for content in ("ls", "pwd", "echo STOP_HERE", HELD_SNIPPET):
        client.post(
            "/v1/check", json={"subject": {"kind": "command", "content": content}}, headers=as_(keys, "alice")
        )
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert sample(text, "codeward_decisions_total", action="block", capability="policy.deny_list") == 1
    assert sample(text, "codeward_decisions_total", action="allow", capability="none") == 2
    assert sample(text, "codeward_decision_latency_seconds_count") == 4
    assert sample(text, "codeward_decision_latency_seconds_bucket", le="+Inf") == 4
    assert sample(text, "codeward_review_queue_depth") == 1
    assert sample(text, "codeward_intent_decisions", window="1h", intent="general") == 4
    assert sample(text, "codeward_intent_block_rate", window="24h", intent="general") == 0.25
    assert sample(text, "codeward_intent_review_rate", window="7d", intent="general") == 0.25
    assert "# TYPE codeward_decision_latency_seconds histogram" in text
