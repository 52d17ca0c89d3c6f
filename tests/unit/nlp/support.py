"""What the NLP unit tests share: extracting one hand-written text as of a fixed day."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleInput

#: the publication date of the hand-written texts (a Friday)
PUB = date(2024, 2, 23)


def result_of(ex: EventExtractor, text: str, pub: date | None = PUB) -> dict[str, Any]:
    """The extraction result of ``text`` as a dict, published on ``pub``."""
    return ex.extract(ArticleInput("t", text, published=pub)).to_dict()


def events_of(ex: EventExtractor, text: str, pub: date | None = PUB) -> list[dict[str, Any]]:
    """The news events of ``text``, published on ``pub``."""
    return list(result_of(ex, text, pub)["events"])
