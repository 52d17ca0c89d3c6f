"""Polling: ``communique.schedule_polls`` dispatches due feeds, ``communique.poll_feed`` polls one.

A poll is a conditional GET (ETag / Last-Modified; a 304 is not parsed), then the entries not in
the ledger are enqueued to ``fetch_article``, oldest first and at most ``max_entries_per_poll``
per poll; the ledger advances only after each publish. Entries left over (a backlog) are taken
by the next polls: the validators are not kept (an unchanged feed must still be read again) and
the next poll comes after the minimum interval. The next
due time comes from the adaptive interval (busy feeds sooner, quiet or failing feeds later, with
jitter; ``Retry-After`` is a floor). A failing feed is counted against that feed and backed off:
it is never retried in a loop that could hog a worker.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pipeline.errors import FetchError, PermanentFetchError, TransientFetchError
from pipeline.feeds import parse_feed
from pipeline.ids import article_id
from pipeline.models import FeedEntry, FeedSpec
from pipeline.schedule import IntervalPolicy, next_interval
from pipeline.urls import canonical_url
from workers import deadletters, feedstate, feedstore, ledger
from workers.app import app
from workers.base import CommuniqueTask
from workers.hosts import HostBusy, configured_slot
from workers.resources import fetcher, redis_client
from workers.schedules import registry_feeds
from workers.settings import Settings, get_settings
from workers.store import default_store
from workers.tasks.fetch import fetch_article

log = logging.getLogger("communique.poll")


def _feed(r: Any, feed_id: str) -> FeedSpec | None:
    """The feed from the runtime store, else from the registry file (then stored)."""
    feed = feedstore.get(r, feed_id)
    if feed is not None:
        return feed
    for candidate in registry_feeds(get_settings()):
        if candidate.id == feed_id:
            feedstore.add(r, candidate, due_at=time.time() + candidate.poll_interval_s)
            return candidate
    return None


def _publish_health(state: feedstate.FeedState, feed: FeedSpec) -> None:
    doc = {**state.to_document(), "url": feed.url, "publisher": feed.publisher}
    doc["enabled"] = feed.enabled
    try:
        default_store().index_feed_health(feed.id, doc)
    except Exception as exc:  # health in Kibana is best effort; Redis holds the state
        log.debug("feed health of %s not indexed: %s", feed.id, exc)


def _oldest_first(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Dated entries by date, then undated ones from the end of the document (feeds list the
    newest first)."""
    dated = [e for e in entries if e.published is not None]
    dated.sort(key=lambda e: e.published.timestamp() if e.published else 0.0)
    return dated + [e for e in reversed(entries) if e.published is None]


def _enqueue_new_entries(r: Any, feed: FeedSpec, content: bytes, url: str, content_type: str | None,
                         settings: Settings) -> tuple[int, int, int]:  # fmt: skip
    """Enqueue up to ``max_entries_per_poll`` unseen entries; (seen, enqueued, left for later)."""
    if not content.strip():
        raise PermanentFetchError("the feed answered with an empty body", subject=url,
                                  reason="empty_feed")  # fmt: skip
    parsed = parse_feed(
        content, feed_id=feed.id, base_url=url, max_entries=settings.max_entries_per_feed,
        content_type=content_type,
    )  # fmt: skip
    if not parsed.entries and not parsed.format:
        # not a feed at all (an HTML error page, garbage): the feed's fault, counted against it
        raise PermanentFetchError(
            f"not a feed: {parsed.bozo_reason or 'unparseable'}", subject=url, reason="not_a_feed"
        )
    by_identity = {entry.identity: entry for entry in parsed.entries}
    unseen = _oldest_first([by_identity[i] for i in ledger.unseen(r, feed.id, list(by_identity))])
    batch = unseen[: settings.max_entries_per_poll]
    enqueued = 0
    for entry in batch:
        identity = entry.identity
        if not entry.url:
            # nothing to fetch: a terminal state of its own, so the entry is not lost silently
            deadletters.put(
                r, task="communique.fetch_article", subject=f"{feed.id}:{identity}",
                reason="no_link", error="feed entry has no http(s) link",
                payload={"feed_id": feed.id, "identity": identity, "title": entry.title},
                attempts=0,
            )  # fmt: skip
            ledger.mark_seen(r, feed.id, identity, article_id=f"nolink:{identity}", url="")
            continue
        fetch_article.apply_async(
            args=(entry.url, feed.id),
            kwargs={
                "title": entry.title,
                "published": entry.published.isoformat() if entry.published else None,
            },
        )
        # only now, with the publish accepted by the broker, does the ledger advance
        ledger.mark_seen(
            r, feed.id, identity, article_id=article_id(canonical_url(entry.url)), url=entry.url
        )
        enqueued += 1
    return len(parsed.entries), enqueued, len(unseen) - len(batch)


