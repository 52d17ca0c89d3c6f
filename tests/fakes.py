"""Test doubles at the seams: a rule-free extractor for synthetic articles.

``ScriptedExtractor`` reads events from lines of the article text shaped like
``EVENT TYPE actors=USA,JPN date=2024-02-22 place=Rio de Janeiro/BRA`` so merge and
reprocessing tests can build exactly the mentions they need without spaCy.
"""

from __future__ import annotations

from pipeline.models import Note
from pipeline.nlp.types import (
    ArticleInput,
    Entities,
    Evidence,
    ExtractedEvent,
    ExtractionResult,
    Location,
    PersonRef,
)

COORDS = {"Rio de Janeiro": (-22.9, -43.2), "Bali": (-8.4, 115.2)}


def _event(line: str, start: int, version: str, skip: frozenset[str]) -> ExtractedEvent | None:
    _marker, *pairs = line.split(" ")
    fields = dict(pair.split("=", 1) for pair in pairs)
    kind = fields.get("type", "CONSULT")
    if kind in skip:
        return None
    place = fields.get("place")
    location = None
    if place:
        name, _, country = place.replace("_", " ").partition("/")
        lat, lon = COORDS.get(name, (None, None))
        location = Location(name, country or None, lat, lon)
    date = fields.get("date")
    return ExtractedEvent(
        type=kind,
        mode=fields.get("mode"),
        cameo_root=None,
        quad=int(fields.get("quad", "1")),
        score=1.0,
        actors=tuple(a for a in fields.get("actors", "").split(",") if a),
        recipients=tuple(r for r in fields.get("recipients", "").split(",") if r),
        persons=tuple(
            PersonRef(p.replace("_", " "), None, None)
            for p in fields.get("persons", "").split(",")
            if p
        ),
        location=location,
        date=date,
        date_precision=("day" if date and len(date) == 10 else "month" if date else None),
        factuality=fields.get("factuality", "asserted"),
        occasion=fields.get("occasion", "").replace("_", " ") or None,
        contexts=(),
        evidence=Evidence(line, start, start + len(line)),
        confidence=0.8,
        extractor_version=version,
    )


class ScriptedExtractor:
    """Events read from ``EVENT`` lines; ``skip`` drops types (a changed rule set)."""

    def __init__(self, version: str = "test-1", skip: frozenset[str] = frozenset()) -> None:
        self.version = version
        self.skip = skip

    def extract(self, doc_input: ArticleInput) -> ExtractionResult:
        events: list[ExtractedEvent] = []
        offset = 0
        for line in doc_input.text.splitlines(keepends=True):
            if line.startswith("EVENT"):
                event = _event(line.strip(), offset, self.version, self.skip)
                if event is not None:
                    events.append(event)
            offset += len(line)
        notes = () if events else (Note("no_events", "nothing scripted", "nlp"),)
        actors = sorted({a for e in events for a in (*e.actors, *e.recipients)})
        return ExtractionResult(
            id=doc_input.id,
            diplomatic=bool(events),
            events=tuple(events),
            notes=notes,
            entities=Entities(countries=tuple(actors)),
        )
