"""Parsing timestamps from pages, feeds and stored documents into aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from dateutil import parser as dateparser

#: dates outside this range are treated as unparseable (never sent to Elasticsearch)
PLAUSIBLE_YEARS = range(1900, 2101)


def parse_datetime(value: str | None) -> datetime | None:
    """An aware datetime (UTC when no zone is given) or None for empty, garbage or absurd input."""
    if not value:
        return None
    try:
        parsed = dateparser.parse(value)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed is None or parsed.year not in PLAUSIBLE_YEARS:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
