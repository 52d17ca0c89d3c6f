"""Helpers of the "nothing lost" tests (issue 7): a private Redis, a scripted site, and the
reconciliation of a run (entries, indexed, dead-lettered, lost, duplicated).

Each test runs its worker against its OWN redis-server (another port, its own data dir), so it
may restart it, and no other test's flush of a shared db can touch its queues.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from elasticsearch import Elasticsearch

from scripts.serve_seeds import rss_feed, rss_item
from workers import deadletters, ledger
from workers.settings import Settings

PLACES = ["Berlin", "Paris", "Tokyo", "Nairobi", "Lima", "Oslo", "Cairo", "Hanoi", "Quito", "Riga"]
WORDS = [
    "ministers",
    "talks",
    "trade",
    "treaty",
    "border",
    "water",
    "energy",
    "grain",
    "port",
    "loan",
    "visit",
    "summit",
    "envoy",
    "aid",
    "pipeline",
    "fishing",
    "rights",
    "railway",
    "vaccine",
    "debt",
    "climate",
    "election",
    "observers",
    "ceasefire",
    "tariff",
    "embassy",
    "consulate",
    "students",
    "scholarship",
    "drought",
    "flood",
    "bridge",
    "satellite",
    "cable",
    "wheat",
    "rice",
    "copper",
    "lithium",
    "refinery",
    "highway",
    "airport",
    "festival",
    "museum",
    "archive",
    "orchestra",
    "football",
]


def article_text(index: int) -> str:
    """Distinct text per page (near-duplicates would be merged as syndicated copies)."""
    rng = random.Random(index)
    place = PLACES[index % len(PLACES)]
    sentences = [
        f"Officials met in {place} on Monday to discuss "
        + " ".join(rng.sample(WORDS, 8))
        + f", said the spokesman of delegation {index}."
        for _ in range(8)
    ]
    return "".join(f"<p>{s}</p>" for s in sentences)


FEED_ETAG = '"feed-v1"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    """A redis-server of the test's own (AOF on, like `communique services up`)."""

    def __init__(self, data_dir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (`communique services up` installs it)")
        self.binary = binary
        self.port = free_port()
        self.dir = data_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)

    def start(self) -> None:
        cmd = [
            self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            "--maxmemory-policy", "noeviction",
        ]  # fmt: skip
        log = (self.dir / "redis.log").open("ab")
        self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail(f"private redis-server on port {self.port} did not start")

    def stop(self) -> None:
        """A clean shutdown (the AOF is flushed), as an operator's restart would do."""
        if self.process is None:
            return
        with contextlib.suppress(redis.RedisError):  # the connection drops as it exits
            self.client().shutdown()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@dataclass
class Page:
    """How one article page answers: after ``delay_s``, or 503, or a trickle, or a hang."""

    mode: str = "ok"  # ok | down | slowloris | hang
    delay_s: float = 0.0


class Site:
    """A local site: /feed.xml lists ``pages``; /a/<i>.html answers as scripted.

    ``hanging`` counts requests currently held by ``hang`` pages (released by ``release``).
    """

    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages
        self.hits: Counter[int] = Counter()
        self.hanging = 0
        self.release = threading.Event()
        self._lock = threading.Lock()
        start = datetime(2024, 3, 1, tzinfo=UTC)
        items = [
            rss_item(f"Ministers meet {i}", f"/a/{i}.html", f"g{i}", start + timedelta(hours=i))
            for i in range(len(pages))
        ]
        self.feed = rss_feed(list(reversed(items)))  # newest first, like real feeds
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                if self.path == "/feed.xml":
                    if self.headers.get("If-None-Match") == FEED_ETAG:
                        self._send(304, "application/rss+xml", "")
                        return
                    self._send(200, "application/rss+xml", outer.feed.replace("{base}", outer.base))
                    return
                try:
                    index = int(self.path.removeprefix("/a/").removesuffix(".html"))
                    page = outer.pages[index]
                except (ValueError, IndexError):
                    self._send(404, "text/html", "<html>no</html>")
                    return
                with outer._lock:
                    outer.hits[index] += 1
                outer.answer(self, index, page)

            def _send(self, status: int, ctype: str, body: str) -> None:
                data = body.encode()
                try:
                    self.send_response(status)
                    if self.path == "/feed.xml":
                        self.send_header("ETag", FEED_ETAG)  # the feed never changes
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client (a killed worker, a deadline) went away

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, index: int) -> str:
        return f"{self.base}/a/{index}.html"

    def answer(self, handler: BaseHTTPRequestHandler, index: int, page: Page) -> None:
        send = handler._send  # type: ignore[attr-defined]
        if page.mode == "down":
            send(503, "text/html", "<html>maintenance</html>")
            return
        if page.mode == "slowloris":
            try:
                handler.send_response(200)
                handler.send_header("Content-Type", "text/html")
                handler.end_headers()
                for _ in range(600):  # one byte every 0.1 s: never done within a deadline
                    handler.wfile.write(b" ")
                    handler.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            return
        if page.mode == "hang":
            with self._lock:
                self.hanging += 1
            self.release.wait(20)
            with self._lock:
                self.hanging -= 1
        time.sleep(page.delay_s)
        body = (
            f"<html><head><title>Ministers meet {index}</title></head><body><article>"
            f"<h1>Ministers meet {index}</h1>{article_text(index)}"
            "</article></body></html>"
        )
        send(200, "text/html; charset=utf-8", body)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Reconciliation:
    """Where every ledger entry ended."""

    entries: int
    indexed: int
    dead_lettered: int
    lost: int
    duplicated: int
    reasons: Counter[str]  # of every dead letter (fetch and processing)

    def line(self) -> str:
        return (
            f"reconciliation: entries={self.entries} indexed={self.indexed} "
            f"dead_lettered={self.dead_lettered} lost={self.lost} duplicated={self.duplicated}"
            f" (dead letters: {dict(self.reasons) or 0})"
        )


