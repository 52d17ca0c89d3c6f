"""Date and place of an event, not of the article: the date mention in the trigger's clause
(else the occasion's last day), the place named after a locative preposition, and the occasion
("on the sidelines of the G20 summit") normalized to a body and a level."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from pipeline.nlp.arguments import Roles, belongs, excluded, locative
from pipeline.nlp.dates import DateMention
from pipeline.nlp.gazetteer import IGO, Gazetteer
from pipeline.nlp.lexicon import Words
from pipeline.nlp.mentions import ActorMention
from pipeline.nlp.officials import PersonInfo

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
        if locative(ent.root, words) is None or not (
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
    for dm in dates:
        sp = sdoc.char_span(dm.start, dm.end, alignment_mode="expand")
        if sp is None or dm.value is None:
            continue
        if belongs(sp.root, anchor, nominal) and not excluded(sp.root, words):
            return dm
    if occ_start >= 0:
        later = [dm for dm in dates if dm.start > occ_start and dm.value is not None]
        return later[-1] if later else None
    return None
