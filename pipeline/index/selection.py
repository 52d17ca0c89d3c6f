"""Queries selecting articles for reprocessing (pure: the store runs them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.index.documents import sortable_version


@dataclass(frozen=True, slots=True)
class Selection:
    """Which articles to reprocess; every given criterion must hold (none: every article)."""

    ids: tuple[str, ...] = ()
    query: str | None = None
    since: str | None = None
    until: str | None = None
    older_than_version: str | None = None

    def describe(self) -> str:
        """One line for logs and ``reprocess status``."""
        parts = [
            f"{name}={value}"
            for name, value in (
                ("ids", ",".join(self.ids[:5]) + ("…" if len(self.ids) > 5 else "")),
                ("query", self.query),
                ("since", self.since),
                ("until", self.until),
                ("older_than_version", self.older_than_version),
            )
            if value
        ]
        return " ".join(parts) or "all articles"


def selection_query(selection: Selection) -> dict[str, Any]:
    """The ``articles`` query for ``selection``."""
    filters: list[dict[str, Any]] = []
    if selection.ids:
        filters.append({"ids": {"values": list(selection.ids)}})
    if selection.query:
        filters.append(
            {"simple_query_string": {"query": selection.query, "fields": ["title", "text"]}}
        )
    if selection.since or selection.until:
        span = {k: v for k, v in (("gte", selection.since), ("lte", selection.until)) if v}
        filters.append({"range": {"published": span}})
    if selection.older_than_version:
        older = sortable_version(selection.older_than_version)
        filters.append(
            {
                "bool": {
                    "should": [
                        {"bool": {"must_not": {"exists": {"field": "extractor_version_key"}}}},
                        {"range": {"extractor_version_key": {"lt": older}}},
                        {  # the same release with other rule data (its hash differs)
                            "bool": {
                                "filter": {"term": {"extractor_version_key": older}},
                                "must_not": {
                                    "term": {"extractor_version": selection.older_than_version}
                                },
                            }
                        },
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}
