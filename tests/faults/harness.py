"""One fault scenario: workers and beat on the private services, and the reconciliation.

The reconciliation is the one of ../shared/docs/reliability.md, computed from the outside: the
site knows every entry it published; each must end as exactly one processed ``articles``
document (its events indexed) or one dead letter — zero lost, zero duplicated. Every scenario
adds a row to ``SUMMARY`` (printed as a table at the end of the run by ``conftest.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from elasticsearch import Elasticsearch

from pipeline.ids import article_id
from pipeline.index.templates import delete_prefix
from pipeline.urls import canonical_url
from scripts.news_site import NewsSite
from tests.faults.private import PrivateElasticsearch, PrivateRedis
from workers.app import create_app
from workers.deadletters import KEY as DEADLETTERS_KEY
from workers.routing import ALL_QUEUES
from workers.settings import PROJECT_ROOT, Settings
from workers.tasks.fetch import ALIASES_KEY

#: short budgets so faults resolve in seconds, in the order the settings demand
#: (soft < hard < visibility; largest backoff < visibility)
FAULT_ENV = {
    "COMMUNIQUE_TASK_SOFT_TIME_LIMIT_S": "20",
    "COMMUNIQUE_TASK_TIME_LIMIT_S": "25",
    "COMMUNIQUE_VISIBILITY_TIMEOUT_S": "45",
    "COMMUNIQUE_RETRY_BACKOFF_MAX_S": "20",
    "COMMUNIQUE_MAX_RETRIES": "3",
    "COMMUNIQUE_ES_REQUEST_TIMEOUT_S": "10",
    "COMMUNIQUE_FETCH_DEADLINE_S": "15",
    "COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
    "COMMUNIQUE_HOST_MIN_INTERVAL_S": "0",
    "COMMUNIQUE_HOST_MAX_CONCURRENCY": "4",
    "COMMUNIQUE_DISPATCH_EVERY_S": "1",
    "COMMUNIQUE_POLL_MIN_INTERVAL_S": "2",
}


@dataclass
class Tally:
    """The reconciliation of one scenario."""

    entries: int = 0
    indexed: int = 0
    dead_lettered: int = 0
    lost: int = 0
    duplicated: int = 0
    lost_urls: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every entry reached exactly one terminal state."""
        return self.lost == 0 and self.duplicated == 0


@dataclass
class Services:
    """The private Redis and Elasticsearch shared by the fault module."""

    redis: PrivateRedis
    elasticsearch: PrivateElasticsearch
    workdir: Path

    @property
    def es(self) -> Elasticsearch:
        """A fresh client (the node may have been restarted)."""
        return Elasticsearch(self.elasticsearch.url, request_timeout=30)


SUMMARY: list[dict[str, Any]] = []


def _dead_letters(r: redis.Redis, es: Elasticsearch, prefix: str) -> dict[str, str]:
    """Unresolved dead letters (subject → reason): Redis, and the Elasticsearch mirror (which
    survives a Redis that lost its data)."""
    found: dict[str, str] = {}
    try:
        es.indices.refresh(index=f"{prefix}-deadletters")
        hits = es.search(index=f"{prefix}-deadletters", size=1000)["hits"]["hits"]
        records = [hit["_source"] for hit in hits]
    except Exception:
        records = []
    records += [json.loads(raw) for raw in r.hvals(DEADLETTERS_KEY)]
    for record in records:
        if not record.get("resolved"):
            found[record["subject"]] = record["reason"]
    return found


def reconcile(site: NewsSite, r: redis.Redis, es: Elasticsearch, prefix: str) -> Tally:
    """Published entries vs processed articles vs dead letters."""
    published = site.published()
    tally = Tally(entries=len(published))
    aliases = r.hgetall(ALIASES_KEY)
    ids = {url: article_id(canonical_url(url)) for _, url in published}
    index = f"{prefix}-articles"
    es.indices.refresh(index=index)
    wanted = list({aliases.get(aid, aid) for aid in ids.values()})
    docs = es.mget(index=index, ids=wanted)["docs"] if wanted else []
    processed = {
        d["_id"] for d in docs if d.get("found") and d["_source"].get("status") == "processed"
    }
    dead = _dead_letters(r, es, prefix)
    for url, aid in ids.items():
        is_indexed = aliases.get(aid, aid) in processed
        reason = dead.get(url) or dead.get(aid)
        tally.indexed += is_indexed
        tally.dead_lettered += reason is not None and not is_indexed
        tally.duplicated += is_indexed and reason is not None
        if reason:
            tally.reasons[reason] = tally.reasons.get(reason, 0) + 1
        if not is_indexed and reason is None:
            tally.lost += 1
            tally.lost_urls.append(url)
    # documents under ids no entry maps to are duplicates by another name
    total = int(es.count(index=index)["count"])
    tally.duplicated += max(0, total - len({d["_id"] for d in docs if d.get("found")}))
    return tally


