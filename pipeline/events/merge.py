"""Clusters of mentions → real-world events, as a pure function of the set of mentions.

Clustering is greedy complete-linkage over the mentions, most informative first
(:func:`~pipeline.events.blocking.informativeness`, a total order): a mention joins the first
cluster all of whose members it is compatible with, else starts one.
The result depends only on the set (never on arrival order) and, since compatible mentions
always share a block key, clustering the closure of some block keys gives exactly the clusters
a global run would give there. Complete rather than single linkage so one ambiguous undated
mention cannot chain two meetings of the same week into one.

The merged event takes the most supported, most precise value of each attribute; ties break on
the value itself, so the choice is deterministic too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from pipeline.events.blocking import (
    PRECISION_RANK,
    block_keys,
    compatible,
    informativeness,
    mergeable,
)
from pipeline.events.mention import Mention
from pipeline.ids import event_id
from pipeline.nlp.types import Location, PersonRef

T = TypeVar("T", bound=Hashable)

#: which factuality an event with mixed reports gets: the most realised one wins
FACTUALITY_ORDER = ("asserted", "historical", "future", "hypothetical", "negated")


@dataclass(frozen=True, slots=True)
class Event:
    """One real-world event merged from its mentions (sorted by ``order_key``)."""

    id: str
    type: str
    mentions: tuple[Mention, ...]
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
    confidence: float


def cluster(mentions: Iterable[Mention]) -> list[tuple[Mention, ...]]:
    """Partition the mergeable ``mentions`` into clusters (each sorted, list sorted by id)."""
    ordered = sorted({m.id: m for m in mentions if mergeable(m)}.values(), key=informativeness)
    clusters: list[list[Mention]] = []
    by_key: dict[str, list[int]] = defaultdict(list)
    for mention in ordered:
        keys = block_keys(mention)
        candidates = sorted({i for key in keys for i in by_key[key]})
        home = next(
            (i for i in candidates if all(compatible(mention, m) for m in clusters[i])), None
        )
        if home is None:
            home = len(clusters)
            clusters.append([])
        clusters[home].append(mention)
        for key in keys:
            if home not in by_key[key]:
                by_key[key].append(home)
    return [tuple(sorted(c, key=lambda m: m.order_key)) for c in clusters]


def _most_common(values: Iterable[T | None], tie: Callable[[T], object] = str) -> T | None:
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    return min(counts, key=lambda v: (-counts[v], tie(v)))


def _ranked_union(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    counts = Counter(v for group in groups for v in dict.fromkeys(group))
    return tuple(sorted(counts, key=lambda v: (-counts[v], v)))


def _best_location(mentions: tuple[Mention, ...]) -> Location | None:
    places = [m.location for m in mentions if m.location is not None]
    if not places:
        return None
    support = Counter(p.place.casefold() for p in places)
    return min(
        places,
        key=lambda p: (-support[p.place.casefold()], p.lat is None, p.place, p.country or ""),
    )


def _best_date(mentions: tuple[Mention, ...]) -> tuple[str | None, str | None]:
    dated = [(m.date, m.date_precision) for m in mentions if m.date and m.date_precision]
    if not dated:
        return None, None
    support = Counter(dated)
    return min(dated, key=lambda d: (-PRECISION_RANK.get(d[1] or "", 0), -support[d], d[0]))


def _persons(mentions: tuple[Mention, ...]) -> tuple[PersonRef, ...]:
    by_name: dict[str, list[PersonRef]] = defaultdict(list)
    for mention in mentions:
        for person in mention.persons:
            by_name[person.name].append(person)
    return tuple(
        PersonRef(
            name,
            _most_common(p.country for p in refs),
            _most_common(p.role for p in refs),
        )
        for name, refs in sorted(by_name.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )


def build_event(mentions: tuple[Mention, ...]) -> Event:
    """The event of one cluster (``mentions`` sorted by ``order_key``)."""
    mode = _most_common(m.mode for m in mentions)
    typical = next((m for m in mentions if m.mode == mode), mentions[0])
    date_value, precision = _best_date(mentions)
    factualities = {m.factuality for m in mentions}
    return Event(
        id=event_id(mentions[0].id),
        type=mentions[0].type,
        mentions=mentions,
        mode=mode,
        cameo_root=typical.cameo_root,
        quad=typical.quad,
        score=typical.score,
        actors=_ranked_union(m.actors for m in mentions),
        recipients=_ranked_union(m.recipients for m in mentions),
        persons=_persons(mentions),
        location=_best_location(mentions),
        date=date_value,
        date_precision=precision,
        factuality=min(
            factualities,
            key=lambda f: FACTUALITY_ORDER.index(f) if f in FACTUALITY_ORDER else 99,
        ),
        occasion=_most_common(m.occasion for m in mentions),
        confidence=max(m.confidence for m in mentions),
    )


def merge(mentions: Iterable[Mention]) -> list[Event]:
    """Every event the mergeable ``mentions`` make, sorted by id."""
    return sorted((build_event(c) for c in cluster(mentions)), key=lambda e: e.id)
