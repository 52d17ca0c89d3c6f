"""When two mentions may be one event: date windows, block keys and the compatibility test.

A mention's *date window* is the span of days its event may have happened on, by precision:
a day ±1 (time zones, "Thursday" read against a publication date), a whole month, a whole year;
an undated mention is taken to report something of the two days before its publication. Two
mentions are compatible when they have the same type, overlapping participants, overlapping
windows, compatible place and occasion, the same polarity (a negated event never merges with an
asserted one) and come from different articles (within one article the extractor already
consolidated its sentences). The informativeness rank decides which mention a cluster is
built around first, so a vague report joins the precise one rather than the other way round.

Compatibility implies a shared *block key* ``TYPE|participant|YYYY-MM`` (a key per month the
window touches), so candidates are found by exact key lookups and the neighbouring months a
window spills into are covered by construction.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pipeline.events.mention import Mention

#: days of slack around a day-precise date
DAY_TOLERANCE = 1
#: an undated mention reports something from this many days before publication up to it
UNDATED_LOOKBACK = 2
#: precision → rank (higher is more precise)
PRECISION_RANK = {"day": 3, "month": 2, "year": 1}

#: factuality → polarity (a planned visit is not the visit; a denied meeting is not the meeting)
POLARITY = {
    "asserted": "realised",
    "historical": "realised",
    "future": "unrealised",
    "hypothetical": "unrealised",
    "negated": "negated",
}

_WORD = re.compile(r"[a-z0-9]+")
#: words that say nothing about which occasion it was
_OCCASION_STOP = frozenset({"the", "of", "and", "on", "in", "a", "an", "meeting", "talks", "s"})


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def date_window(mention: Mention) -> tuple[date, date] | None:
    """First and last day the mentioned event may have happened on (None: unknown)."""
    value, precision = mention.date, mention.date_precision
    try:
        if value and precision == "day":
            day = date.fromisoformat(value)
            return day - timedelta(days=DAY_TOLERANCE), day + timedelta(days=DAY_TOLERANCE)
        if value and precision == "month":
            year, month = int(value[:4]), int(value[5:7])
            return date(year, month, 1), _month_end(year, month)
        if value and precision == "year":
            year = int(value[:4])
            return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        pass  # an unreadable date is treated like a missing one
    published = _parse_day(mention.published) if mention.published else None
    if published is None:
        return None
    return published - timedelta(days=UNDATED_LOOKBACK), published


def _months(window: tuple[date, date]) -> list[str]:
    first, last = window
    months: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def informativeness(mention: Mention) -> tuple[int, int, int, str, str]:
    """Sort key, most informative first: date precision, participants, a place; then the
    total order of :attr:`Mention.order_key` (never arrival order)."""
    return (
        -PRECISION_RANK.get(mention.date_precision or "", 0),
        -len(mention.participants),
        mention.location is None,
        *mention.order_key,
    )


def block_keys(mention: Mention) -> tuple[str, ...]:
    """Keys under which ``mention`` is a merge candidate (none: it stays a lone mention)."""
    window = date_window(mention)
    if window is None or not mention.participants:
        return ()
    return tuple(
        f"{mention.type}|{participant}|{month}"
        for participant in mention.participants
        for month in _months(window)
    )


def mergeable(mention: Mention) -> bool:
    """True when the mention can become (part of) an event: it has participants and a window."""
    return bool(block_keys(mention))


def _occasion_words(occasion: str) -> frozenset[str]:
    return frozenset(_WORD.findall(occasion.casefold())) - _OCCASION_STOP


def _places_compatible(a: Mention, b: Mention) -> bool:
    if a.location is None or b.location is None:
        return True
    if a.location.place.casefold() == b.location.place.casefold():
        return True
    # two places in one country may name the same venue (city vs. resort); across countries not
    return bool(a.location.country) and a.location.country == b.location.country


def _polarity(mention: Mention) -> str:
    """Happened, may happen, or did not: reports of different polarity are different events."""
    return POLARITY.get(mention.factuality, "realised")


def compatible(a: Mention, b: Mention) -> bool:
    """True when ``a`` and ``b`` may report the same real-world event (symmetric)."""
    if a.type != b.type or a.article_id == b.article_id:
        return False
    if _polarity(a) != _polarity(b):
        return False
    parts_a, parts_b = a.participants, b.participants
    shared = set(parts_a).intersection(parts_b)
    if not shared or len(shared) < min(2, len(parts_a), len(parts_b)):
        return False
    wa, wb = date_window(a), date_window(b)
    if wa is None or wb is None or wa[0] > wb[1] or wb[0] > wa[1]:
        return False
    if not _places_compatible(a, b):
        return False
    if a.occasion and b.occasion:
        words_a, words_b = _occasion_words(a.occasion), _occasion_words(b.occasion)
        if words_a and words_b and not words_a & words_b:
            return False
    return True
