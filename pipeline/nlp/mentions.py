"""Working types shared by the extraction stages: actor mentions in a sentence, sentence-level
event mentions (mutable while merged) and the per-article state (who was last named, which
participants are in focus)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from pipeline.nlp.dates import DateMention
from pipeline.nlp.gazetteer import PlaceEntry
from pipeline.nlp.persons import PersonInfo
from pipeline.nlp.types import Evidence, Quote


@dataclass(slots=True)
class ActorMention:
    """A country, capital, body or person named in a sentence (token indices of the sentence)."""

    code: str
    kind: str
    sector: str | None
    start: int
    end: int
    text: str
    person: PersonInfo | None = None
    body: str | None = None
    #: a person named only as whom the participant works for ("X's envoy, Y"): not taking part
    principal: bool = False


@dataclass(slots=True)
class Mention:
    """One sentence-level event mention (mutable while being merged)."""

    type: str
    mode: str | None
    actors: list[str]
    recipients: list[str]
    persons: list[PersonInfo]
    place: PlaceEntry | None
    place_text: str | None
    date: DateMention | None
    factuality: str
    occasion: str | None
    evidence: Evidence
    rule: str = ""
    bodies: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    coref: bool = False
    from_group: bool = False
    host: bool = False
    #: the actors are named side by side ("A and B condemned ..."), see pipeline/nlp/scope.py
    joint: bool = False
    #: the trigger rule makes side-by-side actors a mutual act ("A and B signed a treaty")
    mutual: bool = False
    #: the date is the paragraph's governing one, not stated in the clause
    borrowed_date: bool = False
    quotes: list[Quote] = field(default_factory=list)
    contexts: set[str] = field(default_factory=set)
    members: list[Evidence] = field(default_factory=list)

    def participants(self) -> frozenset[str]:
        """Actor and recipient codes together."""
        return frozenset(self.actors) | frozenset(self.recipients)


@dataclass(slots=True)
class ArticleState:
    """What earlier sentences of the article tell later ones."""

    pub: date | None
    persons: list[PersonInfo]
    surnames: dict[str, PersonInfo]
    last_person: PersonInfo | None = None
    #: (paragraph start, start, date) of every resolved date mention of the article
    dates: list[tuple[int, int, DateMention]] = field(default_factory=list)
    #: persons in the order the article names them (latest last)
    recent_persons: list[PersonInfo] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)
    #: organ noun -> the state whose organ it last named ("the US Embassy": embassy -> USA)
    institutions: dict[str, str] = field(default_factory=dict)
    #: the article's event mentions so far, in text order (for "rejected the resolution")
    history: list[Mention] = field(default_factory=list)
    #: within the sentence being read: token index inside reported content -> speaker codes
    speaker_of: dict[int, list[str]] = field(default_factory=dict)
    #: within the sentence being read: token index inside reported content -> speaker persons
    speaker_persons: dict[int, list[PersonInfo]] = field(default_factory=dict)
    #: the article's text (for a name's earlier full form)
    text: str = ""


def as_date(v: date | datetime | str | None) -> date | None:
    """A publication date from a date, datetime or ISO string (None when unreadable)."""
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return datetime.fromisoformat(str(v).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def uniq(xs: list[str]) -> list[str]:
    """Non-empty items, first occurrence order."""
    seen: set[str] = set()
    out = []
    for x in xs:
        if x and x not in seen:
            seen.add(x)
            out.append(x)
    return out


def uniq_persons(ps: list[PersonInfo]) -> list[PersonInfo]:
    """Persons without repeats (by name), first occurrence order."""
    seen: set[str] = set()
    out = []
    for p in ps:
        if p.name not in seen:
            seen.add(p.name)
            out.append(p)
    return out


def taking_part(m: Mention, speakers: list[PersonInfo]) -> list[PersonInfo]:
    """The named officials who personally take part in an event (the guide's ``persons``).

    In a meeting every side takes part; in any other event only the actor side does: the
    target named in "X assured Y" or "X opposed Y's statement" is not a participant. The
    speaker of reported content whose state alone is the event's actor ("X said his government
    would press Y") speaks for it.
    """
    if m.type == "CONSULT":
        return m.persons
    actors = set(m.actors)
    side = [p for p in m.persons if not p.country or p.country in actors]
    spoken = [p for p in speakers if p.country and actors and actors <= {p.country}]
    return uniq_persons(side + spoken)
