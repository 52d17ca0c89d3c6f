"""End-to-end benchmark: feeds on a local site → Celery workers and beat → searchable events.

A local site (``scripts/news_site.py``) publishes corpus articles (Wikinews, VOA, the seeds, and
real pages of the article-extraction benchmark) into several RSS feeds spread over loopback
hosts; the whole stack runs on the local Redis and Elasticsearch (its own Redis db and index
prefix, removed after): the workers `communique run` starts (processing with N processes, I/O
with a thread pool, reprocessing) and beat. Two phases:

1. latency: articles appear at ``--rate`` per second; latency runs from the poll that first
   lists an entry to the article AND its events being searchable (the wait for that poll — the
   poll interval — is reported separately and excluded);
2. saturation: ``--articles`` appear at once; sustained articles/s while the queues drain.

Also CPU seconds per article for the worker processes and by stage (``e2e_stages.py``), peak RSS
per worker process, queue depths over time (PNG plot with throughput and latency), and in the
same run the plain full spaCy pipeline (``nlp.pipe``) over the same texts as the baseline.

    .venv/bin/python benchmarks/e2e.py [--articles 60] [--rate 5] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from elasticsearch import Elasticsearch  # noqa: E402

from benchmarks.e2e_report import plot, report  # noqa: E402
from benchmarks.e2e_sampling import (  # noqa: E402
    Samples,
    sample_forever,
    service_pids,
    services_cpu_s,
)
from benchmarks.e2e_stages import profile_stages  # noqa: E402
from benchmarks.es_warmup import dev_articles, warm_elasticsearch  # noqa: E402
from pipeline.ids import article_id  # noqa: E402
from pipeline.index.templates import apply_templates, delete_prefix  # noqa: E402
from pipeline.process import process_article  # noqa: E402
from pipeline.urls import canonical_url  # noqa: E402
from scripts.news_site import NewsSite, corpus_stories  # noqa: E402
from workers.app import create_app  # noqa: E402
from workers.cli.run import worker_commands  # noqa: E402
from workers.deadletters import KEY as DEADLETTERS_KEY  # noqa: E402
from workers.settings import Settings, get_settings  # noqa: E402
from workers.tasks.fetch import ALIASES_KEY  # noqa: E402

REDIS_DB = 14
#: Wikinews dev articles the Elasticsearch warm-up saves, round after round
WARMUP_ARTICLES = 20


class Stack:
    """The workers of `communique run` and beat on a private Redis db and index prefix."""

    def __init__(self, feed_urls: list[str], concurrency: int, workdir: Path) -> None:
        base = get_settings()
        self.prefix = f"bench-{uuid.uuid4().hex[:8]}"
        feeds = workdir / f"{self.prefix}.yaml"
        feeds.write_text(
            "feeds:\n"
            + "".join(
                f"  - {{id: f{n}, url: '{url}', poll_interval: 3600}}\n"
                for n, url in enumerate(feed_urls)
            )
        )
        redis_url = base.redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
        self.settings = Settings(redis_url=redis_url, index_prefix=self.prefix, feeds_file=feeds)
        env = {
            **os.environ,
            "COMMUNIQUE_REDIS_URL": redis_url,
            "COMMUNIQUE_INDEX_PREFIX": self.prefix,
            "COMMUNIQUE_FEEDS_FILE": str(feeds),
            "COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
        }
        celery = [sys.executable, "-m", "celery", "-A", "workers.app"]
        self.log = (workdir / f"{self.prefix}.log").open("wb")
        # the workers `communique run` starts, with the same commands and default settings
        self.workers = [
            subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self.log, stderr=self.log)
            for cmd in worker_commands(self.settings, concurrency)
        ]
        self.beat = subprocess.Popen(
            [
                *celery,
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(workdir / f"{self.prefix}-beat"),
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
        )
        self.app = create_app(self.settings)
        self.r = redis.Redis.from_url(redis_url)
        self.feed_ids = {url: f"f{n}" for n, url in enumerate(feed_urls)}

    def wait_ready(self, es: Elasticsearch, timeout_s: float = 180) -> None:
        """Until the worker applied the index templates at start (so polls are not queued
        behind its start-up)."""
        deadline = time.time() + timeout_s
        while not es.indices.exists_alias(name=f"{self.prefix}-articles"):
            if time.time() > deadline or any(w.poll() is not None for w in self.workers):
                raise SystemExit(f"the worker did not start: see {self.log.name}")
            time.sleep(0.5)

    def poll(self, feed_urls: list[str]) -> None:
        """Enqueue a poll of these feeds (the benchmark's stand-in for the poll interval)."""
        for url in feed_urls:
            self.app.send_task("communique.poll_feed", args=(self.feed_ids[url],))

    def close(self, es: Elasticsearch, r: redis.Redis) -> None:
        """Stop worker and beat, delete the indices and the Redis db."""
        for process in (self.beat, *self.workers):
            process.terminate()
        for process in (self.beat, *self.workers):
            try:
                process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                process.kill()
        delete_prefix(es, self.prefix)
        r.flushdb()


def run_phase(
    site: NewsSite, stack: Stack, samples: Samples, poll_every_s: float, timeout_s: float
) -> dict[str, Any]:
    """Poll the site's feeds every ``poll_every_s`` until all its stories are searchable."""
    ids = {article_id(canonical_url(site.story_url(i))): s.id for i, s in enumerate(site.stories)}
    urls = {article_id(canonical_url(site.story_url(i))): site.story_url(i)
            for i in range(len(site.stories))}  # fmt: skip
    deadline = time.time() + timeout_s
    other: set[str] = set()
    while time.time() < deadline:
        # a syndicated copy (merged into its original) or a dead letter ends an entry too
        aliases = set(stack.r.hkeys(ALIASES_KEY))
        dead = {json.loads(v)["subject"] for v in stack.r.hvals(DEADLETTERS_KEY)}
        other = {a for a in ids if a.encode() in aliases or urls[a].encode() in dead}
        if all(a in samples.searchable_at or a in other for a in ids):
            break
        stack.poll(site.feed_urls())
        time.sleep(poll_every_s)
    done = {ids[a]: t for a, t in samples.searchable_at.items() if a in ids}
    latency = sorted(done[s] - site.listed_at[s] for s in done)
    waited = [site.listed_at[s] - site.appeared_at[s] for s in done]
    span = max(done.values()) - min(site.listed_at.values()) if done else float("nan")
    q = statistics.quantiles(latency, n=100, method="inclusive") if len(latency) > 1 else [0] * 99
    return {
        "articles": len(done), "of": len(ids), "other": len(other), "span_s": span,
        "rate": len(done) / span,
        "p50": q[49], "p95": q[94], "p99": q[98], "poll_wait": statistics.mean(waited),
        "latencies": latency, "t_done": [t - samples.t0 for t in done.values()],
    }  # fmt: skip


def baseline_rate(texts: list[str], model: str) -> float:
    """Articles/s of the plain full spaCy pipeline over ``texts`` in this process."""
    import spacy

    nlp = spacy.load(model)
    list(nlp.pipe(["Warm-up sentence."]))
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=16):
        pass
    return len(texts) / (time.perf_counter() - started)


