"""Actors of a parsed sentence: the article's persons (by name, alias or surname) and every
country, capital, demonym or body the gazetteer knows, with the sector the context gives."""

from __future__ import annotations

import re

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.nlp.gazetteer import CAPITAL, COUNTRY, IGO, Gazetteer
from pipeline.nlp.mentions import ActorMention, ArticleState
from pipeline.nlp.persons import PersonInfo


def _person_matches(text: str, persons: list[PersonInfo]) -> list[tuple[PersonInfo, re.Match[str]]]:
    """Where the article's persons are named in ``text``: full name, alias or surname."""
    out: list[tuple[PersonInfo, re.Match[str]]] = []
    for p in persons:
        pats = [re.escape(p.name).replace(r"\ ", r"[\s\-]+").replace(r"\-", r"[\s\-]+")]
        pats += [re.escape(a) for a in (p.official.aliases if p.official else ())]
        pats += [re.escape(k) for k in p.surname_keys]
        for pat in pats:
            out += [(p, m) for m in re.finditer(rf"\b{pat}\b", text, re.I if pat.count(" ") else 0)]
    return out


def actor_mentions(
    sdoc: Doc,
    state: ArticleState,
    gaz: Gazetteer,
    matcher: PhraseMatcher,
    heads: frozenset[str] = frozenset(),
    admin_nouns: frozenset[str] = frozenset(),
) -> list[ActorMention]:
    """Every actor named in the sentence, longest span first when they overlap. ``heads``:
    name heads that make a following proper name not the state ("Airlines", "Sea");
    ``admin_nouns``: nouns a leader's name modifies to name the state ("administration")."""
    spans: list[Span] = []
    persons: dict[tuple[int, int], PersonInfo] = {}
    for p, m in _person_matches(sdoc.text, state.persons):
        sp = sdoc.char_span(m.start(), m.end(), alignment_mode="expand")
        if sp is not None:
            spans.append(sp)
            persons[(sp.start, sp.end)] = p
    for _, s, e in matcher(sdoc):
        spans.append(sdoc[s:e])
    out: list[ActorMention] = []
    for sp in filter_spans(spans):
        found = persons.get((sp.start, sp.end))
        if found is not None:
            code, sector = (found.country, "GOV") if found.country else ("", None)
            out.append(ActorMention(code, "person", sector, sp.start, sp.end, sp.text, found))
            continue
        entry = gaz.actor(sp.text)
        if entry is None:
            continue
        # "Washington Post", "Japan Times": a country word inside a larger proper name
        nxt = sdoc[sp.end] if sp.end < len(sdoc) else None
        if (
            nxt is not None
            and nxt.pos_ == "PROPN"
            and nxt.ent_type_ in ("ORG", "WORK_OF_ART")
            and entry.kind in (COUNTRY, CAPITAL)
            and not _state_organ(sdoc, sp.end, gaz)
        ):
            continue
        if entry.kind != IGO and _inside_name(sdoc, sp.end, heads):
            continue  # "American Airlines", "South China Sea", "Russian Orthodox Church"
        sector = entry.sector or _sector(sp, gaz)
        out.append(
            ActorMention(
                entry.code, entry.kind, sector, sp.start, sp.end, sp.text, None, entry.body
            )
        )
    _mark_principals(sdoc, out, admin_nouns)
    return out


def _mark_principals(sdoc: Doc, out: list[ActorMention], admin_nouns: frozenset[str]) -> None:
    """ "President X's special envoy, Y, met Z": Y takes part, X only sent him. A person who
    possesses a noun that has another named person in apposition (or compound) is marked; so
    is one naming an administration ("the Trump administration" is the state acting)."""
    heads = {
        sdoc[o.start : o.end].root.head.i
        for o in out
        if o.person and sdoc[o.start : o.end].root.dep_ in ("appos", "compound")
    }
    for am in out:
        root = sdoc[am.start : am.end].root
        if am.person and root.dep_ == "poss" and root.head.i in heads:
            am.principal = True
        if am.person and root.dep_ == "compound" and root.head.lemma_.lower() in admin_nouns:
            am.principal = True


_ORGAN_SECTORS = ("GOV", "MIL", "LEG", "JUD", "COP")


def _state_organ(sdoc: Doc, end: int, heads_of: Gazetteer) -> bool:
    """Whether the proper name after a country is one of its organs ("United States Department
    of Transportation", "US Embassy"), not a newspaper or company ("Washington Post")."""
    words = [t.lower_ for t in sdoc[end : end + 5]]
    for k, tok in enumerate(sdoc[end : end + 4]):
        if not tok.text[:1].isupper():
            return False
        for n in (1, 3):  # "Department", "House of Representatives"
            if heads_of.sector_nouns.get(" ".join(words[k : k + n])) in _ORGAN_SECTORS:
                return True
    return False


def _inside_name(sdoc: Doc, end: int, heads: frozenset[str]) -> bool:
    """Whether the capitalised words right after a span end in a non-state name head; names
    coordinated before a shared head count too ("the Indian and Pacific Ocean", "the South
    China and East China Seas")."""
    for k, tok in enumerate(sdoc[end : end + 7]):
        if tok.lower_ == "and" and _capitalised(sdoc, end + k + 1):
            continue
        if not tok.text[:1].isupper():
            return False
        if tok.lower_ in heads:
            return True
    return False


def _capitalised(sdoc: Doc, i: int) -> bool:
    return i < len(sdoc) and sdoc[i].text[:1].isupper()


def _sector(sp: Span, gaz: Gazetteer) -> str | None:
    """The sector of a country word from the noun it modifies ("Iranian police" -> COP)."""
    root = sp.root
    head = root.head
    if root.dep_ == "pobj" and head.dep_ == "prep" and head.lemma_ == "of":
        head = head.head
    if root.dep_ in ("compound", "amod", "poss", "nmod", "pobj") and head.i != root.i:
        words = [head.lower_]
        words += [
            f"{c.lower_} {head.lower_}" for c in head.children if c.dep_ in ("compound", "amod")
        ]
        for w in reversed(words):
            s = gaz.sector_nouns.get(w)
            if s:
                return s
    return None


def update_last_person(amentions: list[ActorMention], state: ArticleState) -> None:
    """Remember the last person named, for "he"/"she" in later sentences."""
    ps = [am.person for am in amentions if am.person]
    if ps:
        state.last_person = ps[-1]
        state.recent_persons.extend(ps)


def note_persons_named(raw: str, state: ArticleState) -> None:
    """A sentence the cascade leaves unparsed can still name the person a later "he" means:
    remember the persons it names, in text order, as :func:`update_last_person` does."""
    found = sorted(
        _person_matches(raw, state.persons), key=lambda pm: (pm[1].start(), -pm[1].end())
    )
    ps: list[PersonInfo] = []
    end = -1
    for p, m in found:
        if m.start() >= end:  # the longest name at a place, as overlapping spans are filtered
            ps.append(p)
            end = m.end()
    if ps:
        state.last_person = ps[-1]
        state.recent_persons.extend(ps)
