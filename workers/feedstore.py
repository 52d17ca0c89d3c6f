"""The runtime feed registry in Redis: add, remove, pause and resume without restarts.

``config/feeds.yaml`` seeds it (``sync_from_file`` adds feeds the store lacks and refreshes the
descriptive fields of those it has, never undoing a runtime pause). Scheduling is a sorted set
of next-due times: one beat entry (``communique.schedule_polls``) enqueues the polls that are due,
and every poll writes its feed's next due time from the adaptive interval. This is our own small
dynamic scheduler rather than celery-redbeat because the interval changes after every poll
(adaptive back-off / speed-up), which would mean rewriting a redbeat entry per poll anyway; a
single dispatcher over a sorted set scales to thousands of feeds with one Redis call per tick.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, replace

import redis

from pipeline.models import FeedSpec

FEEDS_KEY = "communique:feeds"
DUE_KEY = "communique:feeds:due"
# set by every sync from the file: its absence means Redis lost the registry (a restart without
# persistence), which the dispatcher repairs by syncing again
SEEDED_KEY = "communique:feeds:seeded"

# claim a due feed only if it is still due: of dispatchers running at once exactly one moves it
# to its lease (read-compare-write must be one step, hence a script)
_CLAIM = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return 1
end
return 0
"""


def _dump(feed: FeedSpec) -> str:
    return json.dumps(asdict(feed))


def _load(raw: str) -> FeedSpec:
    return FeedSpec(**json.loads(raw))


def get(r: redis.Redis, feed_id: str) -> FeedSpec | None:
    """One feed, or None."""
    raw = r.hget(FEEDS_KEY, feed_id)
    return _load(raw) if raw else None


def all_feeds(r: redis.Redis) -> list[FeedSpec]:
    """Every registered feed, by id."""
    return sorted((_load(v) for v in r.hvals(FEEDS_KEY)), key=lambda f: f.id)


def add(r: redis.Redis, feed: FeedSpec, *, due_at: float | None = None) -> None:
    """Register (or replace) a feed; an enabled feed is due at once unless told otherwise."""
    pipe = r.pipeline(transaction=True)
    pipe.hset(FEEDS_KEY, feed.id, _dump(feed))
    if feed.enabled:
        pipe.zadd(DUE_KEY, {feed.id: time.time() if due_at is None else due_at})
    else:
        pipe.zrem(DUE_KEY, feed.id)
    pipe.execute()


def remove(r: redis.Redis, feed_id: str) -> bool:
    """Forget a feed (its ledger stays, so re-adding it does not re-ingest old entries)."""
    pipe = r.pipeline(transaction=True)
    pipe.hdel(FEEDS_KEY, feed_id)
    pipe.zrem(DUE_KEY, feed_id)
    removed, _ = pipe.execute()
    return bool(removed)


def set_enabled(r: redis.Redis, feed_id: str, enabled: bool) -> FeedSpec | None:
    """Pause (False) or resume (True) a feed; a resumed feed is due at once."""
    feed = get(r, feed_id)
    if feed is None:
        return None
    add(r, replace(feed, enabled=enabled))
    return replace(feed, enabled=enabled)


def sync_from_file(r: redis.Redis, feeds: list[FeedSpec]) -> tuple[int, int]:
    """Seed the store from the registry file: (added, updated)."""
    added = updated = 0
    for feed in feeds:
        current = get(r, feed.id)
        if current is None:
            add(r, feed)
            added += 1
        elif replace(current, enabled=feed.enabled) != feed:
            # the file may change url/interval/publisher; a runtime pause wins over the file
            r.hset(FEEDS_KEY, feed.id, _dump(replace(feed, enabled=current.enabled)))
            updated += 1
    r.set(SEEDED_KEY, "1")
    return added, updated


def is_seeded(r: redis.Redis) -> bool:
    """Whether the registry has been synced from the file since Redis last lost its data."""
    return bool(r.exists(SEEDED_KEY))


def due(r: redis.Redis, *, now: float | None = None, limit: int = 500) -> list[str]:
    """Ids of enabled feeds whose next poll is due."""
    return list(r.zrangebyscore(DUE_KEY, "-inf", now or time.time(), start=0, num=limit))


def claim(r: redis.Redis, feed_id: str, *, now: float, until: float) -> bool:
    """Atomically move a feed due at ``now`` to ``until``; False if another dispatcher did."""
    return bool(r.eval(_CLAIM, 1, DUE_KEY, feed_id, now, until))


def schedule(r: redis.Redis, feed_id: str, at: float) -> None:
    """Set the next due time of an enabled feed (no-op for paused or removed feeds)."""
    feed = get(r, feed_id)
    if feed is not None and feed.enabled:
        r.zadd(DUE_KEY, {feed_id: at})


def next_due(r: redis.Redis, feed_id: str) -> float | None:
    """When the feed is next due (epoch seconds), None when paused or unknown."""
    score = r.zscore(DUE_KEY, feed_id)
    return float(score) if score is not None else None