def warm_up_elasticsearch(
    es: Elasticsearch, r: redis.Redis, settings: Settings, shared: Path
) -> list[tuple[float, float]]:
    """Bring a freshly started server up to speed (``es_warmup.py``) before measuring."""
    from workers.resources import extractor

    articles = dev_articles(shared, WARMUP_ARTICLES)
    processed = [process_article(a, extractor()) for a in articles]
    rounds = warm_elasticsearch(es, r, settings.config_dir, processed)
    per_round = ", ".join(f"{work:.2f}" for work, _ in rounds)
    print(f"Elasticsearch warm-up, work CPU s per round of {len(articles)} articles: {per_round}")
    return rounds


def indexed_texts(es: Elasticsearch, prefix: str) -> list[str]:
    """The main texts the run stored (the baseline parses exactly these)."""
    hits = es.search(index=f"{prefix}-articles", size=10_000, source=["text"])["hits"]["hits"]
    return [h["_source"].get("text") or "" for h in hits]


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=60, help="saturation phase articles")
    ap.add_argument("--latency-articles", type=int, default=40, help="latency phase articles")
    ap.add_argument("--rate", type=float, default=5.0, help="offered articles/s (latency phase)")
    ap.add_argument("--concurrency", type=int, default=None, help="worker processes")
    ap.add_argument("--feeds", type=int, default=4)
    ap.add_argument("--hosts", type=int, default=24, help="loopback hosts serving the pages")
    ap.add_argument("--raw-pages", type=int, default=8, help="real pages among the articles")
    ap.add_argument("--poll-every", type=float, default=2.0, help="seconds between polls")
    ap.add_argument("--timeout", type=float, default=600.0, help="per phase")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "results" / "e2e.png")
    return ap.parse_args()


