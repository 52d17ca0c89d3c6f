"""Which state or body a titled person serves, read off the words around the title or name:
"Japanese Foreign Minister X", "British Deputy U.N. Ambassador X", "Quebec Premier X", "X of
Nigeria". Codes are the gazetteer's actor codes (a body's officials carry the body's code)."""

from __future__ import annotations

import re

from pipeline.nlp.gazetteer import CAPITAL, COUNTRY, ActorEntry, Gazetteer

#: titles of envoys: "British U.N. Ambassador X" is Britain's envoy at the body, not the body's
_ENVOY_TITLE = re.compile(
    r"(?i:(?:deputy|permanent|special|acting)\s+)*(?i:ambassador|envoy|representative)\b"
)
_OF_ACTOR = re.compile(r"\s+of\s+(?:the\s+)?([A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*){0,2})")


def country_before(gaz: Gazetteer, text: str, end: int, window: int = 40) -> str | None:
    """Actor code named closest before ``end`` ("Japanese" in "Japanese Foreign Minister")."""
    chunk = text[max(0, end - window) : end]
    best: tuple[int, str] | None = None
    state: str | None = None
    for m in re.finditer(r"[A-Z][\w\.'\-]*(?:\s+[A-Z][\w\.'\-]*){0,3}", chunk):
        # "United Nations-appointed", "U.S.-backed": the body or state before the suffix
        words = [re.sub(r"-[a-z]+$", "", w) for w in m.group(0).split()]
        for i in range(len(words)):
            for j in range(len(words), i, -1):
                cand = " ".join(words[i:j]).removesuffix("'s").rstrip("'")
                end_j = m.start() + len(" ".join(words[:j]))
                a = gaz.actor(cand) or _local(gaz, cand, chunk, end_j)
                if a is not None:  # a state, or a body: its officials carry its code
                    pos = m.start() + len(" ".join(words[:j]))
                    if a.kind == CAPITAL and len(chunk) - pos > 3:
                        break  # "for Beijing on Thursday, President X": a place, not his state
                    if best is None or pos >= best[0]:
                        best = (pos, a.code)
                    if not gaz.is_igo(a.code):
                        state = a.code
                    break
    if best and state and gaz.is_igo(best[1]) and _ENVOY_TITLE.match(text, end):
        return state  # "British Deputy U.N. Ambassador": Britain's envoy
    return best[1] if best else None


def _local(gaz: Gazetteer, cand: str, chunk: str, pos: int) -> ActorEntry | None:
    """ "Quebec Premier X", "Alberta's health minister X": a region right before the title
    makes a domestic official of its state (the guide codes them to the state); a town's
    name is left alone, as many are shared across states."""
    place = gaz.place(cand)
    if place is None or place.country is None or place.lat is not None:
        return None
    if chunk[pos:].strip(" '\u2019s"):
        return None
    return ActorEntry(place.country, COUNTRY)


def country_after(gaz: Gazetteer, text: str, end: int) -> str | None:
    """State or body of "X of Nigeria" / "X of NATO" right after a name."""
    m = _OF_ACTOR.match(text, end)
    a = gaz.actor(m.group(1)) if m else None
    return a.code if a else None
