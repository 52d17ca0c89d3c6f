"""Dead-letter store: every entry that cannot be processed ends here with its reason.

Redis holds the authoritative record (so a dead letter survives Elasticsearch being down); the
task base mirrors a copy to the ``deadletters`` index for Kibana through the store. Records are
keyed deterministically by task name and subject, so the same failure dead-lettered twice is one
record with ``attempts`` counted.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import redis

from pipeline.ids import stable_hash

KEY = "communique:deadletters"


def record_id(task: str, subject: str) -> str:
    """Deterministic id of the dead letter for ``task`` on ``subject``."""
    return "d_" + stable_hash(task, subject)


def put(
    r: redis.Redis,
    *,
    task: str,
    subject: str,
    reason: str,
    error: str,
    payload: dict[str, Any],
    attempts: int,
) -> dict[str, Any]:
    """Store (or update) the dead letter in Redis; returns the record."""
    rid = record_id(task, subject)
    record = {
        "id": rid,
        "task": task,
        "subject": subject,
        "reason": reason,
        "last_error": error[:2000],
        "payload": payload,
        "attempts": attempts,
        "created_at": datetime.now(UTC).isoformat(),
        "resolved": False,
    }
    r.hset(KEY, rid, json.dumps(record))
    return record


def list_all(r: redis.Redis, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Every dead letter, newest first."""
    records = [json.loads(v) for v in r.hvals(KEY)]
    if not include_resolved:
        records = [rec for rec in records if not rec.get("resolved")]
    return sorted(records, key=lambda rec: rec.get("created_at", ""), reverse=True)


def get(r: redis.Redis, rid: str) -> dict[str, Any] | None:
    """One dead letter by id."""
    raw = r.hget(KEY, rid)
    return json.loads(raw) if raw else None


def mark_resolved(r: redis.Redis, rid: str) -> None:
    """Mark a dead letter resolved (after a successful retry it is removed instead)."""
    record = get(r, rid)
    if record:
        record["resolved"] = True
        r.hset(KEY, rid, json.dumps(record))


def remove(r: redis.Redis, rid: str) -> None:
    """Forget a dead letter (its subject reached a terminal success)."""
    r.hdel(KEY, rid)
