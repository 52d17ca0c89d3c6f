"""What the Redis broker holds for fetches: queued and delivered-but-unacked messages.

The reconciler asks this whether an entry's fetch task still exists. An entry in neither the
index, the dead letters nor here is LOST (its message vanished: a Redis restart without
persistence, a crash between steps) and is re-enqueued at once instead of after a long minimum
age; one waiting in ``unacked`` is shown with its age, so a stuck redelivery is visible.

Reads kombu's Redis layout (a list per queue; the ``unacked`` hash of ``[message, exchange,
routing_key]`` and the ``unacked_index`` sorted set of delivery times), read-only.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

import redis

from workers.routing import FETCH_QUEUE

FETCH_TASK = "communique.fetch_article"
UNACKED_KEY = "unacked"
UNACKED_INDEX_KEY = "unacked_index"


@dataclass
class FetchMessages:
    """URLs with a pending fetch message: queued, or delivered and not acked (with its age)."""

    queued: set[str] = field(default_factory=set)
    unacked_age_s: dict[str, float] = field(default_factory=dict)


def _fetch_url(message: dict[str, Any]) -> str | None:
    """The URL of a ``fetch_article`` message (protocol 2: body = [args, kwargs, embed])."""
    if (message.get("headers") or {}).get("task") != FETCH_TASK:
        return None
    body = message.get("body") or ""
    if (message.get("properties") or {}).get("body_encoding") == "base64":
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    try:
        args = json.loads(body)[0]
    except (ValueError, IndexError, TypeError):
        return None
    return str(args[0]) if args else None


def fetch_messages(r: redis.Redis) -> FetchMessages:
    """Every fetch message in the fetch queue and in the unacked set (one snapshot)."""
    view = FetchMessages()
    for raw in r.lrange(FETCH_QUEUE, 0, -1):
        url = _fetch_url(json.loads(raw))
        if url:
            view.queued.add(url)
    delivered_at = dict(r.zrange(UNACKED_INDEX_KEY, 0, -1, withscores=True))
    now = time.time()
    for tag, raw in r.hgetall(UNACKED_KEY).items():
        url = _fetch_url(json.loads(raw)[0])
        if url:
            age = now - float(delivered_at.get(tag, now))
            view.unacked_age_s[url] = max(age, view.unacked_age_s.get(url, 0.0))
    return view
