"""Main text and metadata of an article page (trafilatura), as a pure function over bytes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import trafilatura

from pipeline.charset import decode_text
from pipeline.errors import SkipArticle
from pipeline.ids import article_id
from pipeline.models import Article, FetchedPage, Note
from pipeline.timeutil import parse_datetime

#: pages shorter than this (characters of main text) carry no article worth processing
MIN_TEXT_CHARS = 80


def extract_article(
    page: FetchedPage,
    *,
    canonical_url: str,
    feed_id: str | None = None,
    fallback_title: str | None = None,
    fallback_published: datetime | None = None,
    fetched_at: datetime | None = None,
) -> Article:
    """Build the ``Article`` stored in the articles index from a fetched page.

    Raises ``SkipArticle(reason="no_text")`` when the page yields no main text: recorded as a
    dead letter by the caller, never retried forever.
    """
    html = decode_text(page)
    notes: list[Note] = []
    result = trafilatura.bare_extraction(
        html,
        url=page.url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    data = result.as_dict() if result is not None and hasattr(result, "as_dict") else (result or {})
    text = (data.get("text") or "").strip()
    if len(text) < MIN_TEXT_CHARS:
        raise SkipArticle(
            f"page yielded {len(text)} characters of text", subject=page.url, reason="no_text"
        )
    published = parse_datetime(data.get("date"))
    if published is None and data.get("date"):
        notes.append(Note("bad_date", f"unparseable page date {data.get('date')!r}", "text"))
    article = Article(
        id=article_id(canonical_url),
        url=page.url,
        canonical_url=canonical_url,
        text=text,
        title=(data.get("title") or fallback_title or None),
        published=published or fallback_published,
        fetched_at=fetched_at or datetime.now(UTC),
        language=data.get("language") or None,
        source=data.get("sitename") or None,
        author=data.get("author") or None,
        feed_ids=(feed_id,) if feed_id else (),
        sources=(page.url,),
        notes=tuple(notes),
    )
    return article


def with_feed(article: Article, feed_id: str, url: str) -> Article:
    """The same article also carried by another feed or URL (syndication keeps every source)."""
    return replace(
        article,
        feed_ids=tuple(dict.fromkeys((*article.feed_ids, feed_id))),
        sources=tuple(dict.fromkeys((*article.sources, url))),
    )
