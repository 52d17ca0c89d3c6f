"""Pure builders of Elasticsearch documents (no client here: easy to test, easy to reindex)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pipeline.ids import mention_id
from pipeline.models import Article


def article_document(article: Article, *, status: str = "fetched") -> dict[str, Any]:
    """The ``articles`` document of a freshly fetched article."""
    doc = article.to_dict()
    doc["status"] = status
    doc["notes"] = [dict(n) for n in doc.get("notes", [])]
    return doc


def sortable_version(version: str) -> str:
    """``version`` with zero-padded numbers, so string order is numeric order (0.9 < 0.10)."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), version)


def processing_update(
    result: dict[str, Any], *, extractor_version: str, processed_at: datetime
) -> dict[str, Any]:
    """Partial update of the article after extraction: facets, scope, bookkeeping."""
    entities = result.get("entities") or {}
    return {
        "status": "processed",
        "processed_at": processed_at.isoformat(),
        "extractor_version": extractor_version,
        "extractor_version_key": sortable_version(extractor_version),
        "diplomatic": bool(result.get("diplomatic")),
        "event_count": len(result.get("events") or []),
        "entities": {
            key: sorted(set(entities.get(key) or []))
            for key in ("persons", "organizations", "places", "countries")
        },
        "notes": list(result.get("notes") or []),
    }


def event_documents(
    article: dict[str, Any], events: list[dict[str, Any]], *, indexed_at: datetime
) -> list[tuple[str, dict[str, Any]]]:
    """(id, document) for each extracted event, with provenance back to the article."""
    docs: list[tuple[str, dict[str, Any]]] = []
    for position, event in enumerate(events):
        doc = dict(event)
        location = doc.get("location")
        if isinstance(location, dict):
            location = dict(location)
            lat, lon = location.get("lat"), location.get("lon")
            if isinstance(lat, int | float) and isinstance(lon, int | float):
                location["point"] = {"lat": lat, "lon": lon}
            doc["location"] = location
        eid = mention_id(article["id"], position, str(event.get("type")))
        doc.update(
            {
                "id": eid,
                "article_id": article["id"],
                "article_ids": [article["id"]],
                "article_url": article.get("url"),
                "article_title": article.get("title"),
                "source": article.get("source"),
                "published": article.get("published"),
                "indexed_at": indexed_at.isoformat(),
            }
        )
        docs.append((eid, doc))
    return docs
