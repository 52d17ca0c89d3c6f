"""``communique.poll_feed``: fetch one feed politely, enqueue its new entries."""

from __future__ import annotations

import logging
from typing import Any

from pipeline.feeds import parse_feed

from pipeline.errors import FetchError
from pipeline.ids import article_id
from pipeline.urls import canonical_url
from workers import feedstate, ledger
from workers.app import app
from workers.base import CommuniqueTask
from workers.registry import load_feeds
from workers.resources import es_client, fetcher, redis_client
from workers.settings import get_settings
from workers.tasks.fetch import fetch_article

log = logging.getLogger("communique.poll")


def _feed(feed_id: str) -> Any:
    for feed in load_feeds(get_settings().feeds_file):
        if feed.id == feed_id:
            return feed
    return None


def _publish_health(state: feedstate.FeedState, feed: Any) -> None:
    doc = {**state.to_document(), "url": feed.url, "publisher": feed.publisher}
    doc["enabled"] = feed.enabled
    try:
        es_client().index(index=get_settings().index_name("feeds"), id=feed.id, document=doc)
    except Exception as exc:  # health in Kibana is best effort; Redis holds the state
        log.debug("feed health of %s not indexed: %s", feed.id, exc)


@app.task(bind=True, base=CommuniqueTask, name="communique.poll_feed", max_retries=0)
def poll_feed(self: CommuniqueTask, feed_id: str) -> dict[str, Any]:
    """Poll ``feed_id``: conditional GET, parse, enqueue every unseen entry, record health.

    A failing feed is counted against that feed and never retried here (the next scheduled poll
    is the retry), so one bad feed cannot hog a worker.
    """
    feed = _feed(feed_id)
    if feed is None:
        log.warning("poll of unknown feed %r ignored", feed_id)
        return {"status": "unknown_feed"}
    settings = get_settings()
    r = redis_client()
    state = feedstate.load(r, feed_id)
    state.last_polled = feedstate.now_iso()
    state.current_interval_s = feed.poll_interval_s
    try:
        page = fetcher().fetch(
            feed.url, etag=state.etag, last_modified=state.last_modified, kind="feed"
        )
        if page.status == 304:
            enqueued, seen = 0, 0
        else:
            parsed = parse_feed(
                page.content,
                feed_id=feed_id,
                base_url=page.url,
                max_entries=settings.max_entries_per_poll,
            )
            seen = len(parsed.entries)
            by_identity = {entry.identity: entry for entry in parsed.entries}
            fresh = ledger.unseen(r, feed_id, list(by_identity))
            enqueued = 0
            for identity in fresh:
                entry = by_identity[identity]
                fetch_article.apply_async(
                    args=(entry.url, feed_id),
                    kwargs={
                        "title": entry.title,
                        "published": entry.published.isoformat() if entry.published else None,
                    },
                )
                # only now, with the publish accepted by the broker, does the ledger advance
                ledger.mark_seen(
                    r,
                    feed_id,
                    identity,
                    article_id=article_id(canonical_url(entry.url)),
                    url=entry.url,
                )
                enqueued += 1
            state.etag = page.etag
            state.last_modified = page.last_modified
        state.last_success = feedstate.now_iso()
        state.consecutive_failures = 0
        state.entries_seen += seen
        state.entries_enqueued += enqueued
        result = {"status": "ok", "http_status": page.status, "seen": seen, "enqueued": enqueued}
    except FetchError as exc:
        state.consecutive_failures += 1
        state.last_error = str(exc)[:1000]
        state.last_error_reason = exc.reason
        log.warning("feed %s failed (%s): %s", feed_id, exc.reason, exc)
        result = {"status": "failed", "reason": exc.reason}
    except Exception as exc:  # a feed that breaks the parser must not break the worker
        state.consecutive_failures += 1
        state.last_error = repr(exc)[:1000]
        state.last_error_reason = "unexpected"
        log.exception("feed %s poll crashed", feed_id)
        result = {"status": "failed", "reason": "unexpected"}
    feedstate.save(r, state)
    _publish_health(state, feed)
    return result
