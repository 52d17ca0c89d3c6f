"""What the end-to-end benchmark samples while it runs: queue depths, worker RSS and CPU,
services' CPU, and when each article becomes searchable with its events."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
from elasticsearch import Elasticsearch

from workers.routing import ALL_QUEUES

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


def service_pids() -> dict[str, int]:
    """Pids of the local Elasticsearch and Redis (their CPU is part of an article's cost on a
    machine that runs them beside the workers)."""
    pids: dict[str, int] = {}
    for key, pattern in (("es", "org.elasticsearch.bootstrap"), ("redis", "redis-server")):
        found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
        if found.split():
            pids[key] = int(found.split()[0])
    return pids


def cpu_s(pid: int) -> float:
    read = _read_proc(pid)
    return read[1] if read else 0.0


def services_cpu_s(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each service in ``pids`` (:func:`service_pids`); Elasticsearch's
    split into its work (``es``) and its JIT compilation (``es_jit``)."""
    used = {k: cpu_s(pid) for k, pid in pids.items() if k != "es"}
    if "es" in pids:
        used["es"], used["es_jit"] = jvm_cpu_s(pids["es"])
    return used


#: HotSpot's JIT compiler threads: after a start they take more of Elasticsearch's CPU than its
#: work does (36 s of C2 against 20 s of work threads over a benchmark run on a fresh server)
JIT_THREADS = ("C1 CompilerThre", "C2 CompilerThre")


def jvm_cpu_s(pid: int) -> tuple[float, float]:
    """(work, JIT compilation) CPU seconds of a JVM so far, from its threads' ``/proc`` stats.

    Compilation is a one-off cost of a fresh server, so the benchmarks count it apart from
    the work an article costs a server that has been running a while."""
    work = jit = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            name = (task / "comm").read_text().strip()
            stat = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended between listing and reading
            continue
        used = (int(stat[11]) + int(stat[12])) / ticks
        if name.startswith(JIT_THREADS):
            jit += used
        else:
            work += used
    return work, jit


def _searchable(es: Elasticsearch, prefix: str) -> set[str]:
    """Ids of processed articles whose mentions are all searchable (no forced refresh): the one
    place to adapt when the event model changes. The merged events are recomputed by the same
    task right after the mentions (``workers/store.py``) and are searchable within the same
    1 s refresh interval; not every mention ends in a merged event, so the events index cannot
    say when an article is done."""
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
