"""Pure builders of ``articles`` documents (no client here: easy to test, easy to reindex).

Mentions and events have theirs in :mod:`pipeline.index.event_documents`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pipeline.models import Article, Note
from pipeline.timeutil import parse_datetime

if TYPE_CHECKING:
    from pipeline.process import ProcessedArticle

#: stages whose notes belong to a processing run (the extractor's, the store's)
PROCESSING_STAGES = frozenset({"nlp", "process", "index"})


def article_document(article: Article, *, status: str = "fetched") -> dict[str, Any]:
    """The ``articles`` document of a freshly fetched article."""
    doc = article.to_dict()
    doc["status"] = status
    doc["notes"] = [dict(n) for n in doc.get("notes", [])]
    return doc


def article_from_document(doc: dict[str, Any]) -> Article:
    """The :class:`Article` stored as ``doc`` (unknown keys, e.g. processing facets, ignored)."""
    return Article(
        id=doc["id"],
        url=doc.get("url") or "",
        canonical_url=doc.get("canonical_url") or doc.get("url") or "",
        text=doc.get("text") or "",
        title=doc.get("title"),
        published=parse_datetime(doc.get("published")),
        fetched_at=parse_datetime(doc.get("fetched_at")),
        language=doc.get("language"),
        source=doc.get("source"),
        author=doc.get("author"),
        feed_ids=tuple(doc.get("feed_ids") or ()),
        sources=tuple(doc.get("sources") or ()),
        content_fingerprint=doc.get("content_fingerprint"),
        notes=tuple(
            Note(n.get("code", ""), n.get("message", ""), n.get("stage", ""))
            for n in doc.get("notes") or ()
            # notes of a processing run are replaced by the next run's, not accumulated
            if n.get("stage") not in PROCESSING_STAGES
        ),
    )


def sortable_version(version: str) -> str:
    """The release of ``version`` with zero-padded numbers, so string order is release order
    (0.9 < 0.10). The ``+<rules hash>`` suffix is left out: it names a rule edit, not a time, so
    two versions of one release are ordered only by being different (see ``is_current``)."""
    release = version.split("+", 1)[0]
    return re.sub(r"\d+", lambda m: m.group().zfill(6), release)


def is_current(done_by: str, wanted: str) -> bool:
    """Whether a result of extractor ``done_by`` needs no reprocessing for ``wanted``: the same
    version, or a later release (a stale request never undoes newer work)."""
    return done_by == wanted or sortable_version(done_by) > sortable_version(wanted)


def processing_update(
    processed: ProcessedArticle, *, run_version: int, processed_at: datetime
) -> dict[str, Any]:
    """Partial update of the article after a processing run: facets, scope, bookkeeping.

    ``mention_ids`` and ``block_keys`` let the next run find what this one wrote with a
    real-time GET (no search, no refresh); ``run_version`` lets a stale run see it lost.
    """
    entities = processed.entities
    notes = [
        {"code": n.code, "message": n.message, "stage": n.stage}
        for n in (*processed.article.notes, *processed.notes)
    ]
    return {
        "status": "processed",
        "processed_at": processed_at.isoformat(),
        "run_version": run_version,
        "extractor_version": processed.extractor_version,
        "extractor_version_key": sortable_version(processed.extractor_version),
        "diplomatic": processed.diplomatic,
        "event_count": len(processed.mentions),
        "mention_ids": [m.id for m in processed.mentions],
        "block_keys": list(processed.block_keys),
        "entities": {
            "persons": sorted(set(entities.persons)),
            "organizations": sorted(set(entities.organizations)),
            "places": sorted(set(entities.places)),
            "countries": sorted(set(entities.countries)),
        },
        "notes": notes,
    }
