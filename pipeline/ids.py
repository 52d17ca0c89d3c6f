"""Deterministic identifiers: the same input always yields the same document id.

Ids are derived from content identity (canonical URL, feed id, event key), never from time, so a
rerun, a redelivered task or a second feed carrying the same story writes the same document.
"""

from __future__ import annotations

import hashlib


def stable_hash(*parts: str, length: int = 24) -> str:
    """Hex digest of the parts joined by a separator that cannot occur in them."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def article_id(canonical_url: str) -> str:
    """Document id of an article: a hash of its canonical URL."""
    return "a_" + stable_hash(canonical_url)


def entry_key(feed_id: str, identity: str) -> str:
    """Ledger key of one feed entry (identity is the canonical URL or GUID)."""
    return stable_hash(feed_id, identity)


def mention_id(article_id_: str, event_type: str, evidence_start: int, occurrence: int = 0) -> str:
    """Document id of one event extracted from one article (a mention): anchored on its type
    and evidence sentence, so a new extractor that still reads that event from that sentence
    keeps the id (and the merged event keeps its id) while other events come and go."""
    return "m_" + stable_hash(article_id_, event_type, str(evidence_start), str(occurrence))


def event_id(earliest_mention_id: str) -> str:
    """Document id of a merged event: derived from its earliest mention, so any worker, in
    any order, names the same cluster the same way."""
    return "ev_" + stable_hash(earliest_mention_id)
