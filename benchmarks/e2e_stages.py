"""CPU seconds per article by stage, measured in one process over the benchmark's own pages.

The worker's processes report only their total CPU; this profile runs the same production
functions stage by stage (poll = fetch + parse a feed, fetch = the safe fetcher on a page,
extract text = trafilatura via ``pipeline.text``, NLP = ``pipeline.process`` (the event
extractor, mentions), index = the article write, the mentions and the merged events through
the production store) so the end-to-end table can say which stage holds it back.
Used by ``benchmarks/e2e.py``; never by production code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import redis
from elasticsearch import Elasticsearch

from pipeline.feeds import parse_feed
from pipeline.fetch import FetchPolicy, SafeFetcher
from pipeline.ids import article_id
from pipeline.index.documents import article_document
from pipeline.nlp.extractor import EventExtractor
from pipeline.process import process_article
from pipeline.text import extract_article
from pipeline.urls import canonical_url
from workers.state.locks import KeyLocks
from workers.store import Store

T = TypeVar("T")
STAGES = ("poll", "fetch", "extract text", "NLP", "index")


@dataclass
class StageCost:
    """Accumulated CPU seconds per stage and the number of articles they cover."""

    cpu_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    #: wall-clock seconds: beside CPU they show where a process waits (a refresh, a lock)
    wall_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    articles: int = 0
    feed_entries: int = 0  # what the polls listed: a poll's cost is shared by its entries

    def timed(self, stage: str, call: Callable[[], T]) -> T:
        """Run ``call`` and charge its CPU time to ``stage``."""
        started, started_wall = time.process_time(), time.perf_counter()
        try:
            return call()
        finally:
            self.cpu_s[stage] += time.process_time() - started
            self.wall_s[stage] += time.perf_counter() - started_wall

    def per_article_ms(self, wall: bool = False) -> dict[str, float]:
        """Milliseconds of CPU (or wall-clock time) per article for each stage."""
        spent = self.wall_s if wall else self.cpu_s
        per = {k: 1000 * v / max(1, self.articles) for k, v in spent.items()}
        per["poll"] = 1000 * spent["poll"] / max(1, self.feed_entries)
        return per


def profile_stages(
    feed_urls: list[str],
    page_urls: list[str],
    extractor: EventExtractor,
    es: Elasticsearch,
    r: redis.Redis,
    prefix: str,
) -> StageCost:
    """Run every stage over ``page_urls`` (and each feed once); the cost per stage."""
    cost = StageCost()
    store = Store(es, lambda kind: f"{prefix}-{kind}", KeyLocks(r, f"communique:lock:{prefix}"))
    fetcher = SafeFetcher(FetchPolicy(allowed_private_networks=frozenset({"127.0.0.0/8"})))
    try:
        for url in feed_urls:
            page = cost.timed("poll", lambda url=url: fetcher.fetch(url, kind="feed"))
            parsed = cost.timed(
                "poll",
                lambda page=page, url=url: parse_feed(
                    page.content, feed_id="bench", base_url=url, content_type=page.content_type
                ),
            )
            cost.feed_entries += len(parsed.entries)
        for url in page_urls:
            _one_article(cost, fetcher, extractor, store, url)
            cost.articles += 1
    finally:
        fetcher.close()
    return cost


def _one_article(
    cost: StageCost, fetcher: SafeFetcher, extractor: EventExtractor, store: Store, url: str
) -> None:
    canonical = canonical_url(url)
    aid = article_id(canonical)
    page = cost.timed("fetch", lambda: fetcher.fetch(url, kind="page"))
    article = cost.timed("extract text", lambda: extract_article(page, canonical_url=canonical))
    processed = cost.timed("NLP", lambda: process_article(article, extractor))

    def index() -> Any:
        store.es.index(index=store.articles, id=aid, document=article_document(article))
        saved = store.save_processed(
            processed, run_version=time.time_ns() // 1_000_000, processed_at=datetime.now(UTC)
        )
        return store.recompute_events(saved.keys)

    cost.timed("index", index)
