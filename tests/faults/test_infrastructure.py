"""Infrastructure faults against the whole stack, each ending with the reconciliation.

The checklist of ../shared/docs/reliability.md: kill -9 of a worker child and of the whole
worker, Redis restarts with and without persistence, Elasticsearch down for 60 s, 429s and a
partial bulk failure, a poison article, SIGTERM during work, a feed on one host, beat killed.
Every test runs real Celery workers (and beat) against a PRIVATE Redis and Elasticsearch
started once for this module (never the shared 6379/9200, which other work relies on), serves
a small feed set from ../shared/corpus, and asserts: every entry is exactly one processed
article or one dead letter — zero lost, zero duplicated (summary table at the end of the run).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.news_site import NewsSite, Story, corpus_stories
from tests.faults.es_proxy import FaultyElasticsearch
from tests.faults.harness import Scenario, Services, Tally
from tests.faults.private import PrivateElasticsearch, PrivateRedis
from tests.support import require_shared
from workers.deadletters import KEY as DEADLETTERS_KEY

pytestmark = [pytest.mark.faults, pytest.mark.integration, pytest.mark.e2e]

ENTRIES = 12
ES_DOWN_S = 60


@pytest.fixture(scope="module")
def services() -> Iterator[Services]:
    """One private Redis and one private Elasticsearch for the whole module.

    Their data lives in a directory of our own, not pytest's tmp_path: concurrent pytest runs
    on the machine prune each other's old base temp directories, data dirs included."""
    workdir = Path(tempfile.mkdtemp(prefix="communique-faults-"))
    redis_server = PrivateRedis(workdir / "redis")
    (workdir / "redis").mkdir()
    elasticsearch = PrivateElasticsearch(workdir / "es")
    redis_server.start(appendonly=True)
    try:
        elasticsearch.start()
        yield Services(redis_server, elasticsearch, workdir)
    finally:
        redis_server.stop()
        elasticsearch.stop()
        if not os.environ.get("COMMUNIQUE_FAULTS_KEEP"):  # keep logs and data to debug a run
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def stories() -> list[Story]:
    return corpus_stories(require_shared("corpus").parent, ENTRIES)


@pytest.fixture()
def scenario(
    request: pytest.FixtureRequest, services: Services, stories: list[Story]
) -> Iterator[Any]:
    """Build a scenario for a site; everything it started is stopped after the test."""
    made: list[tuple[Scenario, NewsSite]] = []
    if services.redis.process is None or not services.redis.appendonly:
        services.redis.stop()
        services.redis.start(appendonly=True)

    def make(site_kwargs: dict[str, Any] | None = None, **env: str) -> Scenario:
        site = NewsSite(stories, **(site_kwargs or {}))
        workdir = Path(tempfile.mkdtemp(dir=services.workdir, prefix="scenario-"))
        made.append((Scenario(request.node.name[5:], services, site, workdir, **env), site))
        return made[-1][0]

    yield make
    for run, site in made:
        run.close()
        site.close()


def assert_reconciled(run: Scenario, tally: Tally, *, all_indexed: bool = True) -> None:
    assert tally.lost == 0, f"lost {tally.lost_urls}\n{run.log_tail()}"
    assert tally.duplicated == 0, run.log_tail()
    assert tally.entries == ENTRIES
    if all_indexed:
        assert tally.indexed == ENTRIES, f"dead letters {tally.reasons}\n{run.log_tail()}"


def test_kill_9_of_a_worker_child_mid_task(scenario: Any) -> None:
    run = scenario({"hosts": ("127.0.0.1", "127.0.0.2")})
    run.site.hang(3, 6.0)  # a child is surely inside this fetch when we kill
    run.start_worker()
    run.poll_feeds()
    run.wait_for(lambda: run.site.traffic.inflight["/a/s0003.html"] > 0, 120, "hung fetch")
    for pid in run.children(run.processes[0]):
        os.kill(pid, signal.SIGKILL)
    assert_reconciled(run, run.settle(time.monotonic()))
    assert run.site.traffic.hits["/a/s0003.html"] >= 2  # the killed task ran again


def test_kill_9_of_the_whole_worker_holding_reserved_tasks(scenario: Any) -> None:
    run = scenario({"hosts": ("127.0.0.1", "127.0.0.2")})
    run.site.hang(5, 8.0)
    worker = run.start_worker()
    run.poll_feeds()
    run.wait_for(lambda: run.site.traffic.inflight["/a/s0005.html"] > 0, 120, "hung fetch")
    for pid in [*run.children(worker), worker.pid]:
        os.kill(pid, signal.SIGKILL)
    worker.wait()
    fault_end = time.monotonic()
    run.start_worker()  # unacked messages come back after the visibility timeout
    assert_reconciled(run, run.settle(fault_end, timeout_s=220))


@pytest.mark.parametrize(
    "appendonly",
    [True, False],
    ids=["aof", "no-persistence"],
)
def test_redis_restart_during_ingestion(
    scenario: Any, services: Services, appendonly: bool
) -> None:
    if not appendonly:
        services.redis.restart(appendonly=False)
    run = scenario({"hosts": ("127.0.0.1", "127.0.0.2")})
    run.start_worker()
    run.start_beat()  # a restart without persistence forgets the queues: polling must recover
    run.wait_for(lambda: run.pages_fetched() >= 3, 120, "ingestion under way")
    services.redis.restart(appendonly=appendonly, down_s=2.0)
    # beat dispatches every second here: a recovery takes seconds, never minutes
    assert_reconciled(run, run.settle(time.monotonic(), timeout_s=90))


