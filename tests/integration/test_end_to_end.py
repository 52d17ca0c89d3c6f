"""End to end: a local feed of the two seed articles → real Celery worker → searchable in ES.

Nothing is mocked: a threaded HTTP server on 127.0.0.1 serves the feed and the article pages,
a real ``celery worker`` subprocess consumes from the real Redis (its own db), and the test
queries the real Elasticsearch (its own index prefix). The worker's fetch policy allow-lists
loopback through ``COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS`` (off by default).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from elasticsearch import Elasticsearch

from pipeline.index.templates import delete_prefix
from scripts.serve_seeds import serve_in_thread
from tests.support import require_shared
from workers.app import create_app
from workers.routing import ALL_QUEUES
from workers.settings import PROJECT_ROOT, Settings

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

E2E_REDIS_DB = 12
WAIT_S = 180


@pytest.fixture()
def seed_server() -> Iterator[str]:
    server, base = serve_in_thread(require_shared("seeds", "seeds.jsonl"))
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture()
def e2e_env(tmp_path: Path, seed_server: str, es: Elasticsearch) -> Iterator[dict[str, str]]:
    prefix = f"e2e-{uuid.uuid4().hex[:8]}"
    redis_url = f"redis://127.0.0.1:6379/{E2E_REDIS_DB}"
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "feeds:\n"
        f"  - {{id: seeds, url: '{seed_server}/feed.xml', publisher: Seeds, poll_interval: 3600}}\n"
    )
    env = {
        **os.environ,
        "COMMUNIQUE_REDIS_URL": redis_url,
        "COMMUNIQUE_INDEX_PREFIX": prefix,
        "COMMUNIQUE_FEEDS_FILE": str(feeds),
        "COMMUNIQUE_STATE_DIR": str(tmp_path / "state"),
        "COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
    }
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield env
    client.flushdb()
    delete_prefix(es, prefix)


def _start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, "-m", "celery", "-A", "workers.app", "worker",
        "-Q", ",".join(ALL_QUEUES), "--concurrency", "1", "--loglevel", "INFO",
        "-n", f"e2e-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    log = log_path.open("wb")
    return subprocess.Popen(cmd, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)


def _wait_for(es: Elasticsearch, index: str, query: dict[str, object], deadline: float) -> int:
    while time.monotonic() < deadline:
        try:
            es.indices.refresh(index=index)
            count = int(es.count(index=index, query=query)["count"])
        except Exception:
            count = 0
        if count:
            return count
        time.sleep(1)
    return 0


def test_seed_feed_becomes_searchable_articles_and_events(
    e2e_env: dict[str, str], es: Elasticsearch, tmp_path: Path
) -> None:
    settings = Settings(
        redis_url=e2e_env["COMMUNIQUE_REDIS_URL"],
        index_prefix=e2e_env["COMMUNIQUE_INDEX_PREFIX"],
        feeds_file=Path(e2e_env["COMMUNIQUE_FEEDS_FILE"]),
    )
    log_path = tmp_path / "worker.log"
    worker = _start_worker(e2e_env, log_path)
    try:
        producer = create_app(settings)
        producer.send_task("communique.poll_feed", args=("seeds",))
        articles = settings.index_name("articles")
        deadline = time.monotonic() + WAIT_S
        full_text = {
            "Kamikawa": {"match": {"text": "Kamikawa"}},
            "Bali": {"match": {"text": "Bali"}},
        }
        found = {word: _wait_for(es, articles, q, deadline) for word, q in full_text.items()}
        processed = _wait_for(es, articles, {"term": {"status": "processed"}}, deadline)
        while processed < 2 and time.monotonic() < deadline:
            time.sleep(1)
            processed = _wait_for(es, articles, {"term": {"status": "processed"}}, deadline)
        facet = es.search(
            index=articles,
            size=0,
            aggs={"countries": {"terms": {"field": "entities.countries", "size": 50}}},
        )
        by_person = es.count(index=articles, query={"term": {"entities.persons": "Antony Blinken"}})
        events = es.count(index=settings.index_name("events"), query={"term": {"type": "CONSULT"}})
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
    log_tail = log_path.read_text(errors="replace")[-4000:]
    assert found == {"Kamikawa": 1, "Bali": 1}, log_tail
    assert processed == 2, log_tail
    countries = {b["key"] for b in facet["aggregations"]["countries"]["buckets"]}
    assert {"JPN", "KOR", "USA"} <= countries, (countries, log_tail)
    assert by_person["count"] == 2, log_tail
    assert events["count"] >= 2, log_tail
