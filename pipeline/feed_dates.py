"""Feed entry dates: aware UTC datetimes, or None with a reason when impossible or far ahead."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil import parser as date_parser

#: Dates earlier than this are treated as broken (year 0, epoch-zero placeholders...).
MIN_VALID_YEAR = 1971
#: How far ahead of ``now`` a date may be (time zones, clock skew) before it counts as broken.
FUTURE_TOLERANCE = timedelta(days=2)


def _struct_to_datetime(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time | tuple) or len(value) < 6:
        return None
    try:
        # feedparser's *_parsed values are already UTC; datetime() rejects day 32, year 0...
        year, month, day, hour, minute, second = value[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (ValueError, TypeError, OverflowError):
        return None


def _parse_date_text(raw: str) -> datetime | None:
    if not raw or len(raw) > 100:
        return None
    try:
        dt = date_parser.parse(raw)
    except (ValueError, OverflowError, TypeError, date_parser.ParserError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)  # no zone stated: UTC is the only defensible guess
    try:
        return dt.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_RFC822_DAY = re.compile(r"(?<!\d)(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4})(?!\d)")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def _states_impossible_day(raw: str) -> bool:
    """True when the text names a calendar day that does not exist (2024-13-01, 30 Feb).

    feedparser "normalizes" some of these by rolling over (month 13 -> next January), which
    would store a confident wrong date; we would rather store none.
    """
    m = _ISO_DAY.match(raw)
    if m:
        year, month, day = (int(g) for g in m.groups())
    else:
        m = _RFC822_DAY.search(raw)
        if not m or m.group(2).lower()[:3] not in _MONTHS:
            return False
        day, month, year = int(m.group(1)), _MONTHS[m.group(2).lower()[:3]], int(m.group(3))
    try:
        datetime(max(year, 1), month, day)
    except ValueError:
        return True
    return False


def normalize_date(
    parsed: Any, raw: str | None, *, now: datetime
) -> tuple[datetime | None, str | None]:
    """An aware UTC datetime within [MIN_VALID_YEAR, now + tolerance], or None with a code."""
    if raw and _states_impossible_day(raw):
        return None, "bad_date"
    dt = _struct_to_datetime(parsed)
    if dt is None and raw:
        dt = _parse_date_text(raw)
    if dt is None:
        return None, ("bad_date" if raw else None)
    if dt.year < MIN_VALID_YEAR:
        return None, "bad_date"
    if dt > now + FUTURE_TOLERANCE:
        return None, "future_date"
    return dt, None
