"""What the audit log keeps of a record's strings: every secret masked wherever it is nested."""

from __future__ import annotations

from codeward.store.ledger import redacted

TOKEN = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


def test_a_secret_deep_in_a_record_is_masked_and_the_rest_kept() -> None:
    record = {
        "action": "notice",
        "findings": [
            {"rule_id": "bash.net.download", "evidence": ["curl https://example.com"]},
            {"rule_id": "secrets.token", "evidence": [f"export GITHUB_TOKEN={TOKEN}"], "risk": 20},
        ],
    }
    masked = redacted(record)
    assert TOKEN not in str(masked)
    assert masked["findings"][1]["evidence"][0].startswith("export GITHUB_TOKEN=[REDACTED:")
    assert masked["findings"][0] == record["findings"][0]
    assert masked["findings"][1]["risk"] == 20


def test_a_record_without_secrets_comes_back_unchanged() -> None:
    record = {"action": "allow", "reasons": ["nothing to report"], "findings": [], "risk": 0, "note": None}
    assert redacted(record) == record


def test_a_secret_split_across_two_strings_is_not_invented() -> None:
    """Two halves that only look like a token when joined are each left as they are."""
    record = {"a": TOKEN[:20], "b": TOKEN[20:]}
    assert redacted(record) == record
