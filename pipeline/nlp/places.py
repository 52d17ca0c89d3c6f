"""Date and place of an event, not of the article: the date mention in the trigger's clause
(else the occasion's last day), the place named after a locative preposition, and the occasion
("on the sidelines of the G20 summit") normalized to a body and a level."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from spacy.tokens import Doc, Token

from pipeline.nlp.arguments import Roles, belongs, excluded, locative
from pipeline.nlp.dates import DateMention, find_dates
from pipeline.nlp.gazetteer import IGO, Gazetteer, PlaceEntry
from pipeline.nlp.lexicon import Words
from pipeline.nlp.mentions import ActorMention, Mention
from pipeline.nlp.persons import PersonInfo

_OCCASION = [
    re.compile(r"\bon the (?:sidelines|margins) of (?:a|an|the)\s+(?P<occ>[^,.;\"]+)", re.I),
    re.compile(r"\bin conjunction with (?:a|an|the)\s+(?P<occ>[^,.;\"]+)", re.I),
    re.compile(
        r"\b(?:at|during) the\s+(?P<occ>[^,.;\"]*?\b(?:summit|ministerial meeting|"
        r"ministers' meeting|conference|forum|General Assembly))\b",
        re.I,
    ),
]
#: characters after an occasion's start whose actors belong to the occasion, not the event
OCCASION_SPAN = 120
_FM_ROLES = {"foreign minister", "secretary of state"}


def occasion(raw: str) -> tuple[str | None, int]:
    """The occasion phrase of a sentence and where it starts (-1 when none)."""
    for rx in _OCCASION:
        m = rx.search(raw)
        if not m:
            continue
        occ = m.group("occ").strip()
        occ = re.split(r"\s+(?:which|that|where|when|in|on|amid)\s+", occ)[0]
        return occ, m.start()
    return None, -1


def normalize_occasion(occ: str, persons: list[PersonInfo], gaz: Gazetteer) -> str:
    """ "the 47th G7 summit in Cornwall" -> "G7 summit"; unknown bodies keep the phrase."""
    body = None
    for name, entry in sorted(gaz.actors.items(), key=lambda kv: -len(kv[0])):
        if entry.kind == IGO and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", occ):
            body = entry.code
            break
    low = occ.lower()
    if "foreign minist" in low:
        level = "foreign ministers' meeting"
    elif "finance minist" in low:
        level = "finance ministers' meeting"
    elif "summit" in low or "leaders" in low:
        level = "summit"
    elif "ministerial" in low or "ministers" in low:
        level = "ministers' meeting"
    elif persons and {p.role for p in persons} <= _FM_ROLES:
        level = "foreign ministers' meeting"
    else:
        level = "meeting"
    if body:
        return f"{body} {level}"
    return re.sub(r"\s+", " ", occ).strip()


def renormalize_occasion(occ: str, persons: list[PersonInfo]) -> str:
    """A body's "meeting" attended only by foreign ministers is their meeting."""
    fm_only = bool(persons) and {p.role for p in persons} <= _FM_ROLES
    if fm_only and occ.endswith(" meeting") and not occ.endswith("ministers' meeting"):
        return occ[: -len(" meeting")] + " foreign ministers' meeting"
    return occ


def ner_place(
    sdoc: Doc,
    anchor: Token,
    nominal: Token | None,
    roles: Roles,
    amentions: list[ActorMention],
    gaz: Gazetteer,
    words: Words,
) -> None:
    """Place from NER when the gazetteer had no actor reading ("Rio de Janeiro", "Bali")."""
    person_tokens = {i for am in amentions if am.person for i in range(am.start, am.end)}
    for ent in sdoc.ents:
        if ent.label_ not in ("GPE", "LOC", "FAC") or any(
            i in person_tokens for i in range(ent.start, ent.end)
        ):
            continue
        if gaz.actor(ent.text) is not None and gaz.place(ent.text) is None:
            continue
        if excluded(ent.root, words):
            continue  # "concern over the violence in Israel": the topic's place, not the act's
        if (locative(ent.root, words) is None and not _meeting_site(ent.root, gaz, words)) or not (
            belongs(ent.root, anchor, nominal) or ent.root.i in roles.subj_tokens
        ):
            continue
        cand = gaz.place(ent.text)
        if cand is None:
            continue
        place = roles.place
        if place is None or (place.lat is None and cand.lat is not None):
            if (
                place is not None
                and place.country
                and cand.country
                and place.country != cand.country
            ):
                continue
            roles.place, roles.place_text = cand, ent.text.removeprefix("the ")


