"""Resolve date expressions against the publication date ("on Thursday", "last month", "in
November", "on July 7 and July 8") into ISO dates with a precision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
WEEKDAYS = {
    d: i
    for i, d in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}

_MONTH_RE = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "mdy",
        re.compile(
            rf"\b(?P<m>{_MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b"
        ),
    ),
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH_RE})\s+(?P<y>(?:19|20)\d\d)\b")),
    (
        "md",
        re.compile(
            rf"\b(?P<m>{_MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:,\s*)?(?:19|20)\d\d)"
        ),
    ),
    ("dm", re.compile(rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH_RE})\b(?!\s+(?:19|20)\d\d)")),
    ("my", re.compile(rf"\b(?P<m>{_MONTH_RE})\s+(?:of\s+)?(?P<y>(?:19|20)\d\d)\b")),
    (
        "month_rel",
        re.compile(rf"\b(?:in\s+)?(?P<m>{_MONTH_RE})\s+(?P<rel>last|this|next)\s+year\b", re.I),
    ),
    (
        "month_last",
        re.compile(
            r"\b(?i:last|this\s+past)\s+(?P<m>January|February|March|April|May|June|July|August|"
            r"September|October|November|December)\b(?!\s+\d)"
        ),
    ),
    (
        "month",
        re.compile(
            r"\b(?i:in|since|during|until|by|early|late|mid-?)\s+(?P<m>January|February|March|April|May|June|July|August|September|October|November|December)\b(?!\s+\d)"
        ),
    ),
    ("weekday", re.compile(r"\b(?P<w>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    (
        "rel",
        re.compile(
            r"\b(?P<rel>yesterday|today|tonight|tomorrow|last\s+(?:week|month|year)|next\s+(?:week|month|year)|this\s+(?:week|month|year)|earlier\s+this\s+(?:week|month|year)|"
            r"(?:this|last|this\s+past|over\s+the|at\s+the)\s+weekend)\b",
            re.I,
        ),
    ),
    (
        "year",
        re.compile(
            r"\b(?i:in|since|during|by|until)\s+(?i:(?:early|late|mid-?)\s*)?(?P<y>(?:19|20)\d\d)\b"
        ),
    ),
]


@dataclass(frozen=True, slots=True)
class DateMention:
    """A resolved date expression: ``value`` is YYYY-MM-DD, YYYY-MM or YYYY."""

    start: int  # character offsets relative to the text it was found in
    end: int
    value: str | None
    precision: str | None
    relation: str  # "past" | "future" | "present" relative to publication


def _month_num(tok: str) -> int:
    t = tok.lower().rstrip(".")
    if t in MONTHS:
        return MONTHS[t]
    return MONTHS[t[:3]]


def _rel(d: date, pub: date) -> str:
    return "past" if d < pub else "future" if d > pub else "present"


def _past_year_for(month: int, day: int | None, pub: date) -> int:
    """Year that puts month/day on or before the publication date (news reports the past)."""
    y = pub.year
    cand = (month, day or 1)
    if cand > (pub.month, pub.day):
        # a month more than ~2 months ahead is last year's; a near-future one stays this year
        if month - pub.month > 2 or (month == pub.month and day and day > pub.day + 7):
            y -= 1
        elif month < pub.month:
            pass
    return y


def _weekend(rel: str, pub: date) -> tuple[str, str, str]:
    """The Saturday of a weekend: "this weekend" is the one the publication falls in (or,
    from Tuesday on, the coming one); "last weekend", "over the weekend" the latest past one."""
    back = (pub.weekday() - 5) % 7  # days since the latest Saturday (0 on a Saturday)
    if rel == "this weekend" and back > 2:
        d = pub + timedelta(days=7 - back)
    elif rel == "this weekend" or (back > 0 and not (rel == "last weekend" and back < 2)):
        d = pub - timedelta(days=back)
    else:  # on a weekend, "last weekend" (and a Saturday's "over the weekend") is the previous
        d = pub - timedelta(days=back + 7)
    return d.isoformat(), "day", _rel(d, pub)


Resolved = tuple[str | None, str | None, str]


def resolve(kind: str, m: re.Match[str], pub: date | None) -> Resolved:
    """Value, precision and relation of one regex match."""
    g = m.groupdict()
    if kind in ("mdy", "dmy", "my", "year"):
        return _absolute(kind, g, pub)
    if pub is None:
        return None, None, "past"
    if kind in ("md", "dm", "month_rel", "month_last", "month", "weekday"):
        return _anchored(kind, g, pub)
    return _relative(re.sub(r"\s+", " ", g["rel"].lower()), pub)


def _absolute(kind: str, g: dict[str, str], pub: date | None) -> Resolved:
    """A date that names its year ("5 March 2019", "March 2019", "2019")."""
    if kind in ("mdy", "dmy"):
        try:
            d = date(int(g["y"]), _month_num(g["m"]), int(g["d"]))
        except ValueError:
            return None, None, "past"
        return d.isoformat(), "day", _rel(d, pub) if pub else "past"
    if kind == "my":
        v = f"{int(g['y']):04d}-{_month_num(g['m']):02d}"
        rel = "past"
        if pub:
            month = pub.strftime("%Y-%m")
            rel = "past" if v < month else "future" if v > month else "present"
        return v, "month", rel
    y = int(g["y"])
    rel = "past" if not pub or y < pub.year else "future" if y > pub.year else "present"
    return f"{y:04d}", "year", rel


def _anchored(kind: str, g: dict[str, str], pub: date) -> Resolved:
    """A day, month or weekday without a year, placed relative to the publication date."""
    if kind in ("md", "dm"):
        mon, day = _month_num(g["m"]), int(g["d"])
        try:
            d = date(_past_year_for(mon, day, pub), mon, day)
        except ValueError:
            return None, None, "past"
        return d.isoformat(), "day", _rel(d, pub)
    if kind == "month_rel":
        y = pub.year + {"last": -1, "this": 0, "next": 1}[g["rel"].lower()]
        v = f"{y:04d}-{_month_num(g['m']):02d}"
        return v, "month", "past" if g["rel"].lower() == "last" else "present"
    if kind == "month_last":  # "last March": the latest March before the publication month
        mon = _month_num(g["m"])
        y = pub.year if mon < pub.month else pub.year - 1
        return f"{y:04d}-{mon:02d}", "month", "past"
    if kind == "month":
        mon = _month_num(g["m"])
        y = pub.year if mon <= pub.month else pub.year - 1
        return f"{y:04d}-{mon:02d}", "month", "present" if mon == pub.month else "past"
    d = pub - timedelta(days=(pub.weekday() - WEEKDAYS[g["w"].lower()]) % 7)  # weekday
    return d.isoformat(), "day", _rel(d, pub)


def _relative(rel: str, pub: date) -> Resolved:
    """ "yesterday", "last month", "this year", "next week" ... against the publication date."""
    if rel.endswith("weekend"):
        return _weekend(rel, pub)
    if rel == "yesterday":
        d = pub - timedelta(days=1)
        return d.isoformat(), "day", "past"
    if rel in ("today", "tonight"):
        return pub.isoformat(), "day", "present"
    if rel == "tomorrow":
        d = pub + timedelta(days=1)
        return d.isoformat(), "day", "future"
    if rel == "last month":
        y, mo = (pub.year, pub.month - 1) if pub.month > 1 else (pub.year - 1, 12)
        return f"{y:04d}-{mo:02d}", "month", "past"
    if rel == "last year":
        return f"{pub.year - 1:04d}", "year", "past"
    if rel == "next month":
        y, mo = (pub.year, pub.month + 1) if pub.month < 12 else (pub.year + 1, 1)
        return f"{y:04d}-{mo:02d}", "month", "future"
    if rel == "next year":
        return f"{pub.year + 1:04d}", "year", "future"
    if rel.endswith("month"):
        return pub.strftime("%Y-%m"), "month", "present"
    if rel.endswith("year"):
        return f"{pub.year:04d}", "year", "present"
    if rel == "last week":
        return None, None, "past"
    if rel == "next week":
        return None, None, "future"
    return None, None, "present"


def find_dates(text: str, pub: date | None) -> list[DateMention]:
    """All date expressions of a text, longest first where they overlap."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in PATTERNS:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            if (
                kind == "md"
                and m.group("m").lower().rstrip(".") == "may"
                and text[max(0, s - 1) : s] != " "
            ):
                continue
            value, precision, relation = resolve(kind, m, pub)
            taken.append((s, e))
            found.append(DateMention(s, e, value, precision, relation))
    found.sort(key=lambda d: d.start)
    return found
