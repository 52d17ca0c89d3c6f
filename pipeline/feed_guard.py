"""Feed bytes made safe for feedparser before it parses them (see ``pipeline.feeds``).

Byte-level, before any XML parser runs: one-line entity declarations split onto their own lines
(feedparser's guard only sees those), and documents with too many entries cut while staying
well-formed.
"""

from __future__ import annotations

import re

_ENTITY_DECL = re.compile(rb"[ \t]*<!ENTITY", re.I)
_DOCTYPE_DECL = re.compile(rb"(?<=.)<!DOCTYPE", re.I | re.S)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_ENTRY_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


def _ascii_compatible(data: bytes) -> bool:
    # UTF-16/32 documents have NULs among the first bytes; byte regexes cannot read them.
    return b"\x00" not in data[:64]


def defuse_doctype(data: bytes) -> bytes:
    """Put each ENTITY/DOCTYPE declaration on its own line so feedparser's guard sees it."""
    if not _ascii_compatible(data):
        return data
    first = _FIRST_ELEMENT.search(data, 0, 1 << 20)
    end = first.start() if first else min(len(data), 1 << 20)
    head = data[:end]
    if b"<!" not in head:
        return data
    head = _ENTITY_DECL.sub(b"\n<!ENTITY", head)
    head = _DOCTYPE_DECL.sub(b"\n<!DOCTYPE", head)
    return head + data[end:]


def cap_entries(data: bytes, max_entries: int) -> tuple[bytes, int]:
    """Cut the document after ``max_entries`` items/entries, keeping what follows the last one.

    Returns the (possibly shorter) document and how many entries were cut.  Keeping the tail
    (``</channel></rss>``) keeps the document well-formed, so the strict parser still runs.
    """
    if not _ascii_compatible(data):
        return data, 0
    closes = [m.end() for m in _ENTRY_CLOSE.finditer(data)]
    if len(closes) <= max_entries:
        return data, 0
    cut_at = closes[max_entries - 1] if max_entries > 0 else _first_entry_start(data)
    return data[:cut_at] + data[closes[-1] :], len(closes) - max_entries


def _first_entry_start(data: bytes) -> int:
    m = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>]", data)
    return m.start() if m else 0