def _meeting_site(tok: Token, gaz: Gazetteer, words: Words) -> bool:
    """ "the Arica talks": a city (not a state or capital, which name a party, as in "the Iran
    talks") modifying a meeting noun is where the meeting is held."""
    return (
        tok.dep_ == "compound"
        and tok.head.lemma_.lower() in words.coref_nouns
        and gaz.actor(tok.text) is None
    )


def named_subplace(sdoc: Doc, roles: Roles, gaz: Gazetteer) -> None:
    """ "in Lamu County, Kenya": a place the gazetteer does not know, followed by its country
    in apposition, is the event's place (in that country)."""
    if roles.place is None or not roles.place_text:
        return
    for ent in sdoc.ents:
        if ent.label_ not in ("GPE", "LOC", "FAC") or gaz.place(ent.text) is not None:
            continue
        if any(
            c.dep_ == "appos" and c.text == roles.place_text.split()[-1] for c in ent.root.children
        ):
            roles.place_text = ent.text.removeprefix("the ")
            return


def sentence_place(
    sdoc: Doc, amentions: list[ActorMention], gaz: Gazetteer, words: Words
) -> tuple[PlaceEntry | None, str | None]:
    """The one place the sentence names after a locative preposition ("On Thursday in
    Washington, X assured Y ..."), for an event whose own clause names none."""
    found: dict[str, tuple[PlaceEntry, str]] = {}
    for am in amentions:
        tok = sdoc[am.start : am.end].root
        if am.person is None and locative(tok, words) is not None and not excluded(tok, words):
            cand = gaz.place(am.text)
            if cand is not None:
                found.setdefault(cand.name, (cand, am.text.removeprefix("the ")))
    for ent in sdoc.ents:
        if ent.label_ in ("GPE", "LOC", "FAC") and locative(ent.root, words) is not None:
            cand = gaz.place(ent.text)
            if cand is not None and not any(c.country == cand.country for c, _ in found.values()):
                found.setdefault(cand.name, (cand, ent.text.removeprefix("the ")))
    if len(found) != 1:
        return None, None  # none, or several: which one is the event's is unclear
    return next(iter(found.values()))


def inherit_meeting_place(mentions: list[Mention]) -> None:
    """Acts told as part of a meeting ("the prime ministers signed eight pacts", "the
    president conferred an honour on his guest") happen where it is held: an act without a
    place whose participants are all the meeting's, dated the same day, takes its place (and,
    naming no one itself, the meeting's officials on its actor side: the guide's seeds); so
    does a joint act of a multilateral meeting's parties ("the G7 urged Russia ..."), see
    :func:`_joint_act_of`, which also dates a meeting that only borrowed its date."""
    meetings = [
        m
        for m in mentions
        if m.type == "CONSULT" and m.place is not None and len(m.participants()) >= 2 and m.date
    ]
    for m in mentions:
        if m.place is not None or m.type == "CONSULT" or m.date is None:
            continue
        for mt in meetings:
            if (
                m.date.precision == "day"
                and mt.date is not None
                and m.date.value == mt.date.value
                and m.participants() <= mt.participants()
            ):
                m.place, m.place_text = mt.place, mt.place_text
                if not m.persons:  # "the prime ministers signed": the meeting's officials
                    m.persons = [p for p in mt.persons if p.country in m.actors]
                break
            if _joint_act_of(m, mt):
                m.place, m.place_text = mt.place, mt.place_text
                if mt.borrowed_date and not m.borrowed_date:
                    # a meeting dated only by a neighbouring clause is dated by what was
                    # told from it ("the G7 talks in X ...; the G7 urged Y on Friday")
                    mt.date, mt.borrowed_date = m.date, False
                break


