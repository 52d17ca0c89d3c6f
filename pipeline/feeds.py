"""Feed bytes -> entries with identities.  Pure: no network, no files, no clock unless given.

feedparser does the XML work (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, RDF, CDF); JSON Feed 1.0/1.1 is
parsed here because feedparser 6.0 has no JSON support.

Hostile-input notes (docs/reliability.md items 22, 23, 28-30, 32, 33):

* feedparser receives a file-like object, never ``bytes`` or ``str``:
  ``feedparser.parse(b"/etc/x")`` OPENS THE LOCAL FILE of that name (feedparser 6.0.14
  ``_open_resource`` tries ``open()`` on bytes too), and a ``str`` may be fetched as a URL.
* feedparser drops nested entity declarations, but only when each ``<!ENTITY`` starts a line; a
  one-line billion-laughs DOCTYPE slips past it and expat then expands ~10^6 nodes before its
  amplification limit trips (~1 s).  :func:`defuse_doctype` puts every declaration on its own
  line first.  External entities are never resolved by feedparser.
* A feed with more entries than ``max_entries`` is cut BEFORE parsing (feedparser takes ~12 s
  and 170 MB for 100k items), keeping the document well-formed.
* Dates are aware UTC datetimes or None; impossible or far-future dates become None + a Note.
* Titles and summaries are plain text: markup is removed from HTML-typed fields, and text that
  merely looks like markup (``&lt;script&gt;`` in a text field) stays as literal text -- it is
  escaped when rendered, never interpreted.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any

import feedparser

from pipeline.feed_dates import normalize_date
from pipeline.feed_guard import cap_entries, defuse_doctype
from pipeline.models import FeedEntry, Note
from pipeline.urls import absolute_url, entry_identity

MAX_TITLE_CHARS = 1000
MAX_SUMMARY_CHARS = 5000
MAX_GUID_CHARS = 2048


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """Result of :func:`parse_feed`.

    ``bozo`` is feedparser's "not well-formed" flag (entries are still extracted when possible);
    ``dropped_by_cap`` counts entries beyond ``max_entries``; ``duplicates`` counts entries whose
    identity repeated an earlier one in the same document; ``skipped`` counts entries with no
    usable identity at all.  ``notes`` records per-entry problems (bad dates...).
    """

    feed_id: str
    title: str | None
    entries: tuple[FeedEntry, ...]
    bozo: bool = False
    bozo_reason: str | None = None
    dropped_by_cap: int = 0
    duplicates: int = 0
    skipped: int = 0
    format: str = ""
    notes: tuple[Note, ...] = ()


# -- helpers -----------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in ("br", "p", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


_SPACES = re.compile(r"\s+")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def html_to_text(value: str) -> str:
    """Visible text of an HTML fragment (script/style dropped), whitespace collapsed."""
    if "<" not in value and "&" not in value:
        return _SPACES.sub(" ", value).strip()
    extractor = _TextExtractor()
    try:
        extractor.feed(value)
        extractor.close()
        text = "".join(extractor.parts)
    except Exception:  # HTMLParser is lenient; this is a last resort, not a code path we expect
        text = unescape(re.sub(r"<[^>]*>", " ", value))
    return _SPACES.sub(" ", text).strip()


def _plain(value: Any, content_type: str | None, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    if content_type and ("html" in content_type or "xml" in content_type):
        value = html_to_text(value)
    else:
        value = _SPACES.sub(" ", value).strip()
    value = _CONTROL_CHARS.sub("", value)
    return value[:limit] or None


# -- entry assembly ----------------------------------------------------------------------------


class _Builder:
    def __init__(self, feed_id: str, base_url: str, now: datetime):
        self.feed_id = feed_id
        self.base_url = base_url
        self.now = now
        self.entries: list[FeedEntry] = []
        self.seen: set[str] = set()
        self.duplicates = 0
        self.skipped = 0
        self.notes: list[Note] = []

    def add(
        self,
        *,
        link: str | None,
        guid: str | None,
        title: str | None,
        summary: str | None,
        dates: list[tuple[Any, str | None]],
    ) -> None:
        url = absolute_url(link, self.base_url) if link else None
        if url is None and guid:
            url = absolute_url(guid)  # permalink GUID (never resolved against the base)
        guid = (guid.strip()[:MAX_GUID_CHARS] or None) if guid else None
        published, problem, judged = None, None, None
        for parsed, raw in dates:
            if parsed is None and not raw:
                continue
            published, problem = normalize_date(parsed, raw, now=self.now)
            judged = raw
            break  # the first date the entry states is the one we judge
        identity = entry_identity(
            url,
            guid,
            fallback=(title or "", summary or "", published.isoformat() if published else ""),
        )
        if identity is None:
            self.skipped += 1
            self.notes.append(
                Note(
                    "no_identity",
                    f"entry without link, guid or text in {self.feed_id}",
                    stage="feeds",
                )
            )
            return
        if identity in self.seen:
            self.duplicates += 1
            return
        self.seen.add(identity)
        if problem:
            self.notes.append(Note(problem, f"{identity}: {judged!r}"[:300], stage="feeds"))
        self.entries.append(
            FeedEntry(
                feed_id=self.feed_id,
                identity=identity,
                url=url or "",
                guid=guid,
                title=title,
                summary=summary,
                published=published,
            )
        )


def _entry_link(e: Any) -> str | None:
    """The entry's article link: rel=alternate (HTML first), else feedparser's ``link``.

    feedparser 6.0 takes the first ``<link>`` even when it is an enclosure, and copies an
    opaque id into ``link`` (``guidislink``); neither is the article URL.
    """
    alternates = [
        c
        for c in (e.get("links") or ())
        if c.get("href") and c.get("rel", "alternate") == "alternate"
    ]
    alternates.sort(key=lambda c: "html" not in str(c.get("type", "text/html")))
    if alternates:
        return str(alternates[0]["href"])
    link = e.get("link")
    if not isinstance(link, str) or not link.strip():
        return None
    if e.get("guidislink") and link == e.get("id") and absolute_url(link) is None:
        return None  # an id that is not a URL was copied into link
    return link


def _parse_xml(
    content: bytes, builder: _Builder, content_type: str | None, max_entries: int
) -> tuple[str | None, bool, str | None, int, str]:
    data = defuse_doctype(content)
    data, dropped = cap_entries(data, max_entries)
    # Without a header feedparser flags every feed bozo; application/xml defers the charset to
    # the document's own declaration, which is what a missing header means.  No
    # content-location on purpose: feedparser would also "resolve" opaque ids against it
    # ("12345" -> "https://site/12345"); links are resolved against base_url by us instead
    # (xml:base is still honoured by feedparser).
    headers = {"content-type": content_type or "application/xml"}
    # A file-like object: feedparser would open() a bytes/str that names a local file.
    result = feedparser.parse(io.BytesIO(data), response_headers=headers)
    entries = result.get("entries") or []
    if len(entries) > max_entries:  # the byte-level cut missed (odd markup, UTF-16...)
        dropped += len(entries) - max_entries
        entries = entries[:max_entries]
    for e in entries:
        title_detail = e.get("title_detail") or {}
        summary_detail = e.get("summary_detail") or {}
        builder.add(
            link=_entry_link(e),
            guid=e.get("id") if isinstance(e.get("id"), str) else None,
            title=_plain(e.get("title"), title_detail.get("type"), MAX_TITLE_CHARS),
            summary=_plain(
                e.get("summary"), summary_detail.get("type", "text/html"), MAX_SUMMARY_CHARS
            ),
            # dict.get: FeedParserDict.get("published") silently falls back to "updated"
            dates=[
                (dict.get(e, "published_parsed"), dict.get(e, "published")),
                (dict.get(e, "updated_parsed"), dict.get(e, "updated")),
                (dict.get(e, "created_parsed"), dict.get(e, "created")),
            ],
        )
    feed = result.get("feed") or {}
    title = _plain(feed.get("title"), (feed.get("title_detail") or {}).get("type"), MAX_TITLE_CHARS)
    bozo = bool(result.get("bozo"))
    exc = result.get("bozo_exception")
    reason = f"{type(exc).__name__}: {exc}"[:500] if bozo and exc is not None else None
    return title, bozo, reason, dropped, str(result.get("version") or "")


def _looks_like_json(content: bytes) -> bool:
    head = content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def _parse_json_feed(
    content: bytes, builder: _Builder, max_entries: int
) -> tuple[str | None, bool, str | None, int, str]:
    try:
        doc = json.loads(content.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        return None, True, f"JSONDecodeError: {exc}"[:500], 0, "json"
    if not isinstance(doc, dict):
        return None, True, "JSON feed is not an object", 0, "json"
    version = doc.get("version")
    bozo, reason = False, None
    fmt = "json"
    if isinstance(version, str) and version.startswith("https://jsonfeed.org/version/"):
        fmt = "json" + version.rsplit("/", 1)[-1].replace(".", "")
    else:
        bozo, reason = True, "missing or unknown JSON Feed version"
    base = doc.get("feed_url") or doc.get("home_page_url")
    if isinstance(base, str) and absolute_url(base, builder.base_url):
        builder.base_url = absolute_url(base, builder.base_url) or builder.base_url
    items = doc.get("items")
    if not isinstance(items, list):
        items = []
        bozo, reason = True, reason or "JSON feed without an items list"
    dropped = max(0, len(items) - max_entries)
    for item in items[:max_entries]:
        if not isinstance(item, dict):
            builder.skipped += 1
            continue
        raw_id = item.get("id")
        guid = (
            str(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else None
        )
        link = item.get("url") if isinstance(item.get("url"), str) else None
        if link is None and isinstance(item.get("external_url"), str):
            link = item["external_url"]
        summary_src = item.get("summary") or item.get("content_text")
        summary = (
            _plain(summary_src, "text/plain", MAX_SUMMARY_CHARS)
            if isinstance(summary_src, str)
            else _plain(item.get("content_html"), "text/html", MAX_SUMMARY_CHARS)
        )
        builder.add(
            link=link,
            guid=guid,
            title=_plain(item.get("title"), "text/plain", MAX_TITLE_CHARS),
            summary=summary,
            dates=[
                (None, _str_or_none(item.get("date_published"))),
                (None, _str_or_none(item.get("date_modified"))),
            ],
        )
    return _plain(doc.get("title"), "text/plain", MAX_TITLE_CHARS), bozo, reason, dropped, fmt


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def parse_feed(
    content: bytes,
    *,
    feed_id: str,
    base_url: str,
    max_entries: int = 1000,
    content_type: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse feed bytes into entries with identities; never raises on bad input.

    ``base_url`` is the URL the bytes came from (after redirects): relative links resolve
    against it (and against ``xml:base``).  ``content_type`` is the HTTP header value, used for
    its charset.  ``now`` bounds "future" dates (default: the current time).  Entries keep
    document order; only the first ``max_entries`` are kept.
    """
    if not isinstance(content, bytes | bytearray | memoryview):
        # a str could be a URL or a path to feedparser: refuse rather than guess
        raise TypeError(f"parse_feed takes bytes, not {type(content).__name__}")
    content = bytes(content)
    builder = _Builder(feed_id, base_url, now or datetime.now(UTC))
    if _looks_like_json(content):
        title, bozo, reason, dropped, fmt = _parse_json_feed(content, builder, max_entries)
    else:
        title, bozo, reason, dropped, fmt = _parse_xml(content, builder, content_type, max_entries)
    return ParsedFeed(
        feed_id=feed_id,
        title=title,
        entries=tuple(builder.entries),
        bozo=bozo,
        bozo_reason=reason,
        dropped_by_cap=dropped,
        duplicates=builder.duplicates,
        skipped=builder.skipped,
        format=fmt,
        notes=tuple(builder.notes),
    )


__all__ = ["ParsedFeed", "html_to_text", "parse_feed"]
