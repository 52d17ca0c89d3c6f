"""Workers on two machines, one cut off mid-run: nothing lost, nothing duplicated.

Three hosts are network namespaces on a private bridge (tests/multihost/netns.py):

- ``svc`` runs Redis (an ACL user with a password: unauthenticated clients are refused) and
  Elasticsearch (security on, a file-realm user), both started by ``communique services up``
  inside the namespace, and the publisher serving a feed of news pages;
- ``w1`` and ``w2`` each run a Celery worker that reaches them only over the bridge.

The test polls the feed, pulls ``w2``'s cable (link down) while it holds a task, and waits
until every entry is settled. ``w2``'s unacked messages stay in Redis' unacked set; ``w1``
puts them back on their queue once they are older than the visibility timeout and runs them.
The bound, asserted: Redis takes a lost worker's tasks back between ``visibility_timeout_s``
and ``visibility_timeout_s + unacked_restore_interval_s`` after their delivery (40 + 5 s
here), and everything settles within that plus the time ``w1`` alone needs for the rest. The
test's time limits respect the settings' ordering (soft 25 < hard 30 < visibility 40 s; the
largest backoff, 10 s, < visibility).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from elasticsearch import ApiError, Elasticsearch
from rich.console import Console
from rich.table import Table

from tests.multihost.netns import Lab, require_netns
from tests.support import require_shared
from workers import deadletters
from workers.app import create_app
from workers.connections import es_options, redis_options
from workers.routing import ALL_QUEUES
from workers.settings import PROJECT_ROOT, Settings

pytestmark = [pytest.mark.multihost, pytest.mark.timeout(420)]

ARTICLES = 16
PAGE_DELAY_S = 1.0  # a slow publisher: a fetch holds its message for at least this long
VISIBILITY_TIMEOUT_S = 40
RESTORE_SWEEP_S = 5  # workers look for expired unacked messages this often
FEED_ID = "multihost"
CUT_AFTER_PROCESSED = 3
TASK_LINE = re.compile(r"Task (communique\.\w+)\[([0-9a-f-]{36})\] (\w+)")


@pytest.fixture()
def lab() -> Iterator[Lab]:
    require_netns()
    with Lab(("svc", "w1", "w2")) as hosts:
        yield hosts


def _publish_corpus(tmp_path: Path) -> Path:
    """Wikinews articles as a seeds file (one RSS item and page each, see serve_seeds)."""
    source = require_shared("corpus", "wikinews-vanatteveldt", "wikinews_2019_2020.jsonl")
    seeds = tmp_path / "articles.jsonl"
    picked = []
    for line in source.read_text().splitlines():
        row = json.loads(line)
        if len(row.get("text", "")) > 1500:
            picked.append(
                {"id": row["id"], "title": row["title"], "text": row["text"],
                 "published": "2020-01-15"}
            )  # fmt: skip
        if len(picked) == ARTICLES:
            break
    seeds.write_text("".join(json.dumps(row) + "\n" for row in picked))
    return seeds


def _environment(lab: Lab, tmp_path: Path) -> dict[str, str]:
    """Every process's settings: the services of ``svc``, credentials, short time budget."""
    svc = lab.addresses["svc"]
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        f"feeds:\n  - {{id: {FEED_ID}, url: 'http://{svc}:8080/feed.xml', poll_interval: 3600}}\n"
    )
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNIQUE_")}
    return {
        **inherited,
        "COMMUNIQUE_REDIS_URL": f"redis://{svc}:6379/0",
        "COMMUNIQUE_REDIS_USERNAME": "communique",
        "COMMUNIQUE_REDIS_PASSWORD": secrets.token_urlsafe(18),
        "COMMUNIQUE_ES_URL": f"http://{svc}:9200",
        "COMMUNIQUE_ES_USERNAME": "communique",
        "COMMUNIQUE_ES_PASSWORD": secrets.token_urlsafe(18),
        "COMMUNIQUE_INDEX_PREFIX": f"multihost-{lab.tag}",
        "COMMUNIQUE_FEEDS_FILE": str(feeds),
        "COMMUNIQUE_STATE_DIR": str(tmp_path / "state"),
        "COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS": lab.cidr,
        "COMMUNIQUE_HOST_MIN_INTERVAL_S": "0",
        "COMMUNIQUE_HOST_MAX_CONCURRENCY": "8",
        # soft < hard < visibility timeout, and the largest backoff < visibility timeout
        "COMMUNIQUE_VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S),
        "COMMUNIQUE_UNACKED_RESTORE_INTERVAL_S": str(RESTORE_SWEEP_S),
        "COMMUNIQUE_TASK_TIME_LIMIT_S": "30",
        "COMMUNIQUE_TASK_SOFT_TIME_LIMIT_S": "25",
        "COMMUNIQUE_RETRY_BACKOFF_MAX_S": "10",
        "COMMUNIQUE_MAX_RETRIES": "3",
    }


