"""OPML import and export of the feed registry (the format every feed reader speaks)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from urllib.parse import urlparse

from pipeline.errors import ConfigError
from pipeline.models import FeedSpec

_ID_UNSAFE = re.compile(r"[^a-z0-9_.-]+")
MAX_OPML_BYTES = 5_000_000


def feed_id_for(title: str, url: str, taken: set[str]) -> str:
    """A registry id from an outline's title (or the feed's host), unique within ``taken``."""
    stem = _ID_UNSAFE.sub("-", (title or urlparse(url).netloc or "feed").lower()).strip("-._")
    stem = (stem or "feed")[:56]
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
    taken.add(candidate)
    return candidate


def parse_opml(content: bytes, *, existing_ids: Iterable[str] = ()) -> list[FeedSpec]:
    """Every ``<outline xmlUrl=…>`` of an OPML document, nested folders included.

    DOCTYPEs are refused outright: OPML never needs one, and refusing it closes the door on
    entity expansion and external entities whatever the XML parser's defaults.
    """
    if len(content) > MAX_OPML_BYTES:
        raise ConfigError(f"OPML larger than {MAX_OPML_BYTES} bytes")
    if b"<!DOCTYPE" in content[:4096].upper() or b"<!ENTITY" in content.upper():
        raise ConfigError("OPML with a DOCTYPE or ENTITY declaration is refused")
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise ConfigError(f"not valid OPML: {exc}") from exc
    taken = set(existing_ids)
    feeds: list[FeedSpec] = []
    seen_urls: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if not url or urlparse(url).scheme not in ("http", "https") or url in seen_urls:
            continue
        seen_urls.add(url)
        title = outline.get("title") or outline.get("text") or ""
        feeds.append(
            FeedSpec(
                id=feed_id_for(title, url, taken),
                url=url,
                publisher=title,
                language=(outline.get("language") or "en")[:8],
            )
        )
    return feeds


def to_opml(feeds: Iterable[FeedSpec], *, title: str = "communique feeds") -> bytes:
    """An OPML 2.0 document listing ``feeds``."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        ET.SubElement(
            body,
            "outline",
            type="rss",
            text=feed.publisher or feed.id,
            title=feed.publisher or feed.id,
            xmlUrl=feed.url,
            language=feed.language,
        )
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + document