def _sites(args: argparse.Namespace) -> dict[str, NewsSite]:
    import random

    warm = 4
    stories = corpus_stories(
        args.shared, warm + args.latency_articles + args.articles, raw_pages=args.raw_pages
    )
    random.Random(7).shuffle(stories)
    hosts = tuple(f"127.0.0.{2 + n}" for n in range(args.hosts))
    cut = [0, warm, warm + args.latency_articles, len(stories)]
    rates = {"warm-up": None, "latency": args.rate, "saturation": None}
    return {
        name: NewsSite(
            stories[cut[i] : cut[i + 1]], feeds=args.feeds, hosts=hosts, rate=rate, paused=True
        )
        for i, (name, rate) in enumerate(rates.items())
    }


def main() -> None:
    """Run both phases, the stage profile and the baseline; print the table; save the plot."""
    args = _args()
    settings = get_settings()
    concurrency = args.concurrency or settings.worker_concurrency
    load_before = os.getloadavg()
    es = Elasticsearch(settings.es_url, request_timeout=60)
    r = redis.Redis.from_url(settings.redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}")
    r.flushdb()
    warmup = warm_up_elasticsearch(es, r, settings, args.shared)
    sites = _sites(args)
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / "communique-bench"
    workdir.mkdir(exist_ok=True)
    stack = Stack(
        [url for site in sites.values() for url in site.feed_urls()], concurrency, workdir
    )
    samples = Samples()
    stop = threading.Event()
    sampler = threading.Thread(
        target=sample_forever,
        daemon=True,
        args=(stop, samples, r, es, stack.prefix, [w.pid for w in stack.workers]),
    )
    sampler.start()
    phases: dict[str, dict[str, Any]] = {}
    try:
        stack.wait_ready(es)
        cpu: dict[str, float] = {}
        services = service_pids()
        for name, site in sites.items():
            cpu_before = sum(samples.cpu_s.values())
            services_before = services_cpu_s(services)
            site.begin()
            phases[name] = run_phase(site, stack, samples, args.poll_every, args.timeout)
            n = max(1, phases[name]["articles"])
            cpu[name] = (sum(samples.cpu_s.values()) - cpu_before) / n
            for k, used in services_cpu_s(services).items():
                cpu[f"{name}:{k}"] = (used - services_before[k]) / n
            p = phases[name]
            print(f"{name}: {p['articles']}/{p['of']} searchable, {p['other']} merged as "
                  "syndicated copies or dead-lettered", flush=True)  # fmt: skip
        stop.set()
        texts = indexed_texts(es, stack.prefix)
        profile_prefix = f"{stack.prefix}-profile"
        apply_templates(es, settings.config_dir, profile_prefix)
        from workers.resources import extractor

        sat = sites["saturation"]
        pages = [sat.story_url(i) for i in range(min(20, len(sat.stories)))]
        stages = profile_stages(sat.feed_urls(), pages, extractor(), es, r, profile_prefix)
        delete_prefix(es, profile_prefix)
        base = baseline_rate(texts, settings.spacy_model)
    finally:
        stop.set()
        stack.close(es, r)
        for site in sites.values():
            site.close()
    report(args, concurrency, phases, cpu, stages, base, samples, load_before, len(texts), warmup)
    args.plot.parent.mkdir(parents=True, exist_ok=True)
    plot(samples, {k: v for k, v in phases.items() if k != "warm-up"}, args.plot)
    print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
