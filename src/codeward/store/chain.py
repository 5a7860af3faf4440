"""The audit chain's arithmetic: canonical JSON, record hashes and verification.

Each record's hash covers its own fields and the previous record's hash, so editing, inserting,
reordering or deleting any record breaks every link after it; `verify` names the first break.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from codeward.store.records import AuditRecord, ChainReport

GENESIS = "0" * 64
"""The `prev_hash` of the first record."""


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept, NaN refused."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def record_hash(
    *, seq: int, record_id: str, at_ms: int, kind: str, actor: str, ref: str | None, body: str, prev_hash: str
) -> str:
    """SHA-256 over the canonical JSON of the record's envelope; `body` is the stored canonical text."""
    envelope = {
        "seq": seq,
        "id": record_id,
        "at_ms": at_ms,
        "kind": kind,
        "actor": actor,
        "ref": ref,
        "body": body,
        "prev": prev_hash,
    }
    return hashlib.sha256(canonical_json(envelope).encode("utf-8")).hexdigest()


def hash_of(record: AuditRecord) -> str:
    return record_hash(
        seq=record.seq,
        record_id=record.id,
        at_ms=record.at_ms,
        kind=record.kind,
        actor=record.actor,
        ref=record.ref,
        body=record.body_text,
        prev_hash=record.prev_hash,
    )


def verify(records: Iterable[AuditRecord], head: tuple[int, str]) -> ChainReport:
    """Walk the chain in `seq` order; the first record that does not fit is reported, with why.

    `head` is the (seq, hash) the store says is the last record: it catches a truncated tail.
    """
    expected_seq, previous = 1, GENESIS
    count = 0
    for record in records:
        problem = None
        if record.seq != expected_seq:
            problem = (
                f"expected record {expected_seq}, found {record.seq}: a record is missing or was inserted"
            )
        elif record.prev_hash != previous:
            problem = "its link to the previous record is broken (prev_hash differs)"
        elif hash_of(record) != record.hash:
            problem = "its content does not match its hash: the record was altered"
        elif not _parses(record.body_text):
            problem = "its body is not valid JSON"
        if problem is not None:
            return ChainReport(
                intact=False, records=count, head_hash=previous, first_bad_seq=record.seq, problem=problem
            )
        count += 1
        expected_seq += 1
        previous = record.hash
    head_seq, head_hash = head
    if head_seq != count or head_hash != previous:
        return ChainReport(
            intact=False,
            records=count,
            head_hash=previous,
            first_bad_seq=count + 1 if head_seq > count else head_seq,
            problem=f"the chain head says record {head_seq} is the last, but the log ends at record {count}: "
            "records were deleted from the end, or the head was rewritten",
        )
    return ChainReport(intact=True, records=count, head_hash=previous)


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