class Scenario:
    """Workers (and optionally beat) of one fault on the private services, with its own index
    prefix; the private Redis is flushed first (it is ours alone)."""

    def __init__(self, fault: str, services: Services, site: NewsSite, tmp: Path, **env: str):
        self.fault = fault
        self.services = services
        self.site = site
        self.tmp = tmp
        self.prefix = f"fault-{uuid.uuid4().hex[:8]}"
        feeds = tmp / f"{self.prefix}.yaml"
        lines = [f"  - {{id: f{n}, url: '{url}', poll_interval: 30}}" for n, url in
                 enumerate(site.feed_urls())]  # fmt: skip
        feeds.write_text("feeds:\n" + "\n".join(lines) + "\n")
        self.feed_ids = [f"f{n}" for n in range(len(lines))]
        self.env = {
            **os.environ,
            **FAULT_ENV,
            "COMMUNIQUE_REDIS_URL": services.redis.url(),
            "COMMUNIQUE_ES_URL": services.elasticsearch.url,
            "COMMUNIQUE_INDEX_PREFIX": self.prefix,
            "COMMUNIQUE_FEEDS_FILE": str(feeds),
            "COMMUNIQUE_STATE_DIR": str(tmp / "state"),
            **env,
        }
        self.settings = Settings(
            redis_url=services.redis.url(), es_url=services.elasticsearch.url,
            index_prefix=self.prefix, feeds_file=feeds,
        )  # fmt: skip
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        self.redis().flushall()

    def redis(self) -> redis.Redis:
        """A client of the private Redis."""
        return redis.Redis.from_url(self.services.redis.url(), decode_responses=True)

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.tmp / f"{self.prefix}-{name}-{len(self.logs)}.log"
        self.logs.append(log)
        cmd = [sys.executable, "-m", "celery", "-A", "workers.app", *args]
        with log.open("wb") as out:
            process = subprocess.Popen(
                cmd, env=self.env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        return process

    def start_worker(self, concurrency: int = 2) -> subprocess.Popen[bytes]:
        """A worker on every queue."""
        return self._spawn(
            "worker", "worker", "-Q", ",".join(ALL_QUEUES), "--concurrency", str(concurrency),
            "--loglevel", "INFO", "-n", f"{self.prefix}-{len(self.logs)}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        )  # fmt: skip

    def start_beat(self) -> subprocess.Popen[bytes]:
        """The beat scheduler (its schedule file in the scenario's directory)."""
        schedule = self.tmp / f"{self.prefix}-beat-schedule"
        return self._spawn("beat", "beat", "--loglevel", "INFO", "--schedule", str(schedule))

    def send(self, task: str, *args: Any) -> None:
        """Publish a task by name to the scenario's broker."""
        create_app(self.settings).send_task(task, args=args)

    def poll_feeds(self) -> None:
        """Enqueue one poll of every feed (what beat's dispatcher does when they are due)."""
        for feed_id in self.feed_ids:
            self.send("communique.poll_feed", feed_id)

    @staticmethod
    def children(process: subprocess.Popen[bytes]) -> list[int]:
        """PIDs of a worker's pool processes."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def wait_for(self, predicate: Any, timeout_s: float, what: str) -> None:
        """Wait until ``predicate()`` is true; fail with the logs' tails otherwise."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.5)
        raise AssertionError(f"{self.fault}: {what} not reached in {timeout_s}s\n{self.log_tail()}")

    def pages_fetched(self) -> int:
        """Article page requests the site answered so far."""
        return sum(n for path, n in self.site.traffic.hits.items() if path.startswith("/a/"))

    def settle(self, fault_end: float, timeout_s: float = 150.0) -> Tally:
        """Wait until every entry is terminal (or the timeout), then record the summary row."""
        es = self.services.es
        r = self.redis()
        deadline = time.monotonic() + timeout_s
        tally = Tally()
        while time.monotonic() < deadline:
            try:
                tally = reconcile(self.site, r, es, self.prefix)
            except Exception as exc:  # a service still coming back
                tally = Tally(lost=-1, lost_urls=[repr(exc)])
            if tally.complete and tally.entries == len(self.site.stories):
                break
            time.sleep(1)
        recovery = time.monotonic() - fault_end
        time.sleep(2)  # a duplicate run, if any, would land now
        tally = reconcile(self.site, r, es, self.prefix)
        SUMMARY.append(
            {"fault": self.fault, "entries": tally.entries, "indexed": tally.indexed,
             "dead-lettered": tally.dead_lettered, "lost": tally.lost,
             "duplicated": tally.duplicated,
             "recovery s": f"{recovery:.0f}" if tally.complete else "not recovered"}
        )  # fmt: skip
        return tally

    def log_tail(self, chars: int = 3000) -> str:
        """The ends of every process log."""
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}" for log in self.logs
        )

    def close(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL), delete the scenario's indices."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                for pid in self.children(process):
                    os.kill(pid, signal.SIGKILL)
                process.kill()
                process.wait()
        # the node may be down after a failed scenario; the module's teardown removes it anyway
        with contextlib.suppress(Exception):
            delete_prefix(self.services.es, self.prefix)