def _joint_act_of(m: Mention, mt: Mention) -> bool:
    """ "The G7 talks in X brought together ...; the G7 urged Russia to ...": an act whose
    actors are all parties to a multilateral meeting (three or more) is told from it, even
    toward an outsider, unless the two clauses state different days (a date borrowed from
    the paragraph does not count)."""
    if len(mt.participants()) < 3 or not m.actors or not set(m.actors) <= mt.participants():
        return False
    if m.borrowed_date or mt.borrowed_date or m.date is None or mt.date is None:
        return True
    return m.date.value == mt.date.value


def paragraph_dates(text: str, pub: date | None) -> list[tuple[int, int, DateMention]]:
    """(paragraph start, absolute start, mention) of every resolved date of the article, for
    events whose own clause has none: the governing date is the paragraph's latest before."""
    out: list[tuple[int, int, DateMention]] = []
    for para in re.finditer(r"[^\n]+", text):
        for dm in find_dates(para.group(0), pub):
            if dm.value is not None:
                out.append((para.start(), para.start() + dm.start, dm))
    return out


def governing_date(context: list[tuple[int, int, DateMention]], offset: int) -> DateMention | None:
    """The latest resolved day or month before ``offset`` in the same paragraph (a bare year
    earlier in the paragraph, "since 2011", is background, not the time of what follows)."""
    best = None
    para_start = max((p for p, _, _ in context if p <= offset), default=None)
    for p, start, dm in context:
        if p == para_start and start < offset and dm.precision != "year":
            best = dm
    return best


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def future_weekday(
    chosen: DateMention | None, sdoc: Doc, fact: str, inside: Callable[[Token], bool]
) -> DateMention | None:
    """ "will meet on Wednesday": a weekday of a future event is the coming one, not the last;
    not when the weekday dates the clause telling it ("said Tuesday it would resume ..."):
    ``inside`` says whether a token belongs to the future clause itself."""
    raw = sdoc.text
    sp = sdoc.char_span(chosen.start, chosen.end, alignment_mode="expand") if chosen else None
    if (
        sp is None
        or not inside(sp.root)
        or fact != "future"
        or chosen is None
        or chosen.precision != "day"
        or chosen.relation != "past"
        or raw[chosen.start : chosen.end].strip().lower() not in _WEEKDAYS
        or chosen.value is None
    ):
        return chosen
    later = date.fromisoformat(chosen.value) + timedelta(days=7)
    return replace(chosen, value=later.isoformat(), relation="future")


def _reference_point(tok: Token, words: Words) -> bool:
    """A date inside a phrase that places the event relative to another time ("before
    the election this month", "after talks on Monday", "until March")."""
    for a in tok.ancestors:
        if a.pos_ in ("VERB", "AUX"):
            return False
        if a.dep_ in ("prep", "advmod") and a.lower_ in words.reference_preps:
            return True
    return tok.dep_ == "pobj" and tok.head.lower_ in words.reference_preps


def _participle_date(tok: Token, anchor: Token, nominal: Token | None) -> bool:
    """A date in a participle that modifies a noun of the trigger's clause ("in a statement
    issued in July", "at talks held on Monday")."""
    verb = next((a for a in tok.ancestors if a.pos_ in ("VERB", "AUX")), None)
    if verb is None or verb.dep_ != "acl" or verb.tag_ not in ("VBN", "VBG"):
        return False
    return verb.head.pos_ in ("NOUN", "PROPN") and belongs(verb.head, anchor, nominal)


def _complement_date(tok: Token, anchor: Token) -> bool:
    """A date in the trigger's gerund complement ("accused Y of violating ... in August",
    "praised Y for hosting the talks on Monday")."""
    verb = next((a for a in tok.ancestors if a.pos_ in ("VERB", "AUX")), None)
    return (
        verb is not None
        and verb.tag_ == "VBG"
        and verb.dep_ == "pcomp"
        and verb.head.dep_ == "prep"
        and verb.head.head.i == anchor.i
    )


