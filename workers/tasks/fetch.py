"""``communique.fetch_article``: download a page, extract its text, store the Article."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from pipeline.dedup import MinHashIndex, fingerprint, signature
from pipeline.errors import TransientIndexingError
from pipeline.ids import article_id
from pipeline.models import Article
from pipeline.text import extract_article
from pipeline.timeutil import parse_datetime
from pipeline.urls import canonical_url
from workers import deadletters
from workers.app import app
from workers.base import CommuniqueTask
from workers.hosts import HostBusy, Reservation, configured_slot
from workers.resources import fetcher, redis_client
from workers.settings import get_settings
from workers.store import Store, default_store

log = logging.getLogger("communique.fetch")

MINHASH_PREFIX = "communique:mh:"
#: article id of a syndicated copy → id of the article it was merged into
ALIASES_KEY = "communique:aliases"


def _merge_syndicated_copy(
    store: Store, original: str, aid: str, feed_id: str, url: str
) -> dict[str, Any]:
    """Record a near-duplicate (syndicated copy) as one more source of the original article."""
    from workers.tasks.process import process_article

    added = store.add_source(original, feed_id, url)
    if added == "missing":
        # the original's fetch registered its signature but has not stored it yet: retry soon
        raise TransientIndexingError(f"near-duplicate of {original}, not stored yet", subject=url)
    if added == "added":  # its mentions and events now count one more outlet
        process_article.apply_async(args=(original,))
    redis_client().hset(ALIASES_KEY, aid, original)
    return {"status": "syndicated", "article_id": original}


@app.task(bind=True, base=CommuniqueTask, name="communique.fetch_article")
def fetch_article(
    self: CommuniqueTask,
    url: str,
    feed_id: str,
    title: str | None = None,
    published: str | None = None,
    deferred_since: float | None = None,
    deferrals: int = 0,
    reservation: list[int] | None = None,
) -> dict[str, Any]:
    """Fetch ``url`` (an entry of ``feed_id``), store its Article, enqueue processing.

    Idempotent: the document id derives from the canonical URL; an article already stored (the
    same story in a second feed, a redelivered message) only gains the new source. A busy host
    defers the fetch (``deferred_since``/``deferrals`` travel with it) for at most
    ``host_max_wait_s``, then it is dead-lettered as ``host_busy``; ``reservation`` is the
    host's slot kept for this fetch (``workers.hosts``), so deferred fetches of one host are
    served in arrival order.
    """
    canonical = canonical_url(url)
    aid = article_id(canonical)
    payload = {"url": url, "feed_id": feed_id, "title": title, "published": published}

    def body() -> dict[str, Any]:
        store = default_store()
        existing = store.article_document(aid)
        if existing is not None:
            return _add_source(store, existing, aid, feed_id, url)
        try:
            with configured_slot(
                redis_client(), url, get_settings(),
                reservation=Reservation.from_message(reservation), reserve=True,
            ):  # fmt: skip
                page = fetcher().fetch(url, kind="page")
        except HostBusy as busy:
            return _defer(self, busy, payload, deferred_since, deferrals)
        article = extract_article(
            page,
            canonical_url=canonical,
            feed_id=feed_id,
            fallback_title=title,
            fallback_published=parse_datetime(published),
        )
        result = _store_unless_syndicated(store, article, feed_id, url)
        if result["status"] == "stored":
            # a success supersedes an earlier dead letter of the same entry (e.g. after a retry)
            deadletters.remove(redis_client(), deadletters.record_id(self.name, url))
        return result

    return self.guarded(url, payload, body)


def _add_source(
    store: Store, existing: dict[str, Any], aid: str, feed_id: str, url: str
) -> dict[str, Any]:
    """An article already stored only gains the source; it is processed again when that adds
    an outlet, or when its processing never finished (a redelivery after a crash)."""
    from workers.tasks.process import process_article

    added = store.add_source(aid, feed_id, url)
    if added == "added" or existing.get("status") != "processed":
        process_article.apply_async(args=(aid,))
    return {"status": "duplicate", "article_id": aid}


def _defer(
    task: CommuniqueTask,
    busy: HostBusy,
    payload: dict[str, Any],
    deferred_since: float | None,
    deferrals: int,
) -> dict[str, Any]:
    """Fetch the entry (``payload``: the task's url, feed_id, title and published) again after
    its busy host's wait, or dead-letter it as ``host_busy`` once it waited too long."""
    url = payload["url"]
    since = deferred_since or time.time()
    waited = time.time() - since
    if waited > get_settings().host_max_wait_s:
        return task.give_up(url, payload, "host_busy", f"{busy} (waited {waited:.0f}s)")
    # politeness, not failure: a fresh message after the wait (published before this one
    # is acked, so nothing is lost) instead of spending a retry. It carries the host's slot
    # reserved for it and comes back exactly at that slot: no random spread, since deferred
    # fetches no longer race each other (each has its own slot, so none churns every second)
    kept = busy.reservation.to_message() if busy.reservation else None
    fetch_article.apply_async(
        args=(url, payload["feed_id"]),
        kwargs={"title": payload["title"], "published": payload["published"],
                "deferred_since": since, "deferrals": deferrals + 1, "reservation": kept},
        countdown=busy.wait_s,
    )  # fmt: skip
    return {"status": "deferred", "wait_s": busy.wait_s, "deferrals": deferrals + 1,
            "reservation": kept}  # fmt: skip


def _store_unless_syndicated(
    store: Store, article: Article, feed_id: str, url: str
) -> dict[str, Any]:
    """Store a fetched article and enqueue its processing, or merge it into the article it is
    a near-duplicate of."""
    from workers.tasks.process import process_article

    original = MinHashIndex(redis_client(), prefix=MINHASH_PREFIX).add_if_new(
        article.id, signature(article.text)
    )
    if original is not None:
        return _merge_syndicated_copy(store, original, article.id, feed_id, url)
    article = replace(article, content_fingerprint=fingerprint(article.text))
    store.store_article(article)
    process_article.apply_async(args=(article.id,))
    return {"status": "stored", "article_id": article.id, "chars": len(article.text)}
