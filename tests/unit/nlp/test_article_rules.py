"""Rules for real articles, each on a small hand-written text (never a gold-set sentence)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleInput

PUB = date(2024, 2, 23)


def _result(ex: EventExtractor, text: str) -> dict[str, Any]:
    return ex.extract(ArticleInput("t", text, published=PUB)).to_dict()


def _events(ex: EventExtractor, text: str) -> list[dict[str, Any]]:
    return _result(ex, text)["events"]


def test_body_codes_follow_the_guide_and_keep_the_specific_body(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "UNICEF condemned Ruritania's government and Peru on Monday.")
    ev = next(e for e in evs if e["type"] == "ACCUSE")
    assert ev["actors"] == ["UNO"] and ev["bodies"] == ["UNICEF"]
    evs = _events(extractor, "The European Union praised Chile on Tuesday.")
    assert evs[0]["actors"] == ["EUR"] and evs[0]["bodies"] == ["EU"]


def test_kosovo_is_coded_kos(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Serbia accused Kosovo of provocations on Wednesday.")
    assert evs[0]["actors"] == ["SRB"] and evs[0]["recipients"] == ["KOS"]
