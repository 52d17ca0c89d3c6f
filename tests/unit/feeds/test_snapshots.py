"""Real news feeds (../shared/corpus/news-feed-snapshots) parse into the expected entries.

The expectation is built independently of feedparser: ``index.json`` gives the item count and
the standard-library XML parser reads each item's link, title and date from the same bytes.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from pipeline.feeds import parse_feed
from pipeline.urls import canonical_url
from tests.support import SHARED, require_shared

SNAPSHOTS = ("corpus", "news-feed-snapshots")
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


def _index() -> list[dict]:
    path = SHARED.joinpath(*SNAPSHOTS, "index.json")
    return json.loads(path.read_text()) if path.exists() else []


INDEX = _index()


def _expected_items(data: bytes) -> list[dict]:
    root = ET.fromstring(data)  # the snapshots are well-formed XML with no DTD
    items = []
    for item in root.iter("item"):
        items.append(
            {
                "link": (item.findtext("link") or "").strip(),
                "title": " ".join((item.findtext("title") or "").split()),
                "date": (item.findtext("pubDate") or "").strip(),
            }
        )
    for entry in root.iter(f"{ATOM}entry"):
        link = next(
            (
                lk.get("href")
                for lk in entry.iter(f"{ATOM}link")
                if lk.get("rel", "alternate") == "alternate"
            ),
            "",
        )
        items.append(
            {
                "link": (link or "").strip(),
                "title": " ".join((entry.findtext(f"{ATOM}title") or "").split()),
                "date": "",
            }
        )
    return items


@pytest.mark.corpus
def test_snapshots_index_lists_seven_feeds_with_227_items() -> None:
    require_shared(*SNAPSHOTS)
    assert len(INDEX) == 7
    assert sum(x["items"] for x in INDEX) == 227


@pytest.mark.corpus
@pytest.mark.parametrize("meta", INDEX or [None], ids=[x["file"] for x in INDEX] or ["absent"])
def test_parse_feed_snapshot_yields_expected_entries(meta: dict | None) -> None:
    root = require_shared(*SNAPSHOTS)
    assert meta is not None
    data = (root / meta["file"]).read_bytes()
    expected = _expected_items(data)
    assert len(expected) == meta["items"]

    parsed = parse_feed(
        data, feed_id=meta["file"], base_url="https://feeds.example.org/rss", now=NOW
    )

    assert parsed.dropped_by_cap == 0
    assert parsed.skipped == 0
    # every item is accounted for: kept, or collapsed into an earlier one with the same URL
    assert len(parsed.entries) + parsed.duplicates == meta["items"]
    assert [e.identity for e in parsed.entries] == list(
        dict.fromkeys(canonical_url(x["link"]) for x in expected)
    )
    by_identity = {e.identity: e for e in parsed.entries}
    for item in expected:
        entry = by_identity[canonical_url(item["link"])]
        assert entry.url.startswith(("http://", "https://"))
        if entry.url == item["link"]:  # first occurrence of a repeated link carries its title
            assert entry.title
        if item["date"] and entry.url == item["link"]:
            want = parsedate_to_datetime(item["date"]).astimezone(UTC)
            assert entry.published == want
    titles = {e.title for e in parsed.entries}
    assert titles <= {x["title"] for x in expected}
    assert parsed.title


@pytest.mark.corpus
def test_parse_feed_snapshots_total_227_items() -> None:
    root = require_shared(*SNAPSHOTS)
    total = kept = 0
    for meta in INDEX:
        parsed = parse_feed(
            (root / meta["file"]).read_bytes(),
            feed_id=meta["file"],
            base_url="https://feeds.example.org/rss",
            now=NOW,
        )
        total += len(parsed.entries) + parsed.duplicates
        kept += len(parsed.entries)
    assert total == 227
    assert kept == 223  # BBC front page repeats 4 article links (same URL twice)