def _governing_clauses(anchor: Token, nominal: Token | None) -> list[tuple[Token, Token | None]]:
    """The trigger's clause, then each verb governing it up to the sentence root."""
    out: list[tuple[Token, Token | None]] = [(anchor, nominal)]
    for a in (nominal or anchor).ancestors:
        if a.pos_ in ("VERB", "AUX") and a.i != anchor.i:
            out.append((a, None))
    return out


def speaker_date(
    sdoc: Doc, dates: list[DateMention], speaker: frozenset[int]
) -> DateMention | None:
    """ "according to a statement on Monday by X": the date inside the attribution is the
    date of what X said."""
    for dm in dates:
        sp = sdoc.char_span(dm.start, dm.end, alignment_mode="expand")
        if sp is not None and dm.value is not None and sp.root.i in speaker:
            return dm
    return None


_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}


def offset_date(
    sdoc: Doc,
    dates: list[DateMention],
    anchor: Token,
    pub: date | None,
    words: Words,
) -> DateMention | None:
    """ "His remarks come two days after X denounced Y": a clause set N days after (before)
    its governing clause happened that many days before (after) it; the governing clause is
    dated by its own date, or by publication when it is in the present tense."""
    mark = next(
        (c for c in anchor.children if c.dep_ == "mark" and c.lower_ in ("after", "before")), None
    )
    span = next((c for c in anchor.children if c.dep_ == "npadvmod"), None)
    if mark is None or span is None or anchor.dep_ != "advcl" or span.lower_ not in _UNIT_DAYS:
        return None
    count = next((c for c in span.children if c.dep_ in ("nummod", "det")), None)
    n = _COUNTS.get(count.lower_) if count is not None else None
    if n is None and count is not None and count.text.isdigit() and len(count.text) <= 3:
        n = int(count.text)
    if n is None:
        return None
    gov = anchor.head
    ref = choose_date(sdoc, dates, gov, None, -1, words)
    if ref is not None and ref.precision == "day" and ref.value:
        base = date.fromisoformat(ref.value)
    elif ref is None and gov.tag_ in ("VBP", "VBZ") and pub is not None:
        base = pub
    else:
        return None
    days = n * _UNIT_DAYS[span.lower_] * (-1 if mark.lower_ == "after" else 1)
    when = base + timedelta(days=days)
    rel = "past" if pub is None or when < pub else "present" if when == pub else "future"
    return DateMention(span.idx, mark.idx + len(mark.text), when.isoformat(), "day", rel)


def choose_date(
    sdoc: Doc,
    dates: list[DateMention],
    anchor: Token,
    nominal: Token | None,
    occ_start: int,
    words: Words,
) -> DateMention | None:
    """The first resolved date in the trigger's clause; else the occasion's last date
    ("... G20 meeting, which took place on July 7 and July 8")."""
    # "In 2015, X started supporting Y", "On Monday, X joined the calls asking Y to ...",
    # "'We support Y,' X said Saturday": a clause without a date of its own is dated by the
    # nearest governing clause that has one
    roots = [
        (dm, sp.root)
        for dm in dates
        if dm.value is not None
        and (sp := sdoc.char_span(dm.start, dm.end, alignment_mode="expand")) is not None
        and not excluded(sp.root, words)
        and not _reference_point(sp.root, words)
    ]
    clauses = _governing_clauses(anchor, nominal)
    for head, nom in clauses:
        for dm, root in roots:
            if belongs(root, head, nom):
                return dm
    # "In a statement issued in July, X agreed": a participle modifying the clause's own
    # phrase dates it; "X accused Y of violating its airspace in August": so, when the clause
    # has no date of its own, does the act's complement (the parser's attachment of such a
    # date is arbitrary)
    for dm, root in roots:
        if _complement_date(root, anchor) or any(
            _participle_date(root, head, nom) for head, nom in clauses
        ):
            return dm
    if occ_start >= 0:
        later = [dm for dm in dates if dm.start > occ_start and dm.value is not None]
        return later[-1] if later else None
    return None
