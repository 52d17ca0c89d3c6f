"""Serve the seed articles (../shared/seeds) as an RSS feed plus article pages on 127.0.0.1.

A demo and test fixture: `python scripts/serve_seeds.py --port 8765`, then run communique with
`COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8 communique run --feeds config/feeds.seeds.yaml`.
"""

from __future__ import annotations

import argparse
import html
import json
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds" / "seeds.jsonl"


def rss_item(title: str, path: str, guid: str, published: datetime) -> str:
    """One RSS 2.0 item linking to ``{base}{path}``."""
    return (
        f"<item><title>{html.escape(title)}</title><link>{{base}}{path}</link>"
        f"<guid>{html.escape(guid)}</guid><pubDate>{format_datetime(published)}</pubDate></item>"
    )


def rss_feed(items: list[str], title: str = "Seed diplomacy") -> str:
    """An RSS 2.0 document around ``items``."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>{{base}}/</link>"
        + "".join(items)
        + "</channel></rss>"
    )


def build_site(seeds: list[dict[str, str]]) -> dict[str, tuple[str, str]]:
    """Path → (content type, body with a ``{base}`` placeholder) for the feed and the pages."""
    site: dict[str, tuple[str, str]] = {}
    items = []
    for seed in seeds:
        lines = [p for p in seed["text"].split("\n") if p.strip()]
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in lines)
        title = seed.get("title") or seed["text"].split(". ")[0][:120]
        published = datetime.fromisoformat(seed["published"]).replace(tzinfo=UTC)
        page = (
            f"<html><head><title>{html.escape(title)}</title>"
            f'<meta property="article:published_time" content="{published.isoformat()}">'
            f"</head><body><nav>Home | World</nav><article><h1>{html.escape(title)}</h1>"
            f"{paragraphs}</article><footer>seed demo</footer></body></html>"
        )
        path = f"/news/{seed['id']}.html"
        site[path] = ("text/html; charset=utf-8", page)
        items.append(rss_item(title, path, seed["id"], published))
    site["/feed.xml"] = ("application/rss+xml", rss_feed(items))
    return site


def make_site_server(
    site: dict[str, tuple[str, str]],
    port: int = 0,
    *,
    missing_status: int = 404,
    host: str = "127.0.0.1",
    page_delay_s: float = 0.0,
) -> tuple[ThreadingHTTPServer, str]:
    """An HTTP server (not yet serving) for ``site`` (path → (content type, body)), and its
    base URL; ``{base}`` in bodies becomes that URL. Unknown paths answer ``missing_status``;
    pages other than the feed answer after ``page_delay_s`` (a slow publisher)."""
    base_holder: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            entry = site.get(self.path)
            if entry is None:
                self.send_error(missing_status)
                return
            if page_delay_s and self.path != "/feed.xml":
                time.sleep(page_delay_s)
            content_type, body = entry
            data = body.replace("{base}", base_holder["base"]).encode()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    base_holder["base"] = f"http://{host}:{server.server_address[1]}"
    return server, base_holder["base"]


def load_seeds(seeds_file: Path) -> list[dict[str, str]]:
    """The seed articles of a seeds.jsonl file."""
    return [json.loads(line) for line in seeds_file.read_text().splitlines() if line.strip()]


def make_server(
    seeds_file: Path, port: int = 0, *, host: str = "127.0.0.1", page_delay_s: float = 0.0
) -> tuple[ThreadingHTTPServer, str]:
    """An HTTP server (not yet serving) for the seeds, and its base URL."""
    site = build_site(load_seeds(seeds_file))
    return make_site_server(site, port, host=host, page_delay_s=page_delay_s)


def serve_in_thread(
    site: dict[str, tuple[str, str]], port: int = 0
) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``site`` from a daemon thread; call ``server.shutdown()`` to stop."""
    server, base = make_site_server(site, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on")
    parser.add_argument("--page-delay", type=float, default=0.0, help="Seconds before a page")
    args = parser.parse_args()
    server, base = make_server(args.seeds, args.port, host=args.host, page_delay_s=args.page_delay)
    print(f"serving {args.seeds} as {base}/feed.xml (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