def test_elasticsearch_down_60s_during_ingestion(scenario: Any, services: Services) -> None:
    # the retry budget (5 + 10 + 20 × 8 = 175 s) outlasts the outage plus the node's restart
    run = scenario({"hosts": ("127.0.0.1", "127.0.0.2")}, COMMUNIQUE_MAX_RETRIES="10")
    run.start_worker()
    run.poll_feeds()
    run.wait_for(lambda: run.pages_fetched() >= 2, 120, "ingestion under way")
    services.elasticsearch.stop()
    time.sleep(ES_DOWN_S)
    services.elasticsearch.start()
    assert_reconciled(run, run.settle(time.monotonic(), timeout_s=200))


def test_elasticsearch_429s_and_a_partial_bulk_failure(scenario: Any, services: Services) -> None:
    proxy = FaultyElasticsearch(services.elasticsearch.url, reject_writes=8, partial_bulks=3)
    try:
        run = scenario({"hosts": ("127.0.0.1", "127.0.0.2")}, COMMUNIQUE_ES_URL=proxy.url)
        run.start_worker()
        run.poll_feeds()
        tally = run.settle(time.monotonic())
    finally:
        proxy.close()
    assert proxy.injected["429 request"] == 8
    assert proxy.injected["400 bulk item"] >= 1, "no bulk with two items: nothing injected"
    assert_reconciled(run, tally)
    es = services.es
    rejected = es.count(
        index=f"{run.prefix}-articles", query={"term": {"notes.code": "mention_rejected"}}
    )["count"]
    assert rejected >= 1  # the permanent item is recorded on its article, not looped on


def test_poison_article_is_dead_lettered_while_the_worker_keeps_serving(scenario: Any) -> None:
    run = scenario(
        {"hosts": ("127.0.0.1", "127.0.0.2")},
        # short enough to see three attempts in a minute, long enough that no healthy task
        # (NLP on a loaded machine) reaches it
        COMMUNIQUE_TASK_SOFT_TIME_LIMIT_S="10",
        COMMUNIQUE_TASK_TIME_LIMIT_S="12",
        COMMUNIQUE_MAX_RETRIES="2",
        COMMUNIQUE_FETCH_DEADLINE_S="40",
    )
    poison = run.site.hang(3, 40.0)  # longer than the task's time limit, every attempt
    run.start_worker()
    run.poll_feeds()
    tally = run.settle(time.monotonic(), timeout_s=180)
    assert_reconciled(run, tally, all_indexed=False)
    assert tally.indexed == ENTRIES - 1, run.log_tail()
    records = [json.loads(v) for v in run.redis().hvals(DEADLETTERS_KEY)]
    assert [rec["subject"] for rec in records] == [poison], records
    assert records[0]["attempts"] >= 3  # N = max_retries + 1 attempts before giving up


def test_sigterm_during_work_finishes_or_requeues(scenario: Any) -> None:
    run = scenario({"hosts": ("127.0.0.1", "127.0.0.2")})
    run.site.hang(4, 5.0)
    worker = run.start_worker()
    run.poll_feeds()
    run.wait_for(lambda: run.site.traffic.inflight["/a/s0004.html"] > 0, 120, "hung fetch")
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=90)  # the soft shutdown lets the in-flight task end
    fault_end = time.monotonic()
    run.start_worker()
    assert_reconciled(run, run.settle(fault_end))
    assert run.site.traffic.hits["/a/s0004.html"] == 1  # finished in the window, not rerun


def test_a_feed_on_one_host_is_delayed_never_dead_lettered(scenario: Any) -> None:
    run = scenario(
        {"hosts": ("127.0.0.1",)},
        COMMUNIQUE_HOST_MAX_CONCURRENCY="1",
        COMMUNIQUE_HOST_MIN_INTERVAL_S="0.5",
    )
    run.start_worker()
    run.start_beat()  # a poll deferred by the busy host is dispatched again when it is due
    tally = run.settle(time.monotonic())
    assert_reconciled(run, tally)
    assert run.site.traffic.max_inflight["127.0.0.1"] == 1
    assert tally.dead_lettered == 0


def test_beat_killed_and_restarted_forgets_no_feed(scenario: Any) -> None:
    run = scenario({"hosts": ("127.0.0.1", "127.0.0.2")})
    run.start_worker()
    beat = run.start_beat()  # the feeds are due at once; busy ones come back in ~15 s
    polls = run.site.traffic.poll_times
    feeds = [f"/feeds/f{n}.xml" for n in range(len(run.feed_ids))]
    run.wait_for(lambda: all(polls[f] for f in feeds), 90, "a poll of every feed")
    beat.send_signal(signal.SIGKILL)
    beat.wait()
    time.sleep(5)
    restarted = time.time()
    run.start_beat()
    run.wait_for(
        lambda: all(any(t > restarted for t in polls[f]) for f in feeds), 90,
        "every feed polled again after the restart",
    )  # fmt: skip
    assert_reconciled(run, run.settle(time.monotonic()))


def test_concurrent_dispatches_never_poll_a_feed_twice_at_once(scenario: Any) -> None:
    run = scenario({"hosts": ("127.0.0.1", "127.0.0.2")})
    for _ in range(4):  # dispatcher ticks waiting while the worker starts, as after a restart
        run.send("communique.schedule_polls")
    run.start_worker()
    polls = run.site.traffic.poll_times
    feeds = [f"/feeds/f{n}.xml" for n in range(len(run.feed_ids))]
    run.wait_for(lambda: all(polls[f] for f in feeds), 90, "a poll of every feed")
    time.sleep(3)
    for feed in feeds:
        gaps = [b - a for a, b in itertools.pairwise(polls[feed])]
        assert not gaps or min(gaps) >= 1.0, f"{feed} polled twice at once: {gaps}"
    assert_reconciled(run, run.settle(time.monotonic()))
