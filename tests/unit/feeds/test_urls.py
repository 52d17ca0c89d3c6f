"""canonical_url / entry_identity: one story, one identity."""

from __future__ import annotations

import pytest

from pipeline.urls import absolute_url, canonical_url, entry_identity


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://WWW.Example.COM/a/b", "https://example.com/a/b"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=x&gclid=y&b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://m.example.com/world/story-1", "https://example.com/world/story-1"),
        ("https://mobile.example.com/world/story-1", "https://example.com/world/story-1"),
        ("https://amp.example.com/world/story-1", "https://example.com/world/story-1"),
        ("https://example.com/amp/world/story-1", "https://example.com/world/story-1"),
        ("https://example.com/world/story-1/amp", "https://example.com/world/story-1"),
        ("https://example.com/world/story-1.amp", "https://example.com/world/story-1"),
        ("https://example.com/world/story-1?outputType=amp", "https://example.com/world/story-1"),
        ("https://example.com//a/./b/../c", "https://example.com/a/c"),
        ("https://example.com", "https://example.com/"),
        ("  https://example.com/a b\n", "https://example.com/a%20b"),
        ("https://example.com/%7Euser", "https://example.com/~user"),
        ("https://m.co/x", "https://m.co/x"),  # a two-label domain keeps its name
        ("mailto:press@example.com", "mailto:press@example.com"),
    ],
)
def test_canonical_url_normalizes_variants(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_canonical_url_resolves_relative_links_against_base() -> None:
    base = "https://www.example.org/news/feed.xml"
    assert canonical_url("story/1?utm_campaign=x", base) == "https://example.org/news/story/1"
    assert canonical_url("/world/2", base) == "https://example.org/world/2"
    assert canonical_url("//cdn.example.net/a", base) == "https://cdn.example.net/a"


def test_canonical_url_amp_and_canonical_forms_collide() -> None:
    forms = [
        "https://www.example.com/2024/05/01/talks.html",
        "https://amp.example.com/2024/05/01/talks.html",
        "https://m.example.com/2024/05/01/talks.html?utm_source=twitter#top",
        "https://www.example.com/amp/2024/05/01/talks.html",
        "https://example.com:443/2024/05/01/talks.html?outputType=amp",
    ]
    assert len({canonical_url(f) for f in forms}) == 1


def test_absolute_url_refuses_non_http_links() -> None:
    assert absolute_url("javascript:alert(1)", "https://e.example/") is None
    assert absolute_url("file:///etc/passwd") is None
    assert absolute_url("/a", None) is None
    assert absolute_url("/a", "https://e.example/x/") == "https://e.example/a"


def test_entry_identity_prefers_link_then_guid_then_hash() -> None:
    base = "https://e.example/feed"
    assert entry_identity("/a?utm_source=x", "g-1", base=base) == "https://e.example/a"
    assert entry_identity(None, "https://www.e.example/b", base=base) == "https://e.example/b"
    assert entry_identity(None, "12345", base=base) == "guid:12345"  # never resolved as a path
    hashed = entry_identity(None, None, fallback=("title", "summary"))
    assert hashed is not None and hashed.startswith("hash:")
    assert hashed == entry_identity(None, "  ", fallback=("title", "summary"))
    assert entry_identity(None, None) is None