def _settings(env: dict[str, str]) -> Settings:
    """The controller's Settings, read from the same variables as every process's."""
    fields = {
        name: env[f"COMMUNIQUE_{name.upper()}"]
        for name in Settings.model_fields
        if f"COMMUNIQUE_{name.upper()}" in env
    }
    return Settings(**fields)  # type: ignore[arg-type]


def _wait(what: str, ready: Callable[[], bool], timeout_s: float, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs)
    pytest.fail(f"{what} not within {timeout_s:.0f}s\n{tails}")


def _worker(lab: Lab, host: str, env: dict[str, str], tmp_path: Path) -> Path:
    log = tmp_path / f"{host}.log"
    cmd = [
        sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q", ",".join(ALL_QUEUES),
        "--concurrency", "1", "--loglevel", "INFO", "-n", f"{host}@%h", "--logfile", str(log),
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    lab.spawn(host, cmd, env, tmp_path / f"{host}.out")
    return log


def _task_states(log: Path, name: str = "") -> dict[str, str]:
    """Task id → last state the worker logged (received, succeeded, retry, raised, …)."""
    found = TASK_LINE.finditer(_log(log))
    return {m.group(2): m.group(3) for m in found if m.group(1).startswith(name)}


def _processed(es: Elasticsearch, index: str) -> int:
    try:
        es.indices.refresh(index=index)
        return int(es.count(index=index, query={"term": {"status": "processed"}})["count"])
    except Exception:
        return 0


def _cut_while_holding(lab: Lab, es: Elasticsearch, settings: Settings, w2_log: Path) -> set[str]:
    """Pull w2's cable as soon as it runs a fetch after a few articles were processed."""
    index = settings.index_name("articles")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if _processed(es, index) >= CUT_AFTER_PROCESSED:
            # a fetch waits ≥ PAGE_DELAY_S on the publisher: still running when the cable goes
            fetching = _task_states(w2_log, "communique.fetch_article").items()
            held = {tid for tid, state in fetching if state == "received"}
            if held:
                lab.cut("w2")
                return held
        time.sleep(0.05)
    pytest.fail(f"w2 never held a task after {CUT_AFTER_PROCESSED} articles:\n{w2_log}")


def _reconcile(es: Elasticsearch, r: redis.Redis, settings: Settings, urls: list[str]) -> dict:
    """Every feed entry is exactly one processed article or one dead letter."""
    articles, mentions = settings.index_name("articles"), settings.index_name("mentions")
    events = settings.index_name("events")
    es.indices.refresh(index=[articles, mentions, events])
    docs = es.search(
        index=articles, size=1000, source=["url", "status", "event_count"],
        query={"match_all": {}},
    )["hits"]["hits"]  # fmt: skip
    per_url: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        per_url.setdefault(doc["_source"]["url"], []).append(doc)
    by_article = es.search(
        index=mentions, size=0, aggs={"a": {"terms": {"field": "article_id", "size": 1000}}}
    )["aggregations"]["a"]["buckets"]
    mentions_of = {bucket["key"]: bucket["doc_count"] for bucket in by_article}
    dead = {rec["subject"] for rec in deadletters.list_all(r, include_resolved=True)}
    counts = {"entries": len(urls), "indexed": 0, "dead-lettered": 0, "lost": 0, "duplicated": 0}
    counts["mentions"] = sum(mentions_of.values())
    counts["events"] = int(es.count(index=events)["count"])  # mentions merged across articles
    counts["mentions off count"] = 0
    for url in urls:
        found = per_url.get(url, [])
        processed = [d for d in found if d["_source"].get("status") == "processed"]
        if len(found) > 1 or (found and url in dead):
            counts["duplicated"] += 1
        elif processed:
            counts["indexed"] += 1
            want = processed[0]["_source"].get("event_count") or 0
            counts["mentions off count"] += int(mentions_of.get(processed[0]["_id"], 0) != want)
        elif url in dead:
            counts["dead-lettered"] += 1
        else:
            counts["lost"] += 1
    return counts


def _settled(es: Elasticsearch, r: redis.Redis, settings: Settings, urls: list[str]) -> bool:
    try:
        counts = _reconcile(es, r, settings, urls)
    except Exception:  # indices refreshing, Redis busy: not settled yet
        return False
    return counts["indexed"] + counts["dead-lettered"] + counts["duplicated"] == len(urls)


def _summary(counts: dict[str, int], timings: dict[str, float], workers: dict[str, int]) -> None:
    print(
        f"\nreconciliation: {counts['entries']} entries = {counts['indexed']} indexed + "
        f"{counts['dead-lettered']} dead-lettered; lost {counts['lost']}, duplicated "
        f"{counts['duplicated']}; mentions {counts['mentions']} "
        f"({counts['mentions off count']} articles with mentions ≠ event_count), "
        f"merged into {counts['events']} events"
    )
    table = Table(
        "fault", "entries", "indexed", "dead-lettered", "lost", "duplicated", "held by w2",
        "taken back s", "recovery s", "bound s", title="multi-host: worker host cut off",
    )  # fmt: skip
    table.add_row(
        "w2 link down mid-run", *(str(counts[k]) for k in
        ("entries", "indexed", "dead-lettered", "lost", "duplicated")), str(workers["held"]),
        f"{timings['restored']:.1f}", f"{timings['recovery']:.1f}", f"{timings['bound']:.0f}",
    )  # fmt: skip
    Console(width=150).print(table)
    print(
        f"tasks run: w1 {workers['w1']}, w2 {workers['w2']}; "
        f"visibility timeout {VISIBILITY_TIMEOUT_S}s + restore sweep {RESTORE_SWEEP_S}s; "
        f"services ready in {timings['services']:.1f}s, whole run {timings['total']:.1f}s"
    )


def _cli(env: dict[str, str], *args: str) -> str:
    """`communique ARGS` from the controller, with the hosts' settings and credentials."""
    result = subprocess.run(
        [sys.executable, "-m", "workers.cli", *args],
        env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _answers(r: redis.Redis) -> bool:
    try:
        return bool(r.ping())
    except redis.RedisError:
        return False


def _start_svc(lab: Lab, env: dict[str, str], tmp_path: Path) -> tuple[Any, Path]:
    """`communique services up` (Redis, then Elasticsearch) and the publisher, on svc."""
    svc = lab.addresses["svc"]
    log = tmp_path / "services.log"
    services = lab.spawn("svc", [sys.executable, "-m", "workers.cli", "services", "up"], env, log)
    publisher = [
        sys.executable, "scripts/serve_seeds.py", "--host", svc, "--port", "8080",
        "--seeds", str(_publish_corpus(tmp_path)), "--page-delay", str(PAGE_DELAY_S),
    ]  # fmt: skip
    lab.spawn("svc", publisher, env, tmp_path / "publisher.log")
    return services, log


def _refuses_strangers(settings: Settings) -> None:
    """Without the credentials neither service lets a client in."""
    with pytest.raises(redis.RedisError, match=r"(?i)auth"):
        redis.Redis.from_url(settings.redis_url, socket_timeout=5).ping()
    with pytest.raises(ApiError) as refused:
        Elasticsearch(settings.es_url, request_timeout=10).info()
    assert refused.value.status_code == 401


@dataclass
class Run:
    """The running system as the controller sees it."""

    env: dict[str, str]
    settings: Settings
    r: redis.Redis
    es: Elasticsearch
    logs: dict[str, Path]
    services_log: Path
    urls: list[str]
    timings: dict[str, float] = field(default_factory=dict)


def _bring_up(lab: Lab, tmp_path: Path, started: float) -> Run:
    """Services and publisher on svc, a worker on w1 and w2, templates, then the first poll."""
    env = _environment(lab, tmp_path)
    settings = _settings(env)
    services, services_log = _start_svc(lab, env, tmp_path)
    r = redis.Redis.from_url(settings.redis_url, decode_responses=True, **redis_options(settings))
    es = Elasticsearch(settings.es_url, request_timeout=30, **es_options(settings))
    _wait("Redis on svc", lambda: _answers(r), 60, [services_log])
    logs = {host: _worker(lab, host, env, tmp_path) for host in ("w1", "w2")}
    _wait("Elasticsearch on svc", lambda: services.poll() is not None, 240, [services_log])
    assert services.returncode == 0, services_log.read_text()
    services_ready = time.monotonic() - started
    _refuses_strangers(settings)
    _cli(env, "es", "setup")
    _wait("both workers", lambda: all("ready." in _log(p) for p in logs.values()), 120,
          list(logs.values()))  # fmt: skip
    create_app(settings).send_task("communique.poll_feed", args=(FEED_ID,))
    urls = [f"http://{lab.addresses['svc']}:8080/news/{row['id']}.html" for row in _rows(tmp_path)]
    run = Run(env, settings, r, es, logs, services_log, urls)
    run.timings["services"] = services_ready
    return run


def _unacked(r: redis.Redis) -> dict[str, str]:
    """Task id → delivery tag of every message delivered and not acked (kombu's hash)."""
    return {
        json.loads(value)[0]["headers"]["id"]: tag for tag, value in r.hgetall("unacked").items()
    }


def _cut_and_settle(lab: Lab, run: Run) -> dict[str, float]:
    """Cut w2 while it holds tasks; wait until every entry is settled. Task id → seconds from
    the cut until Redis took the task back from w2 (its delivery tag left the unacked set)."""
    held = _cut_while_holding(lab, run.es, run.settings, run.logs["w2"])
    cut_at = time.monotonic()
    tags = {tid: tag for tid, tag in _unacked(run.r).items() if tid in held}
    assert tags, held  # what w2 was running waits in Redis, unacked
    restored: dict[str, float] = {}

    def taken_back() -> bool:  # Redis only: cheap enough to poll finely
        live = set(run.r.hkeys("unacked"))
        for tid, tag in tags.items():
            if tid not in restored and tag not in live:
                restored[tid] = time.monotonic() - cut_at
        return len(restored) == len(tags)

    logs = [*run.logs.values(), run.services_log]
    _wait("w2's tasks taken back", taken_back, VISIBILITY_TIMEOUT_S + RESTORE_SWEEP_S + 30, logs)
    run.timings["bound"] = VISIBILITY_TIMEOUT_S + RESTORE_SWEEP_S + 60  # + w1 alone finishing
    _wait("every entry settled", lambda: _settled(run.es, run.r, run.settings, run.urls),
          run.timings["bound"] - (time.monotonic() - cut_at), logs)  # fmt: skip
    run.timings["recovery"] = time.monotonic() - cut_at
    return restored


def test_worker_host_cut_off_mid_run_loses_and_doubles_nothing(lab: Lab, tmp_path: Path) -> None:
    started = time.monotonic()
    run = _bring_up(lab, tmp_path, started)
    restored = _cut_and_settle(lab, run)
    counts = _reconcile(run.es, run.r, run.settings, run.urls)
    ledger_view = json.loads(_cli(run.env, "reconcile", "--dry-run", "--min-age", "0", "--json"))
    w1_states, w2_states = _task_states(run.logs["w1"]), _task_states(run.logs["w2"])
    run.timings["total"] = time.monotonic() - started
    run.timings["restored"] = max(restored.values())
    _summary(counts, run.timings, {
        "held": len(restored), "w1": list(w1_states.values()).count("succeeded"),
        "w2": list(w2_states.values()).count("succeeded"),
    })  # fmt: skip
    assert counts["lost"] == 0 and counts["duplicated"] == 0, counts
    assert counts["indexed"] + counts["dead-lettered"] == len(run.urls), counts
    assert counts["indexed"] >= len(run.urls) - 1, counts  # real articles: a stray no_text at most
    assert counts["mentions off count"] == 0, counts  # no mention lost or written twice
    assert ledger_view["ledger_entries"] == len(run.urls), ledger_view
    assert ledger_view["missing"] == 0, ledger_view
    # Redis took w2's tasks back after the visibility timeout (not before: nothing ran twice
    # on a live worker), within one restore sweep after it; w1 then ran them to the end.
    for task_id, after_s in restored.items():
        # (+5 s: the 0.5 s polling here and a sweep timer late on a busy machine)
        assert VISIBILITY_TIMEOUT_S - 5 <= after_s <= VISIBILITY_TIMEOUT_S + RESTORE_SWEEP_S + 5
        assert w1_states.get(task_id) == "succeeded", (task_id, _log(run.logs["w1"])[-3000:])
    # no secret in any output: workers' logs and banners, services up, the publisher
    secrets_ = [run.env["COMMUNIQUE_REDIS_PASSWORD"], run.env["COMMUNIQUE_ES_PASSWORD"]]
    for output in (*tmp_path.glob("*.log"), *tmp_path.glob("*.out")):
        assert not any(secret in _log(output) for secret in secrets_), output
    run.r.close()
    run.es.close()


def _log(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _rows(tmp_path: Path) -> list[dict[str, str]]:
    lines = (tmp_path / "articles.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]