def reconcile(r: redis.Redis, es: Elasticsearch, settings: Settings) -> Reconciliation:
    """Compare the ledger with the articles index and the dead letters.

    ``duplicated`` counts entries that ended twice (indexed AND dead-lettered), documents
    carrying a URL that is not their own in ``sources``, and extra dead letters of one subject.
    """
    entries = ledger.entries(r)
    index = settings.index_name("articles")
    es.indices.refresh(index=index)
    docs = {
        hit["_id"]: hit["_source"]
        for hit in es.search(index=index, size=1000, query={"match_all": {}})["hits"]["hits"]
    }
    letters = deadletters.list_all(r, include_resolved=True)
    by_subject = Counter(rec["subject"] for rec in letters)
    indexed = dead = lost = duplicated = 0
    for aid, entry in entries.items():
        in_index, in_dead = aid in docs, entry["url"] in by_subject
        indexed += in_index
        dead += in_dead and not in_index
        lost += not in_index and not in_dead
        duplicated += in_index and in_dead
    duplicated += sum(n - 1 for n in by_subject.values())
    duplicated += sum(
        1 for doc in docs.values() if set(doc.get("sources") or []) - {doc.get("url")}
    )
    report = Reconciliation(
        entries=len(entries), indexed=indexed, dead_lettered=dead, lost=lost,
        duplicated=duplicated, reasons=Counter(rec["reason"] for rec in letters),
    )  # fmt: skip
    print(report.line())
    return report


def shared_sockets(pids: list[int], remote_port: int) -> int:
    """TCP connections to ``remote_port`` open in more than one of ``pids`` (Linux /proc).

    A socket a pool process inherited from its parent shows up in both: two processes using
    one keep-alive connection read each other's answers.
    """
    wanted: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            for row in list(rows)[1:]:
                cols = row.split()
                if int(cols[2].rsplit(":", 1)[1], 16) == remote_port:
                    wanted.add(cols[9])
    owners: Counter[str] = Counter()
    for pid in pids:
        inodes = set()
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:["):
                        inodes.add(link[8:-1])
        owners.update(inodes & wanted)
    return sum(1 for n in owners.values() if n > 1)


def wait_until(
    check: Callable[[], bool], timeout_s: float, every_s: float = 0.5
) -> tuple[bool, float]:
    """Poll ``check`` until true or ``timeout_s``; (succeeded, seconds waited)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            if check():
                return True, time.monotonic() - started
        except Exception:  # a service restarting under the test: keep polling
            pass
        time.sleep(every_s)
    return False, time.monotonic() - started


def settled(r: redis.Redis, es: Elasticsearch, settings: Settings, want: int) -> bool:
    """Every one of ``want`` entries ended indexed or dead-lettered."""
    entries = ledger.entries(r)
    if len(entries) < want:
        return False
    index = settings.index_name("articles")
    es.indices.refresh(index=index)
    found = {
        d["_id"]
        for d in es.mget(index=index, ids=list(entries), source=False)["docs"]
        if d.get("found")
    }
    dead = {rec["subject"] for rec in deadletters.list_all(r, include_resolved=True)}
    return all(aid in found or e["url"] in dead for aid, e in entries.items())
