"""The end-to-end benchmark's outputs: the table of figures and the PNG over time."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from benchmarks.e2e_sampling import Samples
from benchmarks.e2e_stages import STAGES
from workers.settings import get_settings


def sustained_rate(done: list[float], fallback: float) -> float:
    """Articles/s between the 10th and 90th percentile of completion times (ramp-up and the
    last stragglers excluded), or ``fallback`` when there are too few completions."""
    lo, hi = int(len(done) * 0.1), int(len(done) * 0.9) - 1
    return (hi - lo) / (done[hi] - done[lo]) if hi > lo and done[hi] > done[lo] else fallback


def cpu_ceiling(cpu: dict[str, float], cores: int) -> float:
    """Articles/s this machine's cores could sustain at the saturation phase's CPU cost per
    article (workers, Elasticsearch and Redis together): a bound no timing quirk moves, to read
    beside the sustained rate, which depends on which articles fall between the percentiles.
    Elasticsearch's JIT compiling is left out: a fresh server's one-off cost, not an article's."""
    per_article = sum(cpu.get(k, 0.0) for k in ("saturation", "saturation:es", "saturation:redis"))
    return cores / per_article if per_article > 0 else 0.0


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


def report(
    args: argparse.Namespace,
    concurrency: int,
    phases: dict[str, dict[str, Any]],
    cpu: dict[str, float],
    stages: Any,
    base: float,
    samples: Samples,
    load_before: tuple[float, float, float],
    n_texts: int,
    warmup: list[tuple[float, float]],
) -> None:
    """Print the benchmark's table."""
    lat, sat = phases["latency"], phases["saturation"]
    sustained = sustained_rate(sorted(sat["t_done"]), sat["rate"])
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
            "Elasticsearch warm-up before measuring: work (JIT) CPU s per round",
            ", ".join(f"{work:.2f} ({jit:.2f})" for work, jit in warmup)
            + " (until the work costs what it did the round before)",
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
        (
            "saturation: CPU ceiling articles/s (cores ÷ CPU s/article, workers + services)",
            f"{cpu_ceiling(cpu, os.cpu_count() or 1):.2f}",
        ),
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
            f"{cpu.get('saturation:es', 0):.3f} / {cpu.get('saturation:redis', 0):.3f} "
            f"(Elasticsearch's JIT compiling besides: {cpu.get('saturation:es_jit', 0):.3f})",
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
