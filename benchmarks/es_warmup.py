"""Warm a freshly started Elasticsearch before a benchmark measures it.

The server's CPU per article falls for hundreds of articles after a start while its JIT compiles
the indexing, refresh and search paths: five back-to-back ``benchmarks/e2e.py`` runs after
``communique services up`` gave 0.31, 0.23, 0.18, 0.15 and 0.12 Elasticsearch CPU s per
article on the same machine. A figure taken on a cold server measures its warm-up, not the store.
This module drives the production :class:`~workers.store.Store` write path (article, mentions,
merged events) on a scratch index prefix, round after round, until a round costs the server's
work threads about as much CPU as the one before, and removes the prefix after. Its JIT
compiling goes on much longer (on a fresh server, 1,200 saves in 68 s still compiled for
0.4-0.6 s per 20-article round while the work had settled at ~0.6-0.7 s after 10 rounds), so
the benchmarks count that apart (``e2e_sampling.jvm_cpu_s``) rather than wait it out. Every
round saves the same articles again (a newer run of each): the same requests, refreshes and
merges as new articles.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import redis
from elasticsearch import Elasticsearch

from benchmarks.e2e_sampling import jvm_cpu_s, service_pids
from pipeline.index.templates import apply_templates, delete_prefix
from pipeline.models import Article
from pipeline.nlp.evaluation import wikinews_inputs
from pipeline.process import ProcessedArticle
from pipeline.timeutil import parse_datetime
from workers.state.locks import KeyLocks
from workers.store import Store

#: a round's work is "as costly as the one before" within this fraction
SETTLED = 0.10
MIN_ROUNDS = 3
MAX_ROUNDS = 12


def es_server_cpu_s() -> float:
    """CPU seconds the local Elasticsearch server's work threads used so far (its JIT
    compiler threads left out; 0 when no server is found)."""
    pid = service_pids().get("es")
    return jvm_cpu_s(pid)[0] if pid else 0.0


def dev_articles(shared: Path, limit: int) -> list[Article]:
    """The first ``limit`` articles of the Wikinews dev gold, as stored articles."""
    gold = [json.loads(line) for line in (shared / "eval" / "dev_gold.jsonl").open()]
    ids = {g["id"] for g in gold[:limit]}
    inputs = wikinews_inputs(
        shared / "corpus" / "wikinews-vanatteveldt" / "wikinews_2019_2020.jsonl", ids
    )
    return [
        Article(
            id=f"bench-{i.id}",
            url=f"https://news.example/{i.id}",
            canonical_url=f"https://news.example/{i.id}",
            title=i.title,
            text=i.text,
            published=parse_datetime(i.published),
            feed_ids=("bench",),
            sources=(f"https://news.example/{i.id}",),
        )
        for i in inputs.values()
    ]


def _save_round(store: Store, processed: list[ProcessedArticle]) -> None:
    """Save every article as the process task does."""
    for p in processed:
        store.store_article(p.article)
        saved = store.save_processed(
            p, run_version=time.time_ns() // 1_000_000, processed_at=datetime.now(UTC)
        )
        store.recompute_events(saved.keys)


def warm_elasticsearch(
    es: Elasticsearch, r: redis.Redis, config_dir: Path, processed: list[ProcessedArticle]
) -> list[tuple[float, float]]:
    """Save ``processed`` through the store in rounds until the server's work CPU per round
    settles (within :data:`SETTLED` of the round before, after at least :data:`MIN_ROUNDS`) or
    :data:`MAX_ROUNDS` pass. Returns (work, JIT compiling) CPU seconds per round."""
    prefix = f"warmup-{uuid.uuid4().hex[:8]}"
    apply_templates(es, config_dir, prefix)
    store = Store(es, lambda kind: f"{prefix}-{kind}", KeyLocks(r, f"communique:lock:{prefix}"))
    pid = service_pids().get("es")
    rounds: list[tuple[float, float]] = []
    try:
        for _ in range(MAX_ROUNDS):
            before = jvm_cpu_s(pid) if pid else (0.0, 0.0)
            _save_round(store, processed)
            after = jvm_cpu_s(pid) if pid else (0.0, 0.0)
            rounds.append((after[0] - before[0], after[1] - before[1]))
            if len(rounds) >= MIN_ROUNDS and rounds[-1][0] >= rounds[-2][0] * (1 - SETTLED):
                break
    finally:
        delete_prefix(es, prefix)
    return rounds
