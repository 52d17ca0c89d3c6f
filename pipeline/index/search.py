"""Search requests → Elasticsearch query bodies, and answers → results (pure: no client here).

One :class:`SearchRequest` describes what an analyst asks for: full text over evidence, titles,
persons, places, occasion and article text; filters (type, mode, actor, recipient, participant,
person, role, place, country of place, event and publication date ranges, factuality, quad
class, source, feed, extractor version); a sort; facet counts. :func:`build_query` turns it into
a search body for one index kind (``events``, ``mentions`` or ``articles``);
:func:`parse_response` reads the answer. ``workers.search.search`` runs them.

Without an English stemmer (the minimal server has no ``analysis-common``), plain-word queries
are expanded at query time: each word also matches its light variants ("meetings" → "meeting",
"meet"), upper-cased participant codes ("jpn" → ``JPN``) and the event types its word names
(``config/search.yaml``: "meeting" → CONSULT). Filters use lower-cased keyword sub-fields, so
``--person "park jin"`` finds "Park Jin". Bad input raises :class:`SearchError` with a message
meant for the user.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.errors import CommuniqueError
from pipeline.index.event_documents import QUAD_CLASSES
from pipeline.nlp.gazetteer import load_yaml_mapping

KINDS = ("events", "mentions", "articles")
SORTS = ("relevance", "date", "sources")
EVENT_DATE_FORMAT = "yyyy-MM-dd||yyyy-MM||yyyy"
#: characters that make a query use the Lucene query syntax instead of plain words
SYNTAX = re.compile(r'[:"()*?~^\[\]{}!/\\]|\b(AND|OR|NOT)\b|(^|\s)[+-]\S')
FIELD_IN_QUERY = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*):")


class SearchError(CommuniqueError):
    """A search the user asked for that cannot run as asked (unknown field, bad date, ...)."""

    reason = "bad_search"


@dataclass(frozen=True)
class KindSchema:
    """How one index kind is searched: its full-text fields, filters, facets and dates."""

    text_fields: tuple[str, ...]
    filters: dict[str, str]
    facets: dict[str, str]
    date_field: str | None  # the event's own date
    published: tuple[str, str]  # (earliest, latest) publication date fields
    sort_date: str
    participants: bool = True


_EVENT_FILTERS = {
    "type": "type",
    "mode": "mode",
    "actor": "actors",
    "recipient": "recipients",
    "participant": "participants",
    "person": "persons.name.lower",
    "role": "persons.role.lower",
    "place": "location.place.lower",
    "country": "location.country",
    "factuality": "factuality",
    "quad": "quad_class",
    "feed": "feed_ids",
    "extractor_version": "extractor_version",
}
_EVENT_FACETS = {
    "type": "type",
    "quad": "quad_class",
    "actor": "actors",
    "recipient": "recipients",
    "person": "persons.name.keyword",
    "country": "location.country",
    "factuality": "factuality",
}
_EVENT_TEXT = ("persons.name^3", "location.place^3", "occasion^2", "evidence.text^2", "quotes.text")

SCHEMAS: dict[str, KindSchema] = {
    "events": KindSchema(
        text_fields=(*_EVENT_TEXT, "article_titles^1.5", "sources"),
        filters={**_EVENT_FILTERS, "source": "sources.lower"},
        facets={**_EVENT_FACETS, "source": "sources.keyword"},
        date_field="date",
        published=("first_seen", "last_seen"),
        sort_date="date",
    ),
    "mentions": KindSchema(
        text_fields=(*_EVENT_TEXT, "sentences.text", "article_title^1.5", "source"),
        filters={**_EVENT_FILTERS, "source": "source.lower"},
        facets={**_EVENT_FACETS, "source": "source.keyword", "feed": "feed_ids"},
        date_field="date",
        published=("published", "published"),
        sort_date="published",
    ),
    "articles": KindSchema(
        text_fields=("title^2", "text"),
        filters={
            "source": "source",
            "feed": "feed_ids",
            "extractor_version": "extractor_version",
            "person": "entities.persons",
            "place": "entities.places",
            "country": "entities.countries",
        },
        facets={"source": "source", "feed": "feed_ids", "country": "entities.countries"},
        date_field=None,
        published=("published", "published"),
        sort_date="published",
        participants=False,
    ),
}
#: filters whose stored values are upper-case codes, and those stored lower-case
UPPER = frozenset({"type", "actor", "recipient", "participant", "country"})
LOWER = frozenset({"mode", "factuality"})


@dataclass(frozen=True)
class SearchRequest:
    """What to search for. Filter values are ORed within a filter and ANDed across filters."""

    text: str = ""
    kind: str = "events"
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: str | None = None
    date_to: str | None = None
    published_from: str | None = None
    published_to: str | None = None
    sort: str = "relevance"
    size: int = 10
    offset: int = 0
    facets: bool = True


@dataclass(frozen=True)
class SearchResult:
    """Hits (id, score, document), the total, and facet counts (value, count) per facet."""

    kind: str
    total: int
    hits: list[tuple[str, float | None, dict[str, Any]]]
    facets: dict[str, list[tuple[str, int]]]


@dataclass(frozen=True)
class Vocabulary:
    """Query-time knowledge: words naming event types, and whether the server stems English."""

    type_words: dict[str, frozenset[str]] = field(default_factory=dict)
    stemming: bool = False

    @classmethod
    def load(cls, config_dir: Path, *, stemming: bool) -> Vocabulary:
        """From ``config/search.yaml`` and the type names of ``config/nlp/ontology.yaml``."""
        data = load_yaml_mapping(config_dir / "search.yaml")
        types = load_yaml_mapping(config_dir / "nlp" / "ontology.yaml")["types"]
        words: dict[str, set[str]] = {}
        for name in types:
            for word in (name.lower(), f"{name.lower()}s"):
                words.setdefault(word, set()).add(name)
        for name, listed in (data.get("type_words") or {}).items():
            for word in listed:
                words.setdefault(str(word).lower(), set()).add(name)
        return cls({w: frozenset(t) for w, t in words.items()}, stemming)

    @property
    def types(self) -> frozenset[str]:
        """Every known event type."""
        return frozenset(t for ts in self.type_words.values() for t in ts)


def variants(word: str) -> list[str]:
    """The word and light English variants of it (for servers without a stemmer)."""
    word = word.lower().removesuffix("'s")
    out = [word]
    for suffix, replacement in (("ies", "y"), ("es", ""), ("s", ""), ("ing", ""), ("ed", "")):
        stem = word[: -len(suffix)] + replacement if word.endswith(suffix) else ""
        if len(stem) >= 3:
            out.append(stem)
    if not word.endswith("s"):
        out.append(f"{word}s")
    return list(dict.fromkeys(out))


def period(value: str, *, end: bool) -> date:
    """The first (or last) day of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value.strip())
    if not match:
        raise SearchError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)  # type: ignore[arg-type]
        if day is None:
            last = calendar.monthrange(year, month)[1]  # type: ignore[arg-type]
            return date(year, month, last if end else 1)  # type: ignore[arg-type]
        return date(year, month, day)  # type: ignore[arg-type]
    except ValueError as exc:
        raise SearchError(f"date {value!r} does not exist ({exc})") from exc