@app.task(bind=True, base=CommuniqueTask, name="communique.poll_feed", max_retries=0)
def poll_feed(self: CommuniqueTask, feed_id: str) -> dict[str, Any]:
    """Poll ``feed_id`` once (see module docstring)."""
    settings = get_settings()
    r = redis_client()
    feed = _feed(r, feed_id)
    if feed is None:
        log.warning("poll of unknown feed %r ignored", feed_id)
        return {"status": "unknown_feed"}
    if not feed.enabled:
        return {"status": "paused"}
    state = feedstate.load(r, feed_id)
    state.last_polled = feedstate.now_iso()
    new_entries = backlog = 0
    retry_after: float | None = None
    try:
        with configured_slot(r, feed.url, settings):
            page = fetcher().fetch(
                feed.url, etag=state.etag, last_modified=state.last_modified, kind="feed"
            )
        seen = 0
        if page.status != 304:
            seen, new_entries, backlog = _enqueue_new_entries(
                r, feed, page.content, page.url, page.content_type, settings
            )
            # with a backlog the next poll must read the document again, even if unchanged
            state.etag, state.last_modified = (
                (None, None) if backlog else (page.etag, page.last_modified)
            )
        state.last_success = feedstate.now_iso()
        state.consecutive_failures = 0
        state.entries_seen += seen
        state.entries_enqueued += new_entries
        result: dict[str, Any] = {
            "status": "ok", "http_status": page.status, "seen": seen, "enqueued": new_entries,
            "backlog": backlog,
        }  # fmt: skip
    except HostBusy as busy:
        # not the feed's fault: come back as soon as the host has room, count nothing. A poll
        # holds no reservation (it is re-dispatched by beat, not by its own message): it waits
        # for the host's next free time, behind the fetches that reserved slots before it
        feedstore.schedule(r, feed_id, time.time() + busy.wait_s)
        return {"status": "deferred", "wait_s": busy.wait_s}
    except FetchError as exc:
        _count_failure(state, str(exc), exc.reason)
        if isinstance(exc, TransientFetchError):
            retry_after = exc.retry_after_s
        log.warning("feed %s failed (%s): %s", feed_id, exc.reason, exc)
        result = {"status": "failed", "reason": exc.reason}
    except Exception as exc:  # a feed that breaks the parser must not break the worker
        _count_failure(state, repr(exc), "unexpected")
        log.exception("feed %s poll crashed", feed_id)
        result = {"status": "failed", "reason": "unexpected"}
    result["next_poll_in_s"] = _schedule_next(
        r, feed, state, settings, new_entries=new_entries, backlog=backlog, retry_after=retry_after
    )
    return result


def _count_failure(state: feedstate.FeedState, error: str, reason: str) -> None:
    state.consecutive_failures += 1
    state.last_error = error[:1000]
    state.last_error_reason = reason


def _schedule_next(
    r: Any,
    feed: FeedSpec,
    state: feedstate.FeedState,
    settings: Settings,
    *,
    new_entries: int,
    backlog: int,
    retry_after: float | None,
) -> float:
    """Adapt the interval, schedule the next poll, save the state and its health; the delay."""
    state.current_interval_s = next_interval(
        state.current_interval_s,
        base_s=feed.poll_interval_s,
        new_entries=new_entries,
        failures=state.consecutive_failures,
        retry_after_s=retry_after,
        policy=IntervalPolicy(
            min_s=settings.poll_min_interval_s, max_s=settings.poll_max_interval_s
        ),
    )
    # a backlog is taken by the next polls, as soon as the minimum interval allows
    next_in = settings.poll_min_interval_s if backlog else state.current_interval_s
    feedstore.schedule(r, feed.id, time.time() + next_in)
    feedstate.save(r, state)
    _publish_health(state, feed)
    return next_in


@app.task(bind=True, base=CommuniqueTask, name="communique.schedule_polls", max_retries=0)
def schedule_polls(self: CommuniqueTask) -> dict[str, Any]:
    """Enqueue a poll for every due feed (run by beat every ``dispatch_every_s``)."""
    r = redis_client()
    if not feedstore.is_seeded(r):
        # Redis came back without its data: re-seed now, not at the next worker restart; the
        # lost ledger makes the next polls enqueue their entries again (deduplicated by id)
        feedstore.sync_from_file(r, registry_feeds(get_settings()))
    now = time.time()
    dispatched = 0
    for feed_id in feedstore.due(r, now=now):
        feed = feedstore.get(r, feed_id)
        if feed is None:
            continue
        lease = max(feedstate.load(r, feed_id).current_interval_s or feed.poll_interval_s, 60)
        # a lease until the poll writes the real next time; a lost poll is retried after it.
        # Only the dispatcher whose claim succeeds enqueues: concurrent ticks never poll twice
        if not feedstore.claim(r, feed_id, now=now, until=now + lease):
            continue
        poll_feed.apply_async(args=(feed_id,), expires=lease)
        dispatched += 1
    return {"dispatched": dispatched}
