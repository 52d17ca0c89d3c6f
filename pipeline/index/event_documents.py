"""Pure builders of ``mentions`` and ``events`` documents (the schema in config/elasticsearch/).

Both carry the same event fields (type, mode, participants, persons, place with a geo_point,
date and precision, factuality, occasion, evidence), so one search and one Kibana view work on
either. An event adds its provenance counts and the ids of its mentions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pipeline.events.blocking import block_keys
from pipeline.events.mention import Mention
from pipeline.events.merge import Event
from pipeline.index.documents import sortable_version
from pipeline.nlp.types import Evidence, Location, PersonRef, Quote

#: CAMEO/PLOVER quad classes, for readable facets beside the number
QUAD_CLASSES = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}
#: evidence sentences and quotes kept on one event document (mentions keep all of theirs)
MAX_EVIDENCE = 50


def location_document(location: Location | None) -> dict[str, Any] | None:
    """A location with a ``point`` (geo_point) when its coordinates are known."""
    if location is None:
        return None
    doc: dict[str, Any] = location.to_dict()
    if isinstance(location.lat, int | float) and isinstance(location.lon, int | float):
        doc["point"] = {"lat": location.lat, "lon": location.lon}
    return doc


def _persons(persons: tuple[PersonRef, ...]) -> list[dict[str, Any]]:
    return [p.to_dict() for p in persons]


def _quotes(quotes: tuple[Quote, ...]) -> list[dict[str, Any]]:
    return [{"text": q.text, "speaker": q.speaker} for q in quotes]


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return evidence.to_dict()


def mention_document(mention: Mention, *, indexed_at: datetime) -> dict[str, Any]:
    """The ``mentions`` document of one article-level extraction."""
    return {
        "id": mention.id,
        "article_id": mention.article_id,
        "article_url": mention.article_url,
        "article_title": mention.article_title,
        "source": mention.source,
        "feed_ids": list(mention.feed_ids),
        "outlets": list(mention.outlets),
        "published": mention.published,
        "type": mention.type,
        "mode": mention.mode,
        "cameo_root": mention.cameo_root,
        "quad": mention.quad,
        "quad_class": QUAD_CLASSES.get(mention.quad),
        "score": mention.score,
        "actors": list(mention.actors),
        "recipients": list(mention.recipients),
        "participants": list(mention.participants),
        "persons": _persons(mention.persons),
        "location": location_document(mention.location),
        "date": mention.date,
        "date_precision": mention.date_precision,
        "factuality": mention.factuality,
        "occasion": mention.occasion,
        "contexts": list(mention.contexts),
        "evidence": _evidence(mention.evidence),
        "sentences": [_evidence(s) for s in mention.sentences],
        "quotes": _quotes(mention.quotes),
        "actor_sectors": list(mention.actor_sectors),
        "confidence": mention.confidence,
        "rule": mention.rule,
        "bodies": list(mention.bodies),
        "extractor_version": mention.extractor_version,
        "extractor_version_key": sortable_version(mention.extractor_version),
        "block_keys": list(block_keys(mention)),
        "mergeable": bool(block_keys(mention)),
        "indexed_at": indexed_at.isoformat(),
    }


def _distinct(values: list[str | None]) -> list[str]:
    return sorted({v for v in values if v})


def event_document(event: Event) -> dict[str, Any]:
    """The ``events`` document of one merged event (deterministic: no clock, no order)."""
    mentions = event.mentions
    published = _distinct([m.published for m in mentions])
    outlets = _distinct([o for m in mentions for o in m.outlets])
    quotes: dict[str, Quote] = {}
    for mention in mentions:
        for quote in mention.quotes:
            quotes.setdefault(quote.text, quote)
    versions = _distinct([m.extractor_version for m in mentions])
    return {
        "id": event.id,
        "type": event.type,
        "mode": event.mode,
        "cameo_root": event.cameo_root,
        "quad": event.quad,
        "quad_class": QUAD_CLASSES.get(event.quad),
        "score": event.score,
        "actors": list(event.actors),
        "recipients": list(event.recipients),
        "participants": sorted(set(event.actors) | set(event.recipients)),
        "persons": _persons(event.persons),
        "location": location_document(event.location),
        "date": event.date,
        "date_precision": event.date_precision,
        "factuality": event.factuality,
        "occasion": event.occasion,
        "contexts": _distinct([c for m in mentions for c in m.contexts]),
        "actor_sectors": _distinct([s for m in mentions for s in m.actor_sectors]),
        "evidence": [
            {**_evidence(m.evidence), "mention_id": m.id, "article_id": m.article_id}
            for m in mentions[:MAX_EVIDENCE]
        ],
        "quotes": _quotes(tuple(quotes.values())[:MAX_EVIDENCE]),
        "confidence": event.confidence,
        "rules": _distinct([m.rule for m in mentions]),
        "bodies": _distinct([b for m in mentions for b in m.bodies]),
        "mention_ids": [m.id for m in mentions],
        "article_ids": _distinct([m.article_id for m in mentions]),
        "article_titles": _distinct([m.article_title for m in mentions]),
        "sources": _distinct([m.source for m in mentions]),
        "outlets": outlets,
        "feed_ids": _distinct([f for m in mentions for f in m.feed_ids]),
        "num_mentions": len(mentions),
        "num_articles": len({m.article_id for m in mentions}),
        # outlets, not publisher names: names are often missing, every copy has a host
        "num_sources": len(outlets) or len({m.article_id for m in mentions}),
        "first_seen": published[0] if published else None,
        "last_seen": published[-1] if published else None,
        "extractor_version": versions,
        "extractor_version_key": [sortable_version(v) for v in versions],
        "block_keys": _distinct([k for m in mentions for k in block_keys(m)]),
    }
