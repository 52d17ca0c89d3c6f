"""One event as one article reports it: the unit the merge works on (and the ``mentions`` index).

A :class:`Mention` is an :class:`~pipeline.nlp.types.ExtractedEvent` plus the provenance the
merge needs (article, source, feeds, publication date); it round-trips through its index
document so events can be recomputed from stored mentions alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pipeline.ids import mention_id
from pipeline.models import Article
from pipeline.nlp.types import Evidence, ExtractedEvent, Location, PersonRef, Quote


@dataclass(frozen=True, slots=True)
class Mention:
    """An article-level extraction of one event, with where it was read."""

    id: str
    article_id: str
    type: str
    mode: str | None
    cameo_root: str | None
    quad: int
    score: float
    actors: tuple[str, ...]
    recipients: tuple[str, ...]
    persons: tuple[PersonRef, ...]
    location: Location | None
    date: str | None
    date_precision: str | None
    factuality: str
    occasion: str | None
    evidence: Evidence
    confidence: float
    extractor_version: str
    contexts: tuple[str, ...] = ()
    sentences: tuple[Evidence, ...] = ()
    quotes: tuple[Quote, ...] = ()
    actor_sectors: tuple[str, ...] = ()
    rule: str | None = None
    bodies: tuple[str, ...] = ()  # specific international bodies behind a code ("UNICEF")
    article_url: str | None = None
    article_title: str | None = None
    source: str | None = None
    feed_ids: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()  # hosts of every URL that carried the article (syndication)
    published: str | None = None  # ISO timestamp of the article

    @property
    def participants(self) -> tuple[str, ...]:
        """Actors and recipients, sorted and distinct."""
        return tuple(sorted(set(self.actors) | set(self.recipients)))

    @property
    def order_key(self) -> tuple[str, str]:
        """Total order used everywhere a choice must not depend on arrival order."""
        return (self.published or "9999", self.id)


def outlets_of(article: Article) -> tuple[str, ...]:
    """Hosts of every URL that carried ``article`` (its own and its syndicated copies)."""
    hosts = (urlsplit(url).hostname for url in (article.url, *article.sources))
    return tuple(sorted({h.removeprefix("www.") for h in hosts if h}))


def mentions_of(article: Article, events: Sequence[ExtractedEvent]) -> tuple[Mention, ...]:
    """The mentions of ``article``: one per extracted event, ids stable across reruns."""
    published = article.published.isoformat() if article.published else None
    outlets = outlets_of(article)
    seen: Counter[tuple[str, int]] = Counter()
    mentions: list[Mention] = []
    for event in events:
        anchor = (event.type, event.evidence.start)
        seen[anchor] += 1
        mentions.append(
            Mention(
                id=mention_id(article.id, event.type, event.evidence.start, seen[anchor] - 1),
                article_id=article.id,
                type=event.type,
                mode=event.mode,
                cameo_root=event.cameo_root,
                quad=event.quad,
                score=event.score,
                actors=event.actors,
                recipients=event.recipients,
                persons=event.persons,
                location=event.location,
                date=event.date,
                date_precision=event.date_precision,
                factuality=event.factuality,
                occasion=event.occasion,
                evidence=event.evidence,
                confidence=event.confidence,
                extractor_version=event.extractor_version,
                contexts=event.contexts,
                sentences=event.mentions,
                quotes=event.quotes,
                actor_sectors=event.actor_sectors,
                rule=event.rule or None,
                bodies=event.bodies,
                article_url=article.url,
                article_title=article.title,
                source=article.source,
                feed_ids=article.feed_ids,
                outlets=outlets,
                published=published,
            )
        )
    return tuple(mentions)


def _evidence(raw: dict[str, Any]) -> Evidence:
    return Evidence(
        str(raw.get("text") or ""), int(raw.get("start") or 0), int(raw.get("end") or 0)
    )


def mention_from_document(doc: dict[str, Any]) -> Mention:
    """The :class:`Mention` stored as ``doc`` in the ``mentions`` index."""
    loc = doc.get("location")
    return Mention(
        id=doc["id"],
        article_id=doc["article_id"],
        type=doc["type"],
        mode=doc.get("mode"),
        cameo_root=doc.get("cameo_root"),
        quad=int(doc.get("quad") or 0),
        score=float(doc.get("score") or 0.0),
        actors=tuple(doc.get("actors") or ()),
        recipients=tuple(doc.get("recipients") or ()),
        persons=tuple(
            PersonRef(p["name"], p.get("country"), p.get("role")) for p in doc.get("persons") or ()
        ),
        location=(
            Location(loc["place"], loc.get("country"), loc.get("lat"), loc.get("lon"))
            if isinstance(loc, dict) and loc.get("place")
            else None
        ),
        date=doc.get("date"),
        date_precision=doc.get("date_precision"),
        factuality=doc.get("factuality") or "asserted",
        occasion=doc.get("occasion"),
        evidence=_evidence(doc.get("evidence") or {}),
        confidence=float(doc.get("confidence") or 0.0),
        extractor_version=doc.get("extractor_version") or "",
        contexts=tuple(doc.get("contexts") or ()),
        sentences=tuple(_evidence(s) for s in doc.get("sentences") or ()),
        quotes=tuple(Quote(q.get("text") or "", q.get("speaker")) for q in doc.get("quotes") or ()),
        actor_sectors=tuple(doc.get("actor_sectors") or ()),
        rule=doc.get("rule"),
        bodies=tuple(doc.get("bodies") or ()),
        article_url=doc.get("article_url"),
        article_title=doc.get("article_title"),
        source=doc.get("source"),
        feed_ids=tuple(doc.get("feed_ids") or ()),
        outlets=tuple(doc.get("outlets") or ()),
        published=doc.get("published"),
    )
