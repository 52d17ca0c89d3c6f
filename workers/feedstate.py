"""Per-feed state in Redis: conditional-GET validators and health counters."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import redis

KEY = "communique:feed:{feed_id}"


@dataclass
class FeedState:
    """What communique knows about one feed between polls."""

    feed_id: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    last_error_reason: str | None = None
    consecutive_failures: int = 0
    entries_seen: int = 0
    entries_enqueued: int = 0
    current_interval_s: int = 0

    def to_document(self) -> dict[str, Any]:
        """The ``feeds`` index document (Kibana's feed health view)."""
        return {k: v for k, v in asdict(self).items() if k not in ("etag", "last_modified")}


_INT_FIELDS = ("consecutive_failures", "entries_seen", "entries_enqueued", "current_interval_s")


def load(r: redis.Redis, feed_id: str) -> FeedState:
    """The stored state (defaults for a feed never polled)."""
    raw = r.hgetall(KEY.format(feed_id=feed_id))
    values: dict[str, Any] = {k: (v or None) for k, v in raw.items()}
    for name in _INT_FIELDS:
        values[name] = int(raw.get(name) or 0)
    known = set(FeedState.__dataclass_fields__)
    return FeedState(
        feed_id=feed_id, **{k: v for k, v in values.items() if k in known - {"feed_id"}}
    )


def save(r: redis.Redis, state: FeedState) -> None:
    """Persist the state (None fields are stored as empty strings)."""
    mapping = {k: ("" if v is None else v) for k, v in asdict(state).items()}
    r.hset(KEY.format(feed_id=state.feed_id), mapping=mapping)


def now_iso() -> str:
    """UTC now, ISO 8601."""
    return datetime.now(UTC).isoformat()
