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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from elasticsearch import Elasticsearch  # noqa: E402

from benchmarks.e2e_stages import STAGES, profile_stages  # noqa: E402
from pipeline.ids import article_id  # noqa: E402
from pipeline.index.templates import apply_templates, delete_prefix  # noqa: E402
from pipeline.urls import canonical_url  # noqa: E402
from scripts.news_site import NewsSite, corpus_stories  # noqa: E402
from workers.app import create_app  # noqa: E402
from workers.cli.run import worker_commands  # noqa: E402
from workers.deadletters import KEY as DEADLETTERS_KEY  # noqa: E402
from workers.routing import ALL_QUEUES  # noqa: E402
from workers.settings import Settings, get_settings  # noqa: E402
from workers.tasks.fetch import ALIASES_KEY  # noqa: E402

REDIS_DB = 14
SAMPLE_S = 0.5


@dataclass
class Samples:
    """What the sampler saw: queue depths, RSS and CPU per worker process, searchable times."""

    t0: float = field(default_factory=time.time)
    queues: list[tuple[float, dict[str, int]]] = field(default_factory=list)
    peak_rss_mb: dict[int, float] = field(default_factory=dict)
    cpu_s: dict[int, float] = field(default_factory=dict)
    searchable_at: dict[str, float] = field(default_factory=dict)


def _proc_tree(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [pid, *(int(p) for p in out.stdout.split())]


def _read_proc(pid: int) -> tuple[float, float] | None:
    """(peak RSS MB, CPU seconds) of a live process."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    ticks = os.sysconf("SC_CLK_TCK")
    return hwm / 1024, (int(stat[11]) + int(stat[12])) / ticks


def _service_pids() -> dict[str, int]:
    """Pids of the local Elasticsearch and Redis (their CPU is part of an article's cost on a
    machine that runs them beside the workers)."""
    pids: dict[str, int] = {}
    for key, pattern in (("es", "org.elasticsearch.bootstrap"), ("redis", "redis-server")):
        found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
        if found.split():
            pids[key] = int(found.split()[0])
    return pids


def _cpu_s(pid: int) -> float:
    read = _read_proc(pid)
    return read[1] if read else 0.0


def _searchable(es: Elasticsearch, prefix: str) -> set[str]:
    """Ids of processed articles whose mentions are all searchable (no forced refresh): the one
    place to adapt when the event model changes. The merged events are recomputed by the same
    task right after the mentions and written with a refresh (``workers/store.py``); not every
    mention ends in a merged event, so the events index cannot say when an article is done."""
    hits = es.search(
        index=f"{prefix}-articles",
        size=10_000,
        query={"term": {"status": "processed"}},
        source=["event_count"],
    )["hits"]["hits"]
    aggs = es.search(
        index=f"{prefix}-mentions",
        size=0,
        aggs={"a": {"terms": {"field": "article_id", "size": 10_000}}},
    )
    mentions = {b["key"]: b["doc_count"] for b in aggs["aggregations"]["a"]["buckets"]}
    return {
        h["_id"]
        for h in hits
        if mentions.get(h["_id"], 0) >= (h["_source"].get("event_count") or 0)
    }


def sample_forever(
    stop: threading.Event,
    samples: Samples,
    r: redis.Redis,
    es: Elasticsearch,
    prefix: str,
    worker_pids: list[int],
) -> None:
    """Every SAMPLE_S: queue depths, worker RSS/CPU, newly searchable articles."""
    while not stop.is_set():
        now = time.time()
        depths = {q.rsplit(".", 1)[1]: int(r.llen(q)) for q in ALL_QUEUES}
        depths["unacked"] = int(r.hlen("unacked"))
        samples.queues.append((now - samples.t0, depths))
        for pid in (p for worker in worker_pids for p in _proc_tree(worker)):
            read = _read_proc(pid)
            if read:
                samples.peak_rss_mb[pid] = max(samples.peak_rss_mb.get(pid, 0.0), read[0])
                samples.cpu_s[pid] = read[1]
        try:
            for aid in _searchable(es, prefix) - samples.searchable_at.keys():
                samples.searchable_at[aid] = now
        except Exception:  # the indices appear with the worker's start
            pass
        stop.wait(SAMPLE_S)


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


def indexed_texts(es: Elasticsearch, prefix: str) -> list[str]:
    """The main texts the run stored (the baseline parses exactly these)."""
    hits = es.search(index=f"{prefix}-articles", size=10_000, source=["text"])["hits"]["hits"]
    return [h["_source"].get("text") or "" for h in hits]


def print_table(rows: list[tuple[str, str]]) -> None:
    """A two-column table."""
    width = max(len(k) for k, _ in rows)
    print(f"\n{'measure'.ljust(width)} | value\n{'-' * width}-+-{'-' * 40}")
    for key, value in rows:
        print(f"{key.ljust(width)} | {value}")


def plot(samples: Samples, phases: dict[str, dict[str, Any]], path: Path) -> None:
    """Throughput, latency and queue depth over time, one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(9, 9), sharex=True)
    done = sorted(t for p in phases.values() for t in p["t_done"])
    window = 5.0
    xs = [t for t, _ in samples.queues]
    axes[0].plot(xs, [sum(1 for d in done if t - window < d <= t) / window for t in xs])
    axes[0].set_ylabel("searchable articles/s\n(5 s window)")
    for name, phase in phases.items():
        axes[1].scatter(sorted(phase["t_done"]), phase["latencies"], s=6, label=name)
    axes[1].set_ylabel("latency s (listed →\nsearchable with events)")
    axes[1].legend()
    for queue in ("poll", "fetch", "process", "unacked"):
        axes[2].plot(xs, [d[queue] for _, d in samples.queues], label=queue)
    axes[2].set_ylabel("queue depth")
    axes[2].set_xlabel("seconds since start")
    axes[2].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)


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
        services = _service_pids()
        for name, site in sites.items():
            cpu_before = sum(samples.cpu_s.values())
            services_before = {k: _cpu_s(pid) for k, pid in services.items()}
            site.begin()
            phases[name] = run_phase(site, stack, samples, args.poll_every, args.timeout)
            n = max(1, phases[name]["articles"])
            cpu[name] = (sum(samples.cpu_s.values()) - cpu_before) / n
            for k, pid in services.items():
                cpu[f"{name}:{k}"] = (_cpu_s(pid) - services_before[k]) / n
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
    _report(args, concurrency, phases, cpu, stages, base, samples, load_before, len(texts))
    args.plot.parent.mkdir(parents=True, exist_ok=True)
    plot(samples, {k: v for k, v in phases.items() if k != "warm-up"}, args.plot)
    print(f"\nplot: {args.plot}")