def _range(lower: str | None, upper: str | None, label: str) -> tuple[date | None, date | None]:
    start = period(lower, end=False) if lower else None
    stop = period(upper, end=True) if upper else None
    if start and stop and start > stop:
        raise SearchError(f"impossible {label} range: {lower} is after {upper}")
    return start, stop


def _normalise(name: str, values: tuple[str, ...], vocabulary: Vocabulary) -> list[str]:
    if name == "type":
        out = []
        for value in values:
            found = vocabulary.type_words.get(value.lower())
            if not found:
                known = ", ".join(sorted(vocabulary.types))
                raise SearchError(f"unknown event type {value!r} (known: {known})")
            out.extend(sorted(found))
        return out
    if name == "quad":
        return [_quad_class(v) for v in values]
    if name in UPPER:
        return [v.upper() for v in values]
    if name in LOWER:
        return [v.lower() for v in values]
    return list(values)


def _quad_class(value: str) -> str:
    wanted = value.strip().lower().replace("-", " ").replace("_", " ")
    for number, name in QUAD_CLASSES.items():
        if wanted in (str(number), name):
            return name
    raise SearchError(f"unknown quad class {value!r} (1-4 or {', '.join(QUAD_CLASSES.values())})")


def _word_clause(word: str, schema: KindSchema, vocabulary: Vocabulary) -> dict[str, Any]:
    forms = [word.lower()] if vocabulary.stemming else variants(word)
    should: list[dict[str, Any]] = [
        {"multi_match": {"query": form, "fields": list(schema.text_fields)}} for form in forms
    ]
    if schema.participants:
        should.append({"term": {"participants": word.upper()}})
        for event_type in sorted(vocabulary.type_words.get(word.lower(), ())):
            should.append({"term": {"type": {"value": event_type, "boost": 0.5}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _text_query(text: str, schema: KindSchema, vocabulary: Vocabulary) -> dict[str, Any] | None:
    text = text.strip()
    if not text:
        return None
    if SYNTAX.search(text):
        allowed = {f.split("^")[0] for f in schema.text_fields} | set(schema.filters.values())
        for name in FIELD_IN_QUERY.findall(text):
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                raise SearchError(f"unknown field {name!r} in the query (fields: {known})")
        return {
            "query_string": {
                "query": text,
                "fields": list(schema.text_fields),
                "default_operator": "AND",
            }
        }
    words = text.split()
    clause: dict[str, Any] = {
        "bool": {"must": [_word_clause(w, schema, vocabulary) for w in words]}
    }
    if len(words) > 1:  # the exact phrase ranks first
        phrase = {
            "multi_match": {"query": text, "type": "phrase", "fields": list(schema.text_fields)}
        }
        clause["bool"]["should"] = [
            {**phrase, "multi_match": {**phrase["multi_match"], "boost": 2}}
        ]
    return clause


def _filters(request: SearchRequest, schema: KindSchema, vocabulary: Vocabulary) -> list[Any]:
    clauses: list[dict[str, Any]] = []
    for name, values in request.filters.items():
        if not values:
            continue
        if name not in schema.filters:
            applies = [k for k, s in SCHEMAS.items() if name in s.filters]
            raise SearchError(
                f"filter {name!r} does not apply to {request.kind}"
                + (f" (it does to {', '.join(applies)})" if applies else "")
            )
        terms = _normalise(name, values, vocabulary)
        clauses.append({"terms": {schema.filters[name]: terms}})
    start, stop = _range(request.date_from, request.date_to, "event date")
    if start or stop:
        if schema.date_field is None:
            raise SearchError(f"{request.kind} have no event date (use the publication dates)")
        bounds = {"format": "yyyy-MM-dd"}
        bounds |= {"gte": start.isoformat()} if start else {}
        bounds |= {"lte": stop.isoformat()} if stop else {}
        clauses.append({"range": {schema.date_field: bounds}})
    start, stop = _range(request.published_from, request.published_to, "publication date")
    earliest, latest = schema.published
    if stop:  # published on or before the end of that day
        clauses.append({"range": {earliest: {"lte": f"{stop.isoformat()}T23:59:59.999Z"}}})
    if start:
        clauses.append({"range": {latest: {"gte": start.isoformat()}}})
    return clauses


def _sort(request: SearchRequest, schema: KindSchema) -> list[Any]:
    by_date = {schema.sort_date: {"order": "desc", "missing": "_last"}}
    if request.sort == "date":
        return [by_date, "_score"]
    if request.sort == "sources":
        if request.kind != "events":
            raise SearchError("sorting by number of sources applies to events only")
        return [{"num_sources": {"order": "desc"}}, "_score", by_date]
    return ["_score", by_date]


def build_query(request: SearchRequest, vocabulary: Vocabulary) -> dict[str, Any]:
    """The search body (query, sort, size, from, aggregations) for ``request``."""
    if request.kind not in SCHEMAS:
        raise SearchError(f"unknown kind {request.kind!r} (one of {', '.join(KINDS)})")
    if request.sort not in SORTS:
        raise SearchError(f"unknown sort {request.sort!r} (one of {', '.join(SORTS)})")
    if not 0 <= request.size <= 1000 or request.offset < 0:
        raise SearchError("size must be 0-1000 and offset not negative")
    schema = SCHEMAS[request.kind]
    text = _text_query(request.text, schema, vocabulary)
    query = {
        "bool": {"must": [text] if text else [], "filter": _filters(request, schema, vocabulary)}
    }
    body: dict[str, Any] = {
        "query": query,
        "sort": _sort(request, schema),
        "size": request.size,
        "from": request.offset,
        "track_total_hits": True,
    }
    if request.facets:
        body["aggs"] = {
            name: {"terms": {"field": f, "size": 10}} for name, f in schema.facets.items()
        }
    return body


def parse_response(request: SearchRequest, response: dict[str, Any]) -> SearchResult:
    """The :class:`SearchResult` of an Elasticsearch answer to :func:`build_query`'s body."""
    hits = [(h["_id"], h.get("_score"), h["_source"]) for h in response["hits"]["hits"]]
    facets = {
        name: [(str(b["key"]), int(b["doc_count"])) for b in agg.get("buckets", [])]
        for name, agg in (response.get("aggregations") or {}).items()
    }
    return SearchResult(request.kind, int(response["hits"]["total"]["value"]), hits, facets)
