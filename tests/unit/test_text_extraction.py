"""Main-text extraction from HTML pages (trafilatura) into Articles."""

from __future__ import annotations

import json

import pytest

from pipeline.errors import SkipArticle
from pipeline.models import FetchedPage
from pipeline.text import extract_article
from tests.support import require_shared


def _page(html: str, url: str = "https://news.example/a") -> FetchedPage:
    return FetchedPage(url=url, status=200, content=html.encode(), content_type="text/html")


def test_extract_article_reads_text_title_and_date() -> None:
    body = "".join(f"<p>Paragraph {i} about the meeting of foreign ministers in Bali.</p>"
                   for i in range(6))  # fmt: skip
    html = (
        "<html><head><title>Ministers meet</title>"
        '<meta property="article:published_time" content="2022-07-08T10:00:00Z"></head>'
        f"<body><article><h1>Ministers meet</h1>{body}</article></body></html>"
    )
    article = extract_article(_page(html), canonical_url="https://news.example/a", feed_id="f")
    assert "Bali" in article.text
    assert article.title == "Ministers meet"
    assert article.published is not None and article.published.year == 2022
    assert article.feed_ids == ("f",)


def test_extract_article_without_text_is_skipped_with_reason() -> None:
    with pytest.raises(SkipArticle) as info:
        extract_article(_page("<html><body><nav>menu</nav></body></html>"), canonical_url="u")
    assert info.value.reason == "no_text"


@pytest.mark.parametrize(
    ("declared", "head"),
    [(None, '<meta charset="windows-1252">'), ("iso-8859-1", "")],
    ids=["meta", "header"],
)
def test_extract_article_decodes_a_latin_page_like_the_fetcher(
    declared: str | None, head: str
) -> None:
    body = "".join(f"<p>Paragraph {i}: the ministers met in Genève and São Paulo.</p>"
                   for i in range(6))  # fmt: skip
    html = f"<html><head>{head}<title>t</title></head><body><article>{body}</article></body></html>"
    page = FetchedPage(url="https://news.example/a", status=200, content=html.encode("cp1252"),
                       content_type="text/html", encoding=declared)  # fmt: skip
    text = extract_article(page, canonical_url="https://news.example/a").text
    assert "Genève" in text and "São Paulo" in text and "\ufffd" not in text


def test_extract_article_survives_invalid_utf8() -> None:
    html = b"<html><body><article>" + b"<p>Caf\xe9 diplomacy in Paris continues.</p>" * 5
    page = FetchedPage(url="https://x.example/", status=200, content=html + b"</article></body>")
    article = extract_article(page, canonical_url="https://x.example/")
    assert "Paris" in article.text


def test_extract_article_recovers_gold_text_of_real_pages() -> None:
    root = require_shared("corpus", "article-extraction-benchmark")
    truth = json.loads((root / "ground-truth.subset.json").read_text())
    checked = 0
    recovered = 0
    for name, gold in list(truth.items())[:15]:
        candidates = list((root / "html").glob(f"{name}*"))
        if not candidates:
            continue
        raw = candidates[0].read_bytes()
        if candidates[0].suffix == ".gz":
            import gzip

            raw = gzip.decompress(raw)
        gold_text = (gold.get("articleBody") or "").strip()
        if len(gold_text) < 200:
            continue
        checked += 1
        try:
            article = extract_article(
                FetchedPage(url=f"https://x.example/{name}", status=200, content=raw),
                canonical_url=f"https://x.example/{name}",
            )
        except SkipArticle:
            continue
        probe = gold_text[len(gold_text) // 2 : len(gold_text) // 2 + 60].split()
        if " ".join(probe[1:6]) in " ".join(article.text.split()):
            recovered += 1
    assert checked >= 5
    assert recovered / checked >= 0.6, f"{recovered}/{checked} pages recovered"