def _report(
    args: argparse.Namespace,
    concurrency: int,
    phases: dict[str, dict[str, Any]],
    cpu: dict[str, float],
    stages: Any,
    base: float,
    samples: Samples,
    load_before: tuple[float, float, float],
    n_texts: int,
) -> None:
    lat, sat = phases["latency"], phases["saturation"]
    done = sorted(sat["t_done"])
    lo, hi = int(len(done) * 0.1), int(len(done) * 0.9) - 1
    sustained = (
        (hi - lo) / (done[hi] - done[lo]) if hi > lo and done[hi] > done[lo] else sat["rate"]
    )
    worker_rss = sorted(samples.peak_rss_mb.values())
    per_stage = stages.per_article_ms()
    wall_stage = stages.per_article_ms(wall=True)
    rows = [
        (
            "machine",
            f"{os.cpu_count()} cores; load average {load_before[0]:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after (shared with other work)",
        ),
        (
            "worker",
            f"as `communique run`: processing {concurrency} processes (prefork), I/O "
            f"{get_settings().io_concurrency} threads, reprocess 1; beat; default settings",
        ),
        (
            "saturation: articles",
            f"{sat['articles']}/{sat['of']} searchable, {sat['other']} "
            "syndicated copies or dead letters",
        ),
        ("saturation: articles/s (first poll → last searchable)", f"{sat['rate']:.2f}"),
        ("saturation: sustained articles/s (10th–90th pct of completions)", f"{sustained:.2f}"),
        (f"latency at {args.rate:g}/s offered: articles", f"{lat['articles']}/{lat['of']}"),
        (
            "latency p50 / p95 / p99 s (listed by a poll → article + events searchable)",
            f"{lat['p50']:.2f} / {lat['p95']:.2f} / {lat['p99']:.2f}",
        ),
        (
            "poll interval (excluded above): mean wait appearance → listing s",
            f"{lat['poll_wait']:.2f} (polls every {args.poll_every:g} s)",
        ),
        ("worker CPU s/article (all processes, saturation)", f"{cpu['saturation']:.3f}"),
        (
            "CPU ms/article by stage (one process, same pages)",
            ", ".join(f"{k} {per_stage[k]:.1f}" for k in STAGES),
        ),
        (
            "wall ms/article by stage (same run: waits on refreshes, locks, pages)",
            ", ".join(f"{k} {wall_stage[k]:.1f}" for k in STAGES),
        ),
        (
            "services CPU s/article (saturation): Elasticsearch / Redis",
            f"{cpu.get('saturation:es', 0):.3f} / {cpu.get('saturation:redis', 0):.3f}",
        ),
        (
            "peak RSS per worker process MB (max / all)",
            f"{worker_rss[-1]:.0f} / {', '.join(f'{v:.0f}' for v in worker_rss)}",
        ),
        (
            "max queue depth fetch / process",
            f"{max(d['fetch'] for _, d in samples.queues)} / "
            f"{max(d['process'] for _, d in samples.queues)}",
        ),
        (
            f"baseline: plain spaCy nlp.pipe, 1 process, same {n_texts} texts, articles/s",
            f"{base:.2f}",
        ),
        ("ratio end-to-end sustained / baseline", f"{sustained / base:.2f}x"),
    ]
    print_table(rows)


if __name__ == "__main__":
    main()
