"""Article → processed article: what the process and reprocess tasks call (pure).

One call per article: extract events with the injected extractor, turn each into a
:class:`~pipeline.events.mention.Mention` carrying its provenance, and keep the extractor's
notes and entities as types. Storing the mentions and recomputing the merged events is the
store's job (``workers/store.py``); nothing here touches a service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pipeline.events.blocking import block_keys
from pipeline.events.mention import Mention, mentions_of
from pipeline.models import Article, Note
from pipeline.nlp import EXTRACTOR_VERSION
from pipeline.nlp.types import ArticleInput, Entities, ExtractionResult


class Extractor(Protocol):
    """Anything that reads events from an article (the spaCy extractor, a test double)."""

    def extract(self, doc_input: ArticleInput) -> ExtractionResult:
        """Every event of one article."""
        ...


@dataclass(frozen=True, slots=True)
class ProcessedArticle:
    """The outcome of processing one article."""

    article: Article
    extractor_version: str
    diplomatic: bool
    mentions: tuple[Mention, ...] = ()
    entities: Entities = field(default_factory=Entities)
    notes: tuple[Note, ...] = ()

    @property
    def block_keys(self) -> tuple[str, ...]:
        """Every merge key of the article's mentions (the events its mentions can touch)."""
        return tuple(sorted({key for m in self.mentions for key in block_keys(m)}))


def process_article(article: Article, extractor: Extractor) -> ProcessedArticle:
    """Extract the events of ``article`` as mentions.

    The run is named by the extractor's ``version`` attribute when it has one (a test double,
    a future staged extractor), else by the library's ``EXTRACTOR_VERSION``.
    """
    result = extractor.extract(
        ArticleInput(
            id=article.id,
            text=article.text,
            title=article.title,
            published=article.published,
            source=article.source,
            url=article.url,
        )
    )
    return ProcessedArticle(
        article=article,
        extractor_version=getattr(extractor, "version", EXTRACTOR_VERSION),
        diplomatic=result.diplomatic,
        # background events (historical, negated, hypothetical; issue 8 keeps them apart) are
        # mentions too: a past meeting recalled today merges with the reports of its day
        mentions=mentions_of(article, (*result.events, *result.background_events)),
        entities=result.entities,
        notes=result.notes,
    )
