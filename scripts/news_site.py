"""A local news site for the end-to-end benchmark and the fault suite.

Stories (texts from ../shared/corpus and the seeds, rendered as HTML pages, plus some real pages
of the article-extraction benchmark) appear one by one in several RSS feeds at a set rate, each
page on one of several loopback hosts (127.0.0.x: per-host politeness treats them as different
sites). The site records when every story appeared and every request it answered, and can make
chosen pages hang (a poison article), so a test or benchmark can measure latency from an
entry's appearance and reconcile what was published with what was indexed.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import zip_longest
from pathlib import Path

from scripts.serve_seeds import rss_feed, rss_item

#: newest entries listed per feed (older ones scroll out, as on a real site)
FEED_WINDOW = 200


@dataclass(frozen=True)
class Story:
    """One article the site will publish: plain text rendered as a page, or a raw page."""

    id: str
    title: str
    text: str = ""
    raw_html: str | None = None


def _jsonl(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def corpus_stories(shared: Path, limit: int, *, raw_pages: int = 0) -> list[Story]:
    """Up to ``limit`` stories: Wikinews, VOA and seed texts interleaved, then ``raw_pages``
    real HTML pages from the article-extraction benchmark (the hardest to extract)."""
    sources = [
        sorted((shared / "corpus" / "wikinews-vanatteveldt").glob("*.jsonl")),
        sorted((shared / "corpus" / "voa").glob("*.jsonl")),
        [shared / "seeds" / "seeds.jsonl"],
    ]
    rows_by_source = [[row for path in paths for row in _jsonl(path)] for paths in sources]
    stories: list[Story] = []
    seen: set[str] = set()
    for group in zip_longest(*rows_by_source):
        for row in filter(None, group):
            text = (row.get("text") or "").strip()
            if len(text) < 200 or text[:200] in seen:
                continue
            seen.add(text[:200])
            title = row.get("title") or text.split(". ")[0][:120]
            stories.append(Story(id=f"s{len(stories):04d}", title=title, text=text))
    stories = stories[: max(0, limit - raw_pages)]
    pages = sorted((shared / "corpus" / "article-extraction-benchmark" / "html").glob("*.html"))
    for path in pages[:raw_pages]:
        raw = path.read_text(errors="replace")
        found = re.search(r"<title[^>]*>(.*?)</title>", raw, re.S | re.I)
        title = html.unescape(found.group(1)).strip()[:200] if found else path.stem
        stories.append(Story(id=f"p{len(stories):04d}", title=title, raw_html=raw))
    return stories


def render_page(story: Story, published: datetime) -> str:
    """The HTML page of a story (the raw page as is)."""
    if story.raw_html is not None:
        return story.raw_html
    paragraphs = "".join(
        f"<p>{html.escape(p.strip())}</p>" for p in story.text.split("\n") if p.strip()
    )
    title = html.escape(story.title)
    return (
        f"<html><head><title>{title}</title>"
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        f"</head><body><nav>Home | World | Politics</nav><article><h1>{title}</h1>"
        f"{paragraphs}</article><footer>communique test site</footer></body></html>"
    )


@dataclass
class Traffic:
    """What the site answered: requests per path, and the most in flight at once."""

    hits: Counter[str] = field(default_factory=Counter)
    inflight: Counter[str] = field(default_factory=Counter)
    max_inflight: Counter[str] = field(default_factory=Counter)
    poll_times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self, host: str, path: str) -> None:
        with self.lock:
            self.hits[path] += 1
            for key in (host, path):
                self.inflight[key] += 1
                self.max_inflight[key] = max(self.max_inflight[key], self.inflight[key])
            if path.startswith("/feeds/"):
                self.poll_times[path].append(time.time())

    def leave(self, host: str, path: str) -> None:
        with self.lock:
            for key in (host, path):
                self.inflight[key] -= 1


class NewsSite:
    """Serve ``stories`` in ``feeds`` RSS feeds, publishing ``rate`` stories/s (None: all now).

    Story ``i`` goes to feed ``i % feeds`` and lives on host ``hosts[i % len(hosts)]``; feed ``n``
    is served by host ``hosts[n % len(hosts)]`` (feeds of one host share its politeness
    budget). ``appeared_at[story.id]`` is the wall time it entered its feed,
    ``listed_at[story.id]`` when a poll first saw it there.
    A ``paused`` site publishes nothing until ``begin()``.
    """

    def __init__(
        self,
        stories: list[Story],
        *,
        feeds: int = 2,
        hosts: tuple[str, ...] = ("127.0.0.1",),
        rate: float | None = None,
        paused: bool = False,
    ) -> None:
        self.stories = stories
        self.feeds = feeds
        self.rate = rate
        self.traffic = Traffic()
        self.hang_s: dict[str, float] = {}
        self.appeared_at: dict[str, float] = {}
        #: wall time a feed response first listed each story (what a poll discovered)
        self.listed_at: dict[str, float] = {}
        self._released = threading.Event()
        self._servers = [self._serve(host) for host in hosts]
        self.bases = [
            f"http://{h}:{s.server_address[1]}" for h, s in zip(hosts, self._servers, strict=True)
        ]
        self._lock = threading.Lock()
        self._published = 0
        self._t0 = float("inf")
        if not paused:
            self.begin()

    def begin(self) -> None:
        """Start publishing (a paused site lists nothing until then)."""
        with self._lock:
            self._t0 = time.time()
            if self.rate is None:
                self._published = len(self.stories)
                for story in self.stories:
                    self.appeared_at[story.id] = self._t0

    # --- what was published ------------------------------------------------------------
    def feed_urls(self) -> list[str]:
        """The URL of every feed."""
        return [f"{self.bases[n % len(self.bases)]}/feeds/f{n}.xml" for n in range(self.feeds)]

    def story_url(self, index: int) -> str:
        """Where story ``index`` is served."""
        return f"{self.bases[index % len(self.bases)]}/a/{self.stories[index].id}.html"

    def published(self) -> list[tuple[Story, str]]:
        """Every story that has appeared so far, with its URL."""
        self._advance()
        return [(self.stories[i], self.story_url(i)) for i in range(self._published)]

    def hang(self, index: int, seconds: float) -> str:
        """Make story ``index``'s page stall ``seconds`` before answering; its URL."""
        self.hang_s[f"/a/{self.stories[index].id}.html"] = seconds
        return self.story_url(index)

    def close(self) -> None:
        """Stop serving (releases hanging requests)."""
        self._released.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()

    # --- serving ------------------------------------------------------------------------
    def _advance(self) -> None:
        if self.rate is None:
            return
        with self._lock:
            now = time.time()
            if now < self._t0:
                return
            due = min(len(self.stories), int((now - self._t0) * self.rate) + 1)
            for story in self.stories[self._published : due]:
                self.appeared_at[story.id] = now
            self._published = max(self._published, due)

    def _published_at(self, index: int) -> datetime:
        return datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=index)

    def _feed_body(self, feed: int) -> bytes:
        self._advance()
        indices = [i for i in range(self._published) if i % self.feeds == feed][-FEED_WINDOW:]
        now = time.time()
        for i in indices:
            self.listed_at.setdefault(self.stories[i].id, now)
        items = [
            rss_item(
                self.stories[i].title, self.story_url(i), self.stories[i].id, self._published_at(i)
            )
            for i in reversed(indices)
        ]
        # rss_item prefixes links with {base}: the story URL is absolute already
        return rss_feed(items, title=f"feed {feed}").replace("{base}", "").encode()

    def _page_body(self, path: str) -> bytes | None:
        match = re.fullmatch(r"/a/(\w+)\.html", path)
        if not match:
            return None
        self._advance()
        for i in range(self._published):
            if self.stories[i].id == match.group(1):
                return render_page(self.stories[i], self._published_at(i)).encode()
        return None

    def _serve(self, host: str) -> ThreadingHTTPServer:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.traffic.enter(host, self.path)
                try:
                    self._answer()
                except OSError:
                    pass  # the client (a killed worker) went away
                finally:
                    site.traffic.leave(host, self.path)

            def _answer(self) -> None:
                if self.path in site.hang_s:
                    site._released.wait(site.hang_s[self.path])
                if self.path.startswith("/feeds/f"):
                    body: bytes | None = site._feed_body(int(self.path[8:].split(".")[0]))
                    ctype = "application/rss+xml; charset=utf-8"
                else:
                    body, ctype = site._page_body(self.path), "text/html; charset=utf-8"
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer((host, 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
