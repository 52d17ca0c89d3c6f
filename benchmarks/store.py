"""Elasticsearch cost of the store's write path per article, against a bare article index.

    .venv/bin/python benchmarks/store.py [--articles 60] [--shared ../shared]

Processes real articles (the Wikinews dev texts) with the extractor once, untimed, then saves
each through the production :class:`~workers.store.Store` exactly as the process task does
(article, then ``save_processed`` and ``recompute_events``) on its own index prefix. Measured:
Elasticsearch CPU seconds (read from ``/proc`` of the local server's work threads, after a
warm-up, its JIT compiling left out: ``es_warmup.py``; on a 2-core machine that runs it beside
the workers this is part of every article's cost), wall time and HTTP requests per article.
The same-run baseline indexes the same article documents with one request each and no
refresh: the least any store must do. Needs the local Redis and Elasticsearch.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from elasticsearch import Elasticsearch  # noqa: E402
from rich.progress import track  # noqa: E402

from benchmarks.es_warmup import dev_articles, es_server_cpu_s, warm_elasticsearch  # noqa: E402
from pipeline.index.documents import article_document  # noqa: E402
from pipeline.index.templates import apply_templates, delete_prefix  # noqa: E402
from pipeline.models import Article  # noqa: E402
from pipeline.process import ProcessedArticle, process_article  # noqa: E402
from workers.settings import get_settings  # noqa: E402
from workers.state.locks import KeyLocks  # noqa: E402
from workers.store import Store  # noqa: E402


class RequestCounter:
    """Counts the HTTP requests an Elasticsearch client sends (wraps its transport)."""

    def __init__(self, es: Elasticsearch) -> None:
        self.count = 0
        transport = es.transport
        send = transport.perform_request

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return send(*args, **kwargs)

        transport.perform_request = counted  # type: ignore[method-assign]


def measure(label: str, items: list[Any], write: Callable[[Any], None], counter: RequestCounter
            ) -> dict[str, float]:  # fmt: skip
    """ES CPU ms, wall ms and requests per item of ``write`` over ``items``."""
    cpu0, wall0, req0 = es_server_cpu_s(), time.perf_counter(), counter.count
    for item in track(items, description=label, transient=True):
        write(item)
    n = max(1, len(items))
    return {
        "es_cpu_ms": 1000 * (es_server_cpu_s() - cpu0) / n,
        "wall_ms": 1000 * (time.perf_counter() - wall0) / n,
        "requests": (counter.count - req0) / n,
    }


def index_operations(es: Elasticsearch, prefix: str) -> dict[str, int]:
    """Totals of the operations Elasticsearch ran on the indices of ``prefix`` (index stats)."""
    stats = es.indices.stats(index=f"{prefix}-*")["_all"]["total"]
    return {
        "gets": stats["get"]["total"],
        "searches": stats["search"]["query_total"],
        "scrolls": stats["search"]["scroll_total"],
        "writes": stats["indexing"]["index_total"] + stats["indexing"]["delete_total"],
        "refreshes": stats["refresh"]["total"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=60)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    settings = get_settings()
    from workers.resources import extractor

    articles = dev_articles(args.shared, args.articles)
    processed = [process_article(a, extractor()) for a in track(articles, description="extracting")]
    es = Elasticsearch(settings.es_url, request_timeout=60)
    counter = RequestCounter(es)
    prefix = f"bench-store-{uuid.uuid4().hex[:8]}"
    apply_templates(es, settings.config_dir, prefix)
    r = redis.Redis.from_url(settings.redis_url)
    store = Store(es, lambda kind: f"{prefix}-{kind}", KeyLocks(r, f"communique:lock:{prefix}"))

    def bare(article: Article) -> None:
        es.index(index=f"{prefix}-baseline", id=article.id, document=article_document(article))

    def full(p: ProcessedArticle) -> None:
        store.store_article(p.article)
        saved = store.save_processed(
            p, run_version=time.time_ns() // 1_000_000, processed_at=datetime.now(UTC)
        )
        store.recompute_events(saved.keys)

    try:
        warmup = warm_elasticsearch(es, r, settings.config_dir, processed)
        per_round = ", ".join(f"{work:.2f} ({jit:.2f})" for work, jit in warmup)
        print(f"Elasticsearch warm-up, work (JIT) CPU s per round: {per_round}")
        base = measure("baseline", articles, bare, counter)
        ours = measure("store", processed, full, counter)
        ops = index_operations(es, prefix)
    finally:
        delete_prefix(es, prefix)
        es.options(ignore_status=404).indices.delete(index=f"{prefix}-baseline")
    mentions = sum(len(p.mentions) for p in processed)
    print(f"{len(articles)} articles, {mentions} mentions; Elasticsearch shared with other work\n")
    print(f"{'path':<40} | {'ES CPU ms':>9} | {'wall ms':>8} | {'requests':>8}")
    print("-" * 74)
    for name, row in (
        ("bare article index (baseline)", base),
        ("store: article + mentions + events", ours),
    ):
        print(
            f"{name:<40} | {row['es_cpu_ms']:9.1f} | {row['wall_ms']:8.1f} | {row['requests']:8.1f}"
        )
    print(
        "Elasticsearch operations per article: "
        + ", ".join(f"{k} {v / len(articles):.1f}" for k, v in ops.items())
    )
    ratio = ours["es_cpu_ms"] / max(0.1, base["es_cpu_ms"])
    requests = ours["requests"] / base["requests"]
    print(f"\nstore / baseline: ES CPU {ratio:.1f}x, requests {requests:.1f}x")


if __name__ == "__main__":
    main()
