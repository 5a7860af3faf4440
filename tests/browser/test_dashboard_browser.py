"""The dashboard in a real headless Chromium: log in with a key, see the held snippet with its flagged
line, approve it with a comment, and find the approval in the audit explorer."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest

from codeward import Actor
from codeward.identity import key_hash
from codeward.store.location import locate
from codeward.store.sql import SqlStore
from servicecases import running_service, write_policy

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "review-queue.png"
"""Rewritten only with CODEWARD_UPDATE_SCREENSHOTS=1, so that a test run leaves the checkout clean."""
REVIEWER_KEY = "cwk_rita_" + "r" * 30
DEPLOY_SCRIPT = """\
#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"
make dist
echo HOLD_FOR_REVIEW: publish to the shared bucket
aws s3 sync dist/ s3://builds/nightly/
"""


def test_a_reviewer_approves_a_held_snippet_in_the_browser(tmp_path: Path) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Python playwright is not installed")
    policy = write_policy(tmp_path)
    store = SqlStore.open(locate(f"sqlite:///{tmp_path / 'codeward.db'}"))
    store.add_api_key(
        key_hash(REVIEWER_KEY), Actor(id="rita", roles=["reviewer"]), label="r", created_by="test"
    )
    store.close()
    with running_service("--policy", str(policy), home=tmp_path) as url:
        held = httpx.post(
            f"{url}/v1/check",
            json={
                "subject": {"kind": "code", "language": "bash", "content": DEPLOY_SCRIPT, "path": "deploy.sh"}
            },
            timeout=30,
        ).json()
        assert held["action"] == "review"
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                page.goto(f"{url}/ui/reviews")
                assert "/ui/login" in page.url
                page.fill("#token", REVIEWER_KEY)
                page.click("button[type=submit]")
                page.wait_for_url(f"{url}/ui/reviews")

                card = page.locator(f"#review-{held['review_id']}")
                flagged_lines = {
                    int(line.get_attribute("value") or 0) for line in card.locator("ol.code li.flagged").all()
                }
                expected = {line for finding in held["findings"] for line in finding["lines"]}
                assert 5 in flagged_lines and flagged_lines == expected
                flagged = card.locator("ol.code li.flagged[value='5']")
                assert "HOLD_FOR_REVIEW" in flagged.inner_text()
                assert "policy.deny.hold-marker" in (flagged.get_attribute("title") or "")
                background = flagged.evaluate("line => getComputedStyle(line).backgroundColor")
                assert background not in ("rgba(0, 0, 0, 0)", "transparent")
                card.locator("table.findings tbody tr").first.click()
                assert card.locator("ol.code li.pointed").count() == 1

                page.goto(f"{url}/ui/reviews/{held['review_id']}")
                page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
                assert (tmp_path / "review.png").stat().st_size > 10_000
                if os.environ.get("CODEWARD_UPDATE_SCREENSHOTS") == "1":
                    shutil.copyfile(tmp_path / "review.png", SCREENSHOT)

                page.fill("textarea[name=comment]", "nightly publish, bucket checked")
                page.click("button.approve")
                page.wait_for_url("**/ui/reviews/*?done=approved")
                assert "Approved by rita" in page.inner_text("article.review")

                page.click("nav >> text=Audit log")
                row = page.locator("table.audit tr.kind-review-approved").first
                assert "nightly publish, bucket checked" in row.inner_text()
                page.click("button:has-text('Verify the chain')")
                assert "Intact" in page.inner_text("form.verify")
            finally:
                browser.close()
