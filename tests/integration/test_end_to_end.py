"""End to end through a real Celery worker, the real Redis and the real Elasticsearch.

Nothing is mocked: a threaded HTTP server on 127.0.0.1 serves feeds and article pages, a real
``celery worker`` subprocess consumes from Redis (its own db), and the test queries
Elasticsearch (its own index prefix). The worker's fetch policy allow-lists loopback through
``COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS`` (off by default).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from scripts.serve_seeds import build_site, load_seeds, rss_feed, rss_item, serve_in_thread
from tests.integration.stack import WAIT_S, Stack, wait_count, wait_until
from tests.support import require_shared

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.mark.parametrize("layout", ["single", "run"])
def test_seed_feed_becomes_searchable_articles_and_events(
    stack_for: Callable[..., Stack], es: Elasticsearch, layout: str
) -> None:
    """Through one worker on every queue, and through the workers `communique run` starts
    (processing, an I/O worker with a thread pool, reprocessing)."""
    server, base = serve_in_thread(build_site(load_seeds(require_shared("seeds", "seeds.jsonl"))))
    try:
        stack = stack_for(f"{base}/feed.xml", layout=layout)
        stack.send("communique.poll_feed", "seeds")
        articles = stack.settings.index_name("articles")
        kamikawa = wait_count(es, articles, {"match": {"text": "Kamikawa"}}, 1)
        bali = wait_count(es, articles, {"match": {"text": "Bali"}}, 1)
        processed = wait_count(es, articles, {"term": {"status": "processed"}}, 2)
    finally:
        server.shutdown()
    assert (kamikawa, bali) == (1, 1), stack.log_tail()
    assert processed == 2, stack.log_tail()
    facet = es.search(
        index=articles,
        size=0,
        aggs={"countries": {"terms": {"field": "entities.countries", "size": 50}}},
    )
    countries = {b["key"] for b in facet["aggregations"]["countries"]["buckets"]}
    assert {"JPN", "KOR", "USA"} <= countries, stack.log_tail()
    by_person = es.count(index=articles, query={"term": {"entities.persons": "Antony Blinken"}})
    assert by_person["count"] == 2, stack.log_tail()
    events = stack.settings.index_name("events")
    es.indices.refresh(index=events)
    consults = es.search(index=events, query={"term": {"type": "CONSULT"}}, size=20)
    places = {h["_source"].get("location", {}).get("place") for h in consults["hits"]["hits"]
              if h["_source"].get("location")}  # fmt: skip
    assert {"Rio de Janeiro", "Bali"} <= places, stack.log_tail()
    quoted = es.count(index=events, query={"term": {"quotes.speaker.keyword": "Antony Blinken"}})
    assert quoted["count"] >= 1, stack.log_tail()  # quotes are indexed with their speaker
    # one event per real-world event: the two seed meetings stay apart, and every mention
    # that can merge is in exactly one event
    mentions = stack.settings.index_name("mentions")
    es.indices.refresh(index=mentions)
    mergeable = es.count(index=mentions, query={"term": {"mergeable": True}})["count"]
    linked = es.search(index=events, size=200, source=["mention_ids", "article_ids"])
    assert sum(len(h["_source"]["mention_ids"]) for h in linked["hits"]["hits"]) == mergeable
    assert all(len(h["_source"]["article_ids"]) == 1 for h in linked["hits"]["hits"])
    park = es.count(index=events, query={"match": {"persons.name": "Park Jin"}})
    assert park["count"] >= 1, stack.log_tail()  # issue 9: the Bali meeting names Park Jin
    by_place = es.count(index=events, query={"term": {"location.place.lower": "bali"}})
    assert by_place["count"] >= 1, stack.log_tail()

    # reprocessing by task call (through the CLI) reruns extraction on its own queue
    before = {
        h["_id"]: h["_source"]["processed_at"] for h in es.search(index=articles)["hits"]["hits"]
    }
    # the CLI follows the run with a progress bar until every article has an outcome
    out = stack.cli("reprocess", "--older-than-version", "nlp-999.0.0")
    assert "finished" in out, out
    run_id = out.split("reprocess run ", 1)[1].split(":", 1)[0]
    assert "finished" in stack.cli("reprocess", "status", run_id)
    after = dict(before)

    def all_reprocessed() -> bool:
        es.indices.refresh(index=articles)
        hits = es.search(index=articles)["hits"]["hits"]
        after.update({h["_id"]: h["_source"]["processed_at"] for h in hits})
        return all(after[k] != v for k, v in before.items())

    wait_until(all_reprocessed, WAIT_S, every_s=1)
    assert all(after[k] != v for k, v in before.items()), stack.log_tail()
    es.indices.refresh(index=events)
    again = es.search(index=events, query={"term": {"type": "CONSULT"}}, size=20)
    assert again["hits"]["total"]["value"] == consults["hits"]["total"]["value"]  # no doubles
    same = {h["_id"] for h in again["hits"]["hits"]} == {h["_id"] for h in consults["hits"]["hits"]}
    assert same  # the same events, by the same ids


def test_every_entry_ends_indexed_or_dead_lettered_and_reconcile_recovers_losses(
    stack_for: Callable[[str], Stack], es: Elasticsearch
) -> None:
    seeds = load_seeds(require_shared("seeds", "seeds.jsonl"))
    site = build_site(seeds[:1])
    now = datetime(2024, 2, 23, tzinfo=UTC)
    items = [
        rss_item("Seed", f"/news/{seeds[0]['id']}.html", "good", now),
        rss_item("Gone", "/news/missing.html", "gone", now),
        rss_item("Empty", "/news/empty.html", "empty", now),
    ]
    site["/feed.xml"] = ("application/rss+xml", rss_feed(items))
    site["/news/empty.html"] = ("text/html", "<html><body><nav>menu</nav></body></html>")
    # the same story in a second feed, behind a tracking parameter and a fragment
    mirror_item = rss_item("Seed again", f"/news/{seeds[0]['id']}.html?utm_source=rss#top",
                           "mirror-guid", now)  # fmt: skip
    site["/mirror.xml"] = ("application/rss+xml", rss_feed([mirror_item], "Mirror"))
    server, base = serve_in_thread(site)
    try:
        stack = stack_for(f"{base}/feed.xml")
        stack.send("communique.poll_feed", "seeds")
        articles = stack.settings.index_name("articles")
        dead = stack.settings.index_name("deadletters")
        assert wait_count(es, articles, {"term": {"status": "processed"}}, 1) == 1, stack.log_tail()
        assert wait_count(es, dead, {"match_all": {}}, 2) == 2, stack.log_tail()
        reasons = {h["_source"]["reason"] for h in es.search(index=dead)["hits"]["hits"]}
        assert reasons == {"http_404", "no_text"}, stack.log_tail()

        stack.cli("feeds", "add", "mirror", f"{base}/mirror.xml", "--interval", "3600")
        stack.send("communique.poll_feed", "mirror")
        hits: list[dict[str, Any]] = []

        def mirrored() -> bool:
            es.indices.refresh(index=articles)
            hits[:] = es.search(index=articles)["hits"]["hits"]
            return bool(hits) and hits[0]["_source"].get("feed_ids") == ["seeds", "mirror"]

        wait_until(mirrored, WAIT_S, every_s=1)
        assert len(hits) == 1, stack.log_tail()  # one document for the story
        assert hits[0]["_source"]["feed_ids"] == ["seeds", "mirror"], stack.log_tail()
        assert len(hits[0]["_source"]["sources"]) == 2

        report = json.loads(stack.cli("reconcile", "--dry-run", "--min-age", "0", "--json"))
        # the mirror's entry has the same article id as the original: 3 ledger entries in all
        assert (report["ledger_entries"], report["indexed"], report["dead_lettered"]) == (3, 1, 2)
        assert report["missing"] == 0 and report["reenqueued"] == 0

        # lose the stored article behind the pipeline's back: the reconciler must notice
        doc_id = es.search(index=articles)["hits"]["hits"][0]["_id"]
        es.delete(index=articles, id=doc_id, refresh=True)
        report = json.loads(stack.cli("reconcile", "--min-age", "0", "--json"))
        assert report["missing_ids"] == [doc_id] and report["reenqueued"] == 1
        assert wait_count(es, articles, {"ids": {"values": [doc_id]}}, 1) == 1, stack.log_tail()
    finally:
        server.shutdown()
