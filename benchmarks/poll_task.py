"""Cost of the whole ``communique.poll_feed`` task body vs. bare fetch + parse, same run.

    .venv/bin/python benchmarks/poll_task.py [--feeds 1000]

``benchmarks/polling.py`` measures SafeFetcher + parse_feed alone. A worker process does more
per poll: the runtime registry, feed state, per-host slots, the ledger, the next due time and a
feed-health document in Elasticsearch. This benchmark runs, in one process and sequentially (as
one worker process with concurrency 1 would), case (a) of polling.py — 90 % of feeds answer
304 — through (1) the bare fetch + parse path and (2) ``poll_feed.run``, and prints both side by
side with the ratio. Needs the local Redis and Elasticsearch (`communique services up`); uses
Redis db 10 and the index prefix ``bench-poll``, both removed afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

REDIS_URL = "redis://127.0.0.1:6379/10"
PREFIX = "bench-poll"
os.environ.update(
    {
        "COMMUNIQUE_REDIS_URL": REDIS_URL,
        "COMMUNIQUE_INDEX_PREFIX": PREFIX,
        "COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
        "COMMUNIQUE_HOST_MIN_INTERVAL_S": "0",
        "COMMUNIQUE_HOST_MAX_CONCURRENCY": "1000",
    }
)

from polling import _serve  # noqa: E402  (the same local feed server as polling.py)

from pipeline.feeds import parse_feed  # noqa: E402
from pipeline.fetch import FetchPolicy, SafeFetcher  # noqa: E402
from pipeline.index.templates import apply_templates, delete_prefix  # noqa: E402
from pipeline.models import FeedSpec  # noqa: E402
from workers import feedstore  # noqa: E402
from workers.resources import es_client, redis_client  # noqa: E402
from workers.tasks.poll import poll_feed  # noqa: E402


def _measure(label: str, n: int, poll_one) -> tuple[str, int, float, float]:  # type: ignore[no-untyped-def]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(n):
        poll_one(i)
    return label, n, time.perf_counter() - wall0, time.process_time() - cpu0


def main(argv: list[str] | None = None) -> int:
    """Run both paths on case (a) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    args = parser.parse_args(argv)
    n = args.feeds

    ctx = multiprocessing.get_context("spawn")
    port_queue: multiprocessing.Queue = ctx.Queue()
    stop = ctx.Event()
    server = ctx.Process(target=_serve, args=(port_queue, stop, n, 10), daemon=True)
    server.start()
    r = redis_client()
    es = es_client()
    try:
        base = f"http://127.0.0.1:{port_queue.get(timeout=30)}"
        r.flushdb()
        apply_templates(es, REPO / "config", PREFIX)
        for i in range(n):
            feedstore.add(r, FeedSpec(id=f"f{i}", url=f"{base}/feed/{i}.xml"))

        # (1) bare path: conditional GET + parse of 200s, ETags kept in a dict
        etags: dict[int, str] = {}
        policy = FetchPolicy(allowed_private_networks=frozenset({"127.0.0.0/8"}))
        with SafeFetcher(policy) as fetcher:

            def bare(i: int) -> None:
                page = fetcher.fetch(f"{base}/feed/{i}.xml", etag=etags.get(i))
                if page.etag:
                    etags[i] = page.etag
                if page.status != 304:
                    parse_feed(page.content, feed_id=str(i), base_url=page.url)

            for i in range(n):  # warm-up: learn every ETag
                bare(i)
            rows = [_measure("fetch + parse only", n, bare)]

        # (2) the task body: warm-up round learns ETags and fills the ledger (enqueuing the
        # first round's entries), the measured round is the steady state of case (a)
        for i in range(n):
            poll_feed.run(f"f{i}")
        rows.append(_measure("poll_feed task body", n, lambda i: poll_feed.run(f"f{i}")))
    finally:
        stop.set()
        server.join(timeout=10)
        r.flushdb()
        delete_prefix(es, PREFIX)

    print(f"case (a): {n} feeds, 90 % answer 304, one process, sequential")
    print(f"{'path':<22}{'polls':>7}{'wall s':>9}{'polls/min':>11}{'CPU ms/poll':>13}"
          f"{'core@1000/min':>15}")  # fmt: skip
    for label, polls, wall, cpu in rows:
        print(
            f"{label:<22}{polls:>7}{wall:>9.2f}{polls / wall * 60:>11.0f}"
            f"{cpu / polls * 1000:>13.2f}{cpu / polls * 1000 / 60:>14.1%}"
        )
    ratio = (rows[1][3] / rows[1][1]) / (rows[0][3] / rows[0][1])
    task_ok = rows[1][1] / rows[1][2] * 60 >= 1000 and rows[1][3] / rows[1][1] * 1000 / 60 <= 0.25
    print(f"task CPU per poll = {ratio:.2f}x the bare path")
    print(f"target (a) through the task: >= 1,000 polls/min, <= 25 % of one core -> "
          f"{'PASS' if task_ok else 'FAIL'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
