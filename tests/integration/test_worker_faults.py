"""Infrastructure faults against a real worker: nothing lost, nothing doubled.

Checklist items 1 (kill -9 a worker child mid-task) and 14 (same article twice) of
../shared/docs/reliability.md.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from elasticsearch import Elasticsearch

from scripts.serve_seeds import rss_feed, rss_item
from tests.integration.stack import Stack, wait_count

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

ARTICLE = "".join(
    f"<p>Paragraph {i}: the foreign ministers of France and Germany met in Berlin on Monday "
    "to discuss support for Ukraine and agreed to coordinate sanctions.</p>"
    for i in range(8)
)


class SlowFirstPage:
    """A feed with one article whose first request hangs until released."""

    def __init__(self) -> None:
        self.page_hits = 0
        self.first_request = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/feed.xml":
                    item = rss_item(
                        "Ministers meet", "/a.html", "a", datetime(2024, 3, 4, tzinfo=UTC)
                    )
                    body = rss_feed([item]).replace("{base}", outer.base).encode()
                    ctype = "application/rss+xml"
                else:
                    outer.page_hits += 1
                    if outer.page_hits == 1:
                        outer.first_request.set()
                        outer.release.wait(30)  # the child is killed while we wait
                    body = f"<html><body><article>{ARTICLE}</article></body></html>".encode()
                    ctype = "text/html"
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the killed child's socket is gone

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def slow_site() -> Iterator[SlowFirstPage]:
    site = SlowFirstPage()
    yield site
    site.close()


def test_kill_9_of_a_child_mid_task_redelivers_and_indexes_once(
    stack_for: Callable[..., Stack], es: Elasticsearch, slow_site: SlowFirstPage
) -> None:
    stack = stack_for(f"{slow_site.base}/feed.xml")
    stack.send("communique.poll_feed", "seeds")
    assert slow_site.first_request.wait(120), stack.log_tail()
    children = stack.children()
    assert children, stack.log_tail()
    for pid in children:
        os.kill(pid, signal.SIGKILL)  # the child holding fetch_article dies mid-request
    slow_site.release.set()
    articles = stack.settings.index_name("articles")
    assert wait_count(es, articles, {"match": {"text": "Berlin"}}, 1) == 1, stack.log_tail()
    time.sleep(2)  # a duplicate run, if any, would land now
    es.indices.refresh(index=articles)
    assert es.count(index=articles)["count"] == 1, stack.log_tail()
    assert slow_site.page_hits >= 2  # the task ran again after the kill
    assert "WorkerLostError" in stack.log_path.read_text(errors="replace")
