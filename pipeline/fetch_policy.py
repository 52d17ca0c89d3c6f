"""The limits every fetch runs under: deadlines, byte caps, redirects, schemes, content types.

One frozen :class:`FetchPolicy` is shared by the fetcher's stages (the URL checks, the guarded
transport, the response reader), so each reads its limits from the same place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["feed", "page"]

FEED_CONTENT_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "application/json",
        # Misconfigured servers serve real feeds as these; feedparser copes, so accept them.
        "text/html",
        "text/plain",
        "application/x-rss+xml",
    }
)
PAGE_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits applied to every fetch.  Defaults are for the public internet.

    ``allowed_private_networks`` is the ONLY way to reach non-public addresses (CIDR strings,
    e.g. ``frozenset({"127.0.0.0/8"})`` for tests and local demos); it is empty by default.
    Cloud metadata addresses stay blocked even when allow-listed.
    """

    total_deadline_s: float = 30.0  # whole fetch, redirects included
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 15.0  # per socket read; the total deadline still applies
    max_body_bytes: int = 10 * 1024 * 1024  # bytes on the wire (after chunked, before gzip)
    max_decompressed_bytes: int = 25 * 1024 * 1024
    max_redirects: int = 5
    allowed_schemes: frozenset[str] = frozenset({"http", "https"})
    feed_content_types: frozenset[str] = FEED_CONTENT_TYPES
    page_content_types: frozenset[str] = PAGE_CONTENT_TYPES
    allow_missing_content_type: bool = True  # callers sniff the bytes (feedparser does)
    user_agent: str = "communique/0.1 (news feed ingester)"
    allowed_private_networks: frozenset[str] = frozenset()
    max_connections: int = 20

    def content_types(self, kind: Kind) -> frozenset[str]:
        """The content types accepted for ``kind``."""
        return self.feed_content_types if kind == "feed" else self.page_content_types
