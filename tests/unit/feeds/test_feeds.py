"""parse_feed on hand-made documents: formats, identities, dates, caps."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipeline.feed_dates import normalize_date
from pipeline.feeds import parse_feed

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BASE = "https://www.mfa.example.org/feeds/news.xml"


def test_parse_feed_json_feed_1_1() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "MFA press releases",
        "home_page_url": "https://mfa.example.org/",
        "items": [
            {
                "id": "pr-1",
                "url": "/press/1?utm_source=json",
                "title": "Statement",
                "content_html": "<p>Hello</p><script>alert(1)</script>",
                "date_published": "2024-02-05T10:00:00+01:00",
            },
            {
                "id": 2,
                "external_url": "https://other.example/x",
                "title": "Ext",
                "date_modified": "2024-02-06T00:00:00Z",
            },
            {"id": "pr-3", "content_text": "no url at all"},
            "not an object",
        ],
    }
    parsed = parse_feed(json.dumps(doc).encode(), feed_id="mfa", base_url=BASE, now=NOW)
    assert parsed.format == "json11"
    assert not parsed.bozo
    assert parsed.title == "MFA press releases"
    first, second, third = parsed.entries
    assert first.url == "https://mfa.example.org/press/1?utm_source=json"
    assert first.identity == "https://mfa.example.org/press/1"
    assert first.summary == "Hello"
    assert first.published == datetime(2024, 2, 5, 9, 0, tzinfo=UTC)
    assert second.guid == "2" and second.url == "https://other.example/x"
    assert third.identity == "guid:pr-3" and third.url == ""
    assert parsed.skipped == 1


def test_parse_feed_broken_json_is_bozo_not_an_exception() -> None:
    parsed = parse_feed(
        b'{"version": "https://jsonfeed.org/version/1", "items": [', feed_id="j", base_url=BASE
    )
    assert parsed.bozo and parsed.entries == ()


def test_parse_feed_atom_xml_base_and_alternate_link() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.org/world/">
  <title type="html">World &lt;b&gt;news&lt;/b&gt;</title>
  <entry>
    <id>tag:news.example.org,2024:1</id>
    <title type="html">Envoy &amp;amp; minister &lt;i&gt;meet&lt;/i&gt;</title>
    <link rel="enclosure" href="/media/1.mp3"/>
    <link rel="alternate" type="text/html" href="story-1.html"/>
    <updated>2024-03-01T12:00:00Z</updated>
  </entry>
</feed>"""
    parsed = parse_feed(atom, feed_id="a", base_url=BASE, now=NOW)
    assert parsed.format == "atom10"
    assert parsed.title == "World news"
    (entry,) = parsed.entries
    assert entry.url == "https://news.example.org/world/story-1.html"
    assert entry.guid == "tag:news.example.org,2024:1"
    assert entry.title == "Envoy & minister meet"
    assert entry.published == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_parse_feed_rdf_rss_1_0() -> None:
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
 <channel rdf:about="https://e.example/"><title>RDF feed</title></channel>
 <item rdf:about="https://e.example/1"><title>One</title><link>https://e.example/1</link>
 <dc:date>2024-01-02T03:04:05+00:00</dc:date></item>
</rdf:RDF>"""
    parsed = parse_feed(rdf, feed_id="r", base_url=BASE, now=NOW)
    assert parsed.format == "rss10"
    assert [(e.url, e.published) for e in parsed.entries] == [
        ("https://e.example/1", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    ]


def test_parse_feed_cap_counts_dropped_entries() -> None:
    items = "".join(f"<item><link>https://e.example/{i}</link></item>" for i in range(30))
    doc = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    parsed = parse_feed(doc, feed_id="c", base_url=BASE, max_entries=10)
    assert len(parsed.entries) == 10 and parsed.dropped_by_cap == 20
    assert not parsed.bozo  # the cut keeps the document well-formed


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("Mon, 05 Feb 2024 10:00:00 GMT", True),
        ("2024-02-30T00:00:00Z", False),
        ("30 Feb 2024 10:00:00 GMT", False),
        ("2024-13-01", False),
        ("0000-01-01T00:00:00Z", False),
        ("9999-12-31T23:59:59Z", False),
        ("1970-01-01T00:00:00Z", False),
        ("2024-05-01 10:00", True),
        ("garbage", False),
    ],
)
def test_normalize_date_accepts_only_real_recent_dates(raw: str, ok: bool) -> None:
    dt, problem = normalize_date(None, raw, now=NOW)
    assert (dt is not None) is ok
    assert (problem is None) is ok
    if dt is not None:
        assert dt.tzinfo is not None and dt.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_parse_feed_refuses_str_input() -> None:
    with pytest.raises(TypeError):
        parse_feed("<rss/>", feed_id="s", base_url=BASE)  # type: ignore[arg-type]
