"""The "seen" ledger of feed entries, in Redis.

An entry is marked seen only AFTER its fetch task was durably enqueued (the broker accepted the
publish), so a crash between the two re-sees the entry on the next poll rather than losing it.
The global ``entries`` hash (article id → what was enqueued) is what the reconciler compares
with Elasticsearch and the dead letters.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import redis

SEEN_KEY = "communique:seen:{feed_id}"
ENTRIES_KEY = "communique:entries"


def unseen(r: redis.Redis, feed_id: str, identities: list[str]) -> list[str]:
    """The identities not yet in the ledger, in order (one round trip)."""
    if not identities:
        return []
    flags = r.hmget(SEEN_KEY.format(feed_id=feed_id), identities)
    return [identity for identity, flag in zip(identities, flags, strict=True) if flag is None]


def mark_seen(r: redis.Redis, feed_id: str, identity: str, *, article_id: str, url: str) -> None:
    """Advance the ledger for one entry (call only after the publish succeeded)."""
    now = datetime.now(UTC).isoformat()
    record = json.dumps({"article_id": article_id, "url": url, "feed_id": feed_id, "at": now})
    pipe = r.pipeline(transaction=True)
    pipe.hset(SEEN_KEY.format(feed_id=feed_id), identity, record)
    pipe.hsetnx(ENTRIES_KEY, article_id, record)
    pipe.execute()


def entries(r: redis.Redis) -> dict[str, dict[str, Any]]:
    """Every article id the pollers ever enqueued, with its URL and feed."""
    return {k: json.loads(v) for k, v in r.hgetall(ENTRIES_KEY).items()}
