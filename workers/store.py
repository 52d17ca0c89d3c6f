"""Every Elasticsearch read and write of the application, behind one object (client injected).

Tasks load through it, call a pipeline function and save through it, so they can be tested
with a fake store. Two invariants live here:

- **Mentions are the truth, events are derived.** Saving a processed article replaces its
  mentions (the ids and block keys of the previous run are on the article, read back with a
  real-time GET); recomputing events takes every block key the article had or has, expands it
  to the closure of keys its mentions and events share, locks those keys (Redis, sorted order),
  re-reads, merges with :func:`pipeline.events.merge.merge` and writes the difference. The
  result depends only on the stored mentions, so any order and any number of workers converge
  on the same events, and a reprocessed or deleted article leaves nothing stale.
- **A stale run never overwrites a newer one.** Each run carries ``run_version`` (its start
  time in ms). Under the article's lock a run older than the stored one is dropped; mention
  writes and deletes also carry it as an external version, so Elasticsearch itself rejects a
  late write (409) even if a lock expired.

Refreshes: no write forces one. The recompute, holding its keys' locks, refreshes the mentions
and events indices once before it searches them: that makes this run's mentions and every write
of an earlier lock holder visible together, which is all the merge needs (one refresh instead of
one after each bulk). Every read of an article here is a real-time GET, so the article's own
update needs none; analysts' searches see all of it within the indices' 1 s refresh interval.
``benchmarks/store.py``: 54 -> 28 ms of Elasticsearch CPU per article without the article's
refresh, then 88 -> 66 and 68 -> 42 ms (two alternating runs) with one refresh per recompute
and a plain search before any scroll.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elasticsearch import NotFoundError
from elasticsearch.helpers import scan

from pipeline.errors import SkipArticle, TransientIndexingError
from pipeline.events.mention import Mention, mention_from_document
from pipeline.events.merge import merge
from pipeline.index.documents import article_document, article_from_document, processing_update
from pipeline.index.event_documents import event_document, mention_document
from pipeline.index.writer import BulkOutcome, IndexAction, bulk_write
from pipeline.models import Article
from pipeline.process import ProcessedArticle
from pipeline.text import with_feed
from workers.state.locks import KeyLocks

log = logging.getLogger("communique.store")

#: terms per query when looking mentions and events up by block key
TERMS_CHUNK = 1000
#: hits of the plain search that answers a block-key lookup before a scroll is needed
SEARCH_PAGE = 500
#: ids per multi-get
MGET_BATCH = 500
#: what saving a run reads back of the stored article (its previous run)
RUN_FIELDS = ["run_version", "mention_ids", "block_keys"]
#: attempts at locking a closure that keeps growing under concurrent writes
MAX_LOCK_ROUNDS = 8


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """What saving a processed article did."""

    stale: bool
    keys: tuple[str, ...] = ()  # block keys whose events must be recomputed
    mentions: int = 0
    rejected: int = 0


@dataclass(frozen=True, slots=True)
class RecomputeOutcome:
    """What recomputing events did."""

    mentions: int
    events: int
    deleted: int


def _same_document(document: dict[str, Any], stored: dict[str, Any] | None) -> bool:
    """Whether ``stored`` (a document as Elasticsearch returns it) already holds ``document``.

    Compared after a JSON round trip, as the server stores it; event documents carry no clock,
    so a merge that did not change an event gives an equal document. Most recomputes leave
    most events of their closure as they were: in the end-to-end benchmark 104 articles caused
    781 event writes before this check."""
    if stored is None:
        return False
    try:
        return bool(json.loads(json.dumps(document)) == stored)
    except (TypeError, ValueError):  # not plain JSON: write it, the safe side
        return False


def _raise_if_retryable(outcome: BulkOutcome, subject: str) -> None:
    if outcome.retryable:
        first = outcome.retryable[0]
        raise TransientIndexingError(
            f"{len(outcome.retryable)} writes need a retry: {first.reason}", subject=subject
        )


class Store:
    """Articles, mentions, events, feed health and dead letters in Elasticsearch; locks in Redis."""

    def __init__(self, es: Any, index_name: Callable[[str], str], locks: KeyLocks) -> None:
        self.es = es
        self.articles = index_name("articles")
        self.mentions = index_name("mentions")
        self.events = index_name("events")
        self.feeds = index_name("feeds")
        self.deadletters = index_name("deadletters")
        self.locks = locks

    # --- articles ---------------------------------------------------------------------------
    def article_document(
        self, article_id: str, fields: list[str] | None = None
    ) -> dict[str, Any] | None:
        """The stored ``articles`` document (real-time GET; only ``fields`` if given), or None."""
        try:
            found = self.es.get(index=self.articles, id=article_id, source_includes=fields)
        except NotFoundError:
            return None
        return dict(found.get("_source") or {})

    def get_article(self, article_id: str) -> Article | None:
        """The stored article, or None."""
        doc = self.article_document(article_id)
        return article_from_document(doc) if doc is not None else None

    def store_article(self, article: Article) -> None:
        """Index a freshly fetched article (status ``fetched``)."""
        self.es.index(index=self.articles, id=article.id, document=article_document(article))

    def add_source(self, article_id: str, feed_id: str, url: str) -> str:
        """Record one more feed/URL carrying the article: ``missing`` (not stored), ``known``
        (nothing new) or ``added`` (a processed article then needs reprocessing so its
        mentions and events count the new outlet)."""
        article = self.get_article(article_id)
        if article is None:
            return "missing"
        wider = with_feed(article, feed_id, url)
        if wider == article:
            return "known"
        self.es.update(
            index=self.articles,
            id=article_id,
            doc={"feed_ids": list(wider.feed_ids), "sources": list(wider.sources)},
        )
        return "added"

    def stored_article_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are stored (multi-get in batches, no sources)."""
        wanted = sorted(set(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), MGET_BATCH):
            chunk = wanted[start : start + MGET_BATCH]
            response = self.es.mget(index=self.articles, ids=chunk, source=False)
            found.update(doc["_id"] for doc in response["docs"] if doc.get("found"))
        return found

    def select_article_ids(self, query: dict[str, Any]) -> Iterator[str]:
        """Ids of every article matching ``query`` (scroll; nothing loaded)."""
        for hit in scan(self.es, index=self.articles, query={"query": query, "_source": False}):
            yield hit["_id"]

    # --- processing -------------------------------------------------------------------------
    def save_processed(
        self, processed: ProcessedArticle, *, run_version: int, processed_at: datetime
    ) -> SaveOutcome:
        """Replace the article's mentions and mark it processed, unless a newer run did."""
        aid = processed.article.id
        with self.locks.hold([f"article:{aid}"]):
            # the run bookkeeping only: the text was read (and processed) before the lock
            stored = self.article_document(aid, fields=RUN_FIELDS)
            if stored is None:  # deleted while it was being processed: write no orphans
                raise SkipArticle(
                    "article deleted during processing", subject=aid, reason="missing_article"
                )
            if int(stored.get("run_version") or 0) >= run_version:
                return SaveOutcome(stale=True)
            new_ids = {m.id for m in processed.mentions}
            actions = [
                IndexAction(
                    self.mentions,
                    m.id,
                    mention_document(m, indexed_at=processed_at),
                    version=run_version,
                    version_type="external",
                )
                for m in processed.mentions
            ]
            actions += [
                IndexAction(
                    self.mentions, old, op="delete", version=run_version, version_type="external"
                )
                for old in stored.get("mention_ids") or ()
                if old not in new_ids
            ]
            outcome = bulk_write(self.es, actions)  # the recompute refreshes before it reads
            _raise_if_retryable(outcome, aid)
            update = processing_update(
                processed, run_version=run_version, processed_at=processed_at
            )
            # a mention the mapping rejected is a note on the article, not a stored mention
            rejected = {f.id for f in outcome.failed}
            update["mention_ids"] = [i for i in update["mention_ids"] if i not in rejected]
            update["event_count"] = len(update["mention_ids"])
            update["notes"] += [
                {"code": "mention_rejected", "message": f.reason, "stage": "index"}
                for f in outcome.failed
            ]
            self.es.update(index=self.articles, id=aid, doc=update)
        keys = set(stored.get("block_keys") or ()) | set(processed.block_keys)
        return SaveOutcome(
            stale=False,
            keys=tuple(sorted(keys)),
            mentions=len(processed.mentions),
            rejected=len(outcome.failed),
        )

    def delete_article(self, article_id: str) -> RecomputeOutcome | None:
        """Remove an article, its mentions and their share of every event (None: not stored).

        Mentions go first and the article (which lists their keys) last, so an interruption
        leaves something a rerun completes rather than events nobody can find again.
        """
        stored = self.article_document(article_id)
        if stored is None:
            return None
        with self.locks.hold([f"article:{article_id}"]):
            deletes = [
                IndexAction(self.mentions, mid, op="delete")
                for mid in stored.get("mention_ids") or ()
            ]
            _raise_if_retryable(bulk_write(self.es, deletes), article_id)
        outcome = self.recompute_events(stored.get("block_keys") or ())
        deleted = bulk_write(
            self.es, [IndexAction(self.articles, article_id, op="delete")], refresh=True
        )
        _raise_if_retryable(deleted, article_id)
        return outcome

    # --- events -----------------------------------------------------------------------------
    def recompute_events(self, keys: Iterable[str]) -> RecomputeOutcome:
        """Recompute every event the mentions under ``keys`` belong to (see module doc)."""
        wanted = frozenset(keys)
        if not wanted:
            return RecomputeOutcome(0, 0, 0)
        locked = wanted
        for _ in range(MAX_LOCK_ROUNDS):
            with self.locks.hold(f"key:{k}" for k in locked):
                # one refresh per recompute, under the locks: every write of an earlier holder
                # (mentions, events) and this run's own mentions become searchable together
                self.es.indices.refresh(index=[self.mentions, self.events])
                mentions, existing, closure = self._closure(wanted)
                if closure <= locked:
                    return self._write_events(mentions, existing)
            locked = closure | locked  # grew while we looked: lock the larger set and re-read
        raise TransientIndexingError("block-key closure kept growing", subject=min(wanted))

    def _closure(
        self, wanted: frozenset[str]
    ) -> tuple[list[Mention], dict[str, dict[str, Any]], frozenset[str]]:
        """The mentions and the stored events (id -> document) of the closure of ``wanted``."""
        keys = set(wanted)
        frontier = set(wanted)
        mentions: dict[str, Mention] = {}
        existing: dict[str, dict[str, Any]] = {}
        while frontier:
            found: set[str] = set()
            mention_docs, event_docs = self._by_keys(frontier)
            for doc in mention_docs:
                mentions.setdefault(doc["id"], mention_from_document(doc))
                found.update(doc.get("block_keys") or ())
            for doc in event_docs:
                existing[doc["id"]] = doc
                found.update(doc.get("block_keys") or ())
            frontier = found - keys
            keys |= found
        return list(mentions.values()), existing, frozenset(keys)

    def _by_keys(self, keys: set[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The mentions and events (whole documents) filed under any of ``keys``."""
        mentions: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        ordered = sorted(keys)
        for start in range(0, len(ordered), TERMS_CHUNK):
            query = {"terms": {"block_keys": ordered[start : start + TERMS_CHUNK]}}
            mentions += self._search_all(self.mentions, query, True)
            # whole events, not just their keys: an event the merge leaves as it was is not
            # written again (_write_events), and reading a few more fields of a handful of
            # events costs the server far less than indexing, refreshing and merging them
            events += self._search_all(self.events, query, True)
        return mentions, events

    def _search_all(
        self, index: str, query: dict[str, Any], source: list[str] | bool
    ) -> list[dict[str, Any]]:
        # A block key holds a handful of documents: one plain search answers almost every
        # lookup; a scroll (open, page, clear: three requests and a search context) only
        # when the first page cannot hold them all.
        page = self.es.search(index=index, query=query, source=source, size=SEARCH_PAGE)
        hits = page["hits"]["hits"]
        if page["hits"]["total"]["value"] > len(hits):
            hits = list(scan(self.es, index=index, query={"query": query, "_source": source}))
        return [{"id": hit["_id"], **hit["_source"]} for hit in hits]

    def _write_events(
        self, mentions: list[Mention], existing: dict[str, dict[str, Any]]
    ) -> RecomputeOutcome:
        """Write the merged events that differ from the stored ones; delete the gone ones."""
        events = merge(mentions)
        ids = {e.id for e in events}
        documents = ((e.id, event_document(e)) for e in events)
        actions = [
            IndexAction(self.events, eid, doc)
            for eid, doc in documents
            if not _same_document(doc, existing.get(eid))
        ]
        actions += [
            IndexAction(self.events, old, op="delete") for old in sorted(existing.keys() - ids)
        ]
        outcome = bulk_write(self.es, actions)  # the next recompute refreshes before it reads
        _raise_if_retryable(outcome, "events")
        for failure in outcome.failed:
            log.error("event %s rejected: %s", failure.id, failure.reason)
        return RecomputeOutcome(len(mentions), len(events), len(existing.keys() - ids))

    # --- Kibana's copies of operational records (Redis holds the truth) ----------------------
    def index_feed_health(self, feed_id: str, document: dict[str, Any]) -> None:
        """Index one feed's health document (``feeds`` index)."""
        self.es.index(index=self.feeds, id=feed_id, document=document)

    def index_dead_letter(self, record: dict[str, Any]) -> None:
        """Index a copy of one dead letter (``deadletters`` index), keyed by its record id."""
        self.es.index(index=self.deadletters, id=record["id"], document=record)


def default_store() -> Store:
    """The process's store on the configured Elasticsearch, Redis and index prefix."""
    from workers.resources import es_client, redis_client
    from workers.settings import get_settings

    settings = get_settings()
    # A lock lasts at most the hard time limit: a task holding it is killed by then, and a
    # worker lost while holding it (crash, network cut) has freed it before Redis hands its
    # task to another worker (time limit < visibility timeout, checked by Settings).
    locks = KeyLocks(
        redis_client(),
        f"communique:lock:{settings.index_prefix}",
        timeout_s=float(settings.task_time_limit_s),
    )
    return Store(es_client(), settings.index_name, locks)
