"""Failing feeds are counted against that feed, with a reason, and never crash the poller.

The poll task's body runs in this process (``poll_feed.run``) against the real Redis and a
local HTTP server; nothing is mocked. Settings point at a test Redis db and index prefix.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import ClassVar

import pytest
import redis
from elasticsearch import Elasticsearch

from pipeline.models import FeedSpec

pytestmark = pytest.mark.integration

TEST_DB = 11
#: index prefix of these tests (removed after each)
PREFIX = "test-pollfaults"


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {
        "/gone.xml": (404, "text/html", b"<html>not here</html>"),
        "/html.xml": (200, "text/html", b"<html><body><p>Welcome!</p></body></html>"),
        "/empty.xml": (200, "application/rss+xml", b""),
        "/ok.xml": (200, "application/rss+xml",
                    b'<rss version="2.0"><channel><title>ok</title><item><title>a</title>'
                    b"<link>https://example.org/a</link></item></channel></rss>"),
    }  # fmt: skip

    def do_GET(self) -> None:
        if self.path == "/slow.xml":
            time.sleep(3)
        status, ctype, body = self.routes.get(self.path, (200, "application/rss+xml", b""))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def worker_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, es: Elasticsearch
) -> Iterator[redis.Redis]:
    """Point the workers' settings at a test db and index prefix; clear the per-process caches
    around the test and remove what the polls indexed (feed health) after it."""
    from workers import resources
    from workers.settings import get_settings

    monkeypatch.setenv("COMMUNIQUE_REDIS_URL", f"redis://127.0.0.1:6379/{TEST_DB}")
    monkeypatch.setenv("COMMUNIQUE_INDEX_PREFIX", PREFIX)
    monkeypatch.setenv("COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")
    monkeypatch.setenv("COMMUNIQUE_FETCH_DEADLINE_S", "1.5")
    monkeypatch.setenv("COMMUNIQUE_HOST_MIN_INTERVAL_S", "0")
    monkeypatch.setenv("COMMUNIQUE_FEEDS_FILE", str(tmp_path / "none.yaml"))
    get_settings.cache_clear()
    resources.close_clients()
    client = redis.Redis.from_url(f"redis://127.0.0.1:6379/{TEST_DB}", decode_responses=True)
    client.flushdb()
    yield client
    client.flushdb()
    get_settings.cache_clear()
    resources.close_clients()
    # the poll task writes feed health without the templates, so the index has the plain name
    for index in es.indices.get(index=f"{PREFIX}-*", allow_no_indices=True):
        es.indices.delete(index=index, ignore_unavailable=True)


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/gone.xml", "http_404"),
        ("/html.xml", "not_a_feed"),
        ("/empty.xml", "empty_feed"),
        ("/slow.xml", "deadline"),
    ],
)
def test_poll_feed_counts_failure_against_the_feed(
    worker_env: redis.Redis, server: str, path: str, reason: str
) -> None:
    from workers import feedstate, feedstore
    from workers.tasks.poll import poll_feed

    feedstore.add(worker_env, FeedSpec(id="bad", url=f"{server}{path}", poll_interval_s=300))
    for attempt in (1, 2):
        result = poll_feed.run("bad")
        assert result["status"] == "failed" and result["reason"] == reason
        state = feedstate.load(worker_env, "bad")
        assert state.consecutive_failures == attempt
        assert state.last_error_reason == reason and state.last_error
    # backed off: the second failure schedules the next poll at least 4× the base interval away
    assert result["next_poll_in_s"] >= 4 * 300 * 0.9
    due = feedstore.next_due(worker_env, "bad")
    assert due is not None and due > time.time() + 1000


def test_poll_feed_unknown_or_paused_feed_is_harmless(worker_env: redis.Redis) -> None:
    from workers import feedstore
    from workers.tasks.poll import poll_feed

    assert poll_feed.run("nope")["status"] == "unknown_feed"
    feedstore.add(worker_env, FeedSpec(id="p", url="https://example.org/rss", enabled=False))
    assert poll_feed.run("p")["status"] == "paused"


def test_poll_feed_refuses_private_addresses_by_default(
    worker_env: redis.Redis, monkeypatch: pytest.MonkeyPatch, server: str
) -> None:
    from workers import feedstate, feedstore, resources
    from workers.settings import get_settings
    from workers.tasks.poll import poll_feed

    monkeypatch.setenv("COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS", "")
    get_settings.cache_clear()
    resources.close_clients()
    feedstore.add(worker_env, FeedSpec(id="ssrf", url=f"{server}/ok.xml"))
    assert poll_feed.run("ssrf")["reason"] == "ssrf_blocked"
    assert feedstate.load(worker_env, "ssrf").consecutive_failures == 1
