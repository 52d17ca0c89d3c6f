"""Frozen value types of the extraction stage and the JSON shape of ``communique extract``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pipeline.models import Note


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """One article to extract events from."""

    id: str
    text: str
    title: str | None = None
    published: date | datetime | None = None
    source: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A named person taking part in an event, with the role held on the event date."""

    name: str
    country: str | None
    role: str | None

    def to_dict(self) -> dict[str, Any]:
        """Output-schema dict."""
        return {"name": self.name, "country": self.country, "role": self.role}


@dataclass(frozen=True, slots=True)
class Location:
    """Where an event happened."""

    place: str
    country: str | None
    lat: float | None
    lon: float | None

    def to_dict(self) -> dict[str, Any]:
        """Output-schema dict."""
        return {"place": self.place, "country": self.country, "lat": self.lat, "lon": self.lon}


@dataclass(frozen=True, slots=True)
class Evidence:
    """The sentence an event was read from, with character offsets into the article text."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """Output-schema dict."""
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation and who said it."""

    text: str
    speaker: str | None


@dataclass(frozen=True, slots=True)
class ExtractedEvent:
    """One PLOVER event (possibly merged from several sentence-level mentions)."""

    type: str
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
    contexts: tuple[str, ...]
    evidence: Evidence
    confidence: float
    extractor_version: str
    actor_sectors: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    mentions: tuple[Evidence, ...] = ()
    #: the trigger rule that made the event, then any typing rules that retyped it
    #: ("reject-refuse/refused-cooperation-is-reject"): a wrong event leads to its rule
    rule: str = ""
    #: specific international bodies among the participants ("UNICEF" behind the code "UNO")
    bodies: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Exactly the event schema of the ``communique extract`` output line."""
        return {
            "type": self.type,
            "mode": self.mode,
            "cameo_root": self.cameo_root,
            "quad": self.quad,
            "score": self.score,
            "actors": list(self.actors),
            "recipients": list(self.recipients),
            "persons": [p.to_dict() for p in self.persons],
            "location": self.location.to_dict() if self.location else None,
            "date": self.date,
            "date_precision": self.date_precision,
            "factuality": self.factuality,
            "occasion": self.occasion,
            "contexts": list(self.contexts),
            "evidence": self.evidence.to_dict(),
            "confidence": self.confidence,
            "extractor_version": self.extractor_version,
            "rule": self.rule,
            "bodies": list(self.bodies),
        }


@dataclass(frozen=True, slots=True)
class Entities:
    """Normalized named entities of an article, for faceting."""

    persons: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, list[str]]:
        """JSON-ready dict."""
        return {
            "persons": list(self.persons),
            "organizations": list(self.organizations),
            "places": list(self.places),
            "countries": list(self.countries),
        }


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    """Everything extracted from one article."""

    id: str
    diplomatic: bool
    events: tuple[ExtractedEvent, ...] = ()
    notes: tuple[Note, ...] = ()
    entities: Entities = field(default_factory=Entities)
    #: events the article mentions but does not report as news (historical, negated,
    #: hypothetical) or that lack a named counterpart (the guide's scope): kept apart from
    #: ``events`` so nothing is thrown away
    background_events: tuple[ExtractedEvent, ...] = ()

    def to_dict(self, *, with_notes: bool = True) -> dict[str, Any]:
        """The output line of ``communique extract`` (``notes`` is an extra key)."""
        out: dict[str, Any] = {
            "id": self.id,
            "diplomatic": self.diplomatic,
            "events": [e.to_dict() for e in self.events],
            "background_events": [e.to_dict() for e in self.background_events],
        }
        if with_notes:
            out["notes"] = [
                {"code": n.code, "message": n.message, "stage": n.stage} for n in self.notes
            ]
        return out
