"""Who did what to whom: the subject, agent and complements of a trigger from the dependency
parse, and which actor mentions of the sentence are its actors, recipients or place."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from pipeline.nlp.gazetteer import CAPITAL, COUNTRY, Gazetteer, PlaceEntry
from pipeline.nlp.lexicon import Words
from pipeline.nlp.mentions import ActorMention

SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj", "expl"}
CHAIN_DEPS = {"xcomp", "ccomp"}
#: dependencies through which a subject is inherited from the governing clause
_SUBJECT_CLIMB = {
    "xcomp",
    "conj",
    "advcl",
    "ccomp",
    "acomp",
    "dobj",
    "pcomp",
    "prep",
    "pobj",
    "oprd",
}


@dataclass(slots=True)
class Roles:
    """The trigger's participants as the parse gives them."""

    subj: Token | None
    passive: bool
    subj_tokens: set[int]
    actors: list[ActorMention] = field(default_factory=list)
    recips: list[ActorMention] = field(default_factory=list)
    place: PlaceEntry | None = None
    place_text: str | None = None


def chain(tok: Token) -> list[Token]:
    """The verb governing a token, then its governors through xcomp/ccomp."""
    t = tok
    while t.head.i != t.i and t.pos_ not in ("VERB", "AUX"):
        t = t.head
    out = [t]
    while t.dep_ in CHAIN_DEPS and t.head.i != t.i:
        t = t.head
        out.append(t)
    return out


def belongs(tok: Token, anchor: Token, nominal: Token | None) -> bool:
    """Whether a token is part of the trigger's clause (or of its event noun phrase)."""
    if nominal is not None and (tok.i == nominal.i or nominal in tok.ancestors):
        t = tok
        while t.i != nominal.i:
            if t.pos_ in ("VERB", "AUX") and t.i != tok.i:
                return False
            t = t.head
        return True
    start = tok.head if tok.pos_ in ("VERB", "AUX") and tok.head.i != tok.i else tok
    return anchor in chain(start) or (tok.pos_ in ("VERB",) and tok.i == anchor.i)


def subject(anchor: Token) -> tuple[Token | None, bool]:
    """The subject of the trigger, climbing to governing clauses; and whether it is passive."""
    t: Token | None = anchor
    seen = 0
    while t is not None and seen < 6:
        seen += 1
        for c in t.children:
            if c.dep_ in SUBJ_DEPS:
                return c, c.dep_ == "nsubjpass"
        if t.dep_ == "acl" and t.tag_ == "VBG" and t.head.dep_ in ("dobj", "attr", "pobj"):
            # "posted a message blaming Iran": the poster blames, not the message
            t = t.head.head
            continue
        if t.dep_ in ("relcl", "acl") and t.head.i != t.i:
            return t.head, False
        if t.dep_ in _SUBJECT_CLIMB and t.head.i != t.i:
            t = t.head
            continue
        break
    return None, False


def excluded(tok: Token, words: Words) -> bool:
    """Inside an attribution ("according to ..."), a topic phrase ("talks about Syria") or
    the object of a verb of discussing ("discussed Syria's future")."""
    for a in [tok, *tok.ancestors]:
        if a.lower_ == "according":
            return True
        if a.dep_ == "prep" and (
            a.lower_ in words.topic_preps
            or (a.lower_ == "to" and a.head.lower_ in ("according", "addition"))
        ):
            return True
        if a.dep_ == "dobj" and a.head.lemma_.lower() in words.topic_verbs:
            return True  # "discussed China's role": what is talked about takes no part
        if a.pos_ in ("VERB", "AUX"):
            return False
    return False


def locative(tok: Token, words: Words) -> Token | None:
    """The locative preposition governing a place token ("in Rio", "on the island of Bali",
    "a visit to Lima")."""
    t = tok
    for _ in range(4):
        if t.dep_ == "pobj" and (
            t.head.lower_ in words.locative_preps
            or (t.head.lower_ == "on" and t.lemma_.lower() in words.place_nouns)
            or (
                t.head.lower_ in ("to", "into")
                and t.head.head.lemma_.lower() in words.destination_heads
            )
        ):
            return t.head
        if _names_a_matter(t, words):
            return None  # "in the Russia-Ukraine war": the state names the war, not a place
        if t.dep_ in ("pobj", "compound", "appos", "conj") or (
            t.dep_ == "prep" and t.lower_ == "of"
        ):
            t = t.head
            continue
        return None
    return None


def noun_agents(noun: Token) -> list[Token]:
    """The agent phrases of an event noun: "a visit by X", "X's visit" (a named possessor)."""
    return [
        c
        for c in noun.children
        if (c.dep_ == "prep" and c.lower_ == "by" and any(g.dep_ == "pobj" for g in c.children))
        or (c.dep_ == "poss" and c.pos_ == "PROPN")
    ]


def _names_a_matter(tok: Token, words: Words) -> bool:
    """A state naming a war, deal or dispute ("the Russia-Ukraine war", "the Iran deal")."""
    return (
        tok.dep_ == "compound"
        and tok.head.pos_ == "NOUN"
        and tok.head.lemma_.lower() in words.non_place_heads
    )


def in_a_matter(tok: Token, words: Words) -> bool:
    """ "a ceasefire in the Russia-Ukraine war": a state naming the matter an act is set in
    is neither its place nor a party to it."""
    head = tok
    while head.dep_ == "compound" and not _names_a_matter(head, words):
        head = head.head
    return (
        _names_a_matter(head, words)
        and head.head.dep_ == "pobj"
        and head.head.head.lower_ in words.locative_preps
    )


def is_military(tok: Token, words: Words) -> bool:
    """A troop noun, or "a (first) deployment of troops"."""
    mil = words.military_nouns
    if tok.lemma_.lower() in mil or tok.lower_ in mil:
        return True
    return any(
        p.dep_ == "prep"
        and p.lower_ == "of"
        and any(
            g.dep_ == "pobj" and (g.lemma_.lower() in mil or g.lower_ in mil) for g in p.children
        )
        for p in tok.children
    )


def _subject_tokens(subj: Token | None, nominal: Token | None) -> set[int]:
    if nominal is not None and subj is not None and subj.i == nominal.i:
        return {t.i for t in nominal.subtree}
    out = {t.i for t in subj.subtree} if subj is not None else set()
    if subj is not None and subj.dep_ == "nsubj":
        # a coordinated subject split by the parser: "the diplomats of A, B, and C met" can
        # come out as two nsubj children of the verb
        for sib in subj.head.children:
            if sib.dep_ == "nsubj" and sib.i != subj.i:
                out |= {t.i for t in sib.subtree}
    return out


def assign_roles(
    sdoc: Doc,
    anchor: Token,
    nominal: Token | None,
    mode: str | None,
    amentions: list[ActorMention],
    gaz: Gazetteer,
    words: Words,
    skip: tuple[int, int],
) -> Roles:
    """Actors (subject or passive agent), recipients (the rest of the clause) and the place
    (a country or capital governed by a locative preposition). Mentions whose first character
    falls in ``skip`` (an occasion phrase) take no part."""
    subj, passive = subject(anchor)
    roles = Roles(subj, passive, _subject_tokens(subj, nominal))
    agent_tokens = _agent_tokens(anchor, nominal, passive)
    destined = False  # the place is a visit's destination
    for am in amentions:
        tok = sdoc[am.start : am.end].root
        if excluded(tok, words) or skip[0] <= tok.idx < skip[1] or in_a_matter(tok, words):
            continue
        prep = locative(tok, words) if am.kind in (COUNTRY, CAPITAL) else None
        if prep is not None and am.person is None and am.start not in roles.subj_tokens:
            if belongs(tok, anchor, nominal):
                destined = _locative_place(roles, am, prep, mode, gaz, destined)
            continue
        if (
            mode == "visit"
            and am.kind in (COUNTRY, CAPITAL)
            and tok.dep_ == "dobj"
            and tok.head.i == anchor.i
            and roles.place is None
        ):
            # "X visited Peru": the host named as the object is also where the visit is
            roles.place, roles.place_text = gaz.place(am.text), am.text.removeprefix("the ")
        if am.start in agent_tokens:
            roles.actors.append(am)
        elif am.start in roles.subj_tokens:
            (roles.recips if passive and agent_tokens else roles.actors).append(am)
        elif belongs(tok, anchor, nominal) or _agent_of_object(tok, anchor):
            roles.recips.append(am)
    return roles


def _agent_tokens(anchor: Token, nominal: Token | None, passive: bool) -> set[int]:
    """Tokens of the act's named agent: a passive's "by" phrase, an event noun's own agent."""
    agent_tokens: set[int] = set()
    if passive:
        for c in anchor.children:
            if c.dep_ == "agent":
                agent_tokens = {t.i for t in c.subtree}
    if nominal is not None:
        # "a visit by X to Y", "X's visit": the event noun's own agent is its actor
        agent_tokens |= {t.i for c in noun_agents(nominal) for t in c.subtree}
    return agent_tokens


def _locative_place(
    roles: Roles,
    am: ActorMention,
    prep: Token,
    mode: str | None,
    gaz: Gazetteer,
    destined: bool,
) -> bool:
    """A country or capital after a locative preposition of the clause ("in Y", "to Y"): the
    place when none is set yet, when it is a visit's destination, or when it has coordinates
    the place set lacks; and a visit's recipient. Returns whether the place is now a visit's
    destination (``destined`` in, updated out): a destination is never replaced."""
    cand = gaz.place(am.text)
    # a visit's destination ("a visit to Y") is where it happened, whatever other
    # place the clause names ("said in a statement ... done in the UK")
    to_destination = mode == "visit" and prep.lower_ in ("to", "into")
    if cand and (
        roles.place is None
        or (to_destination and not destined)
        or (roles.place.lat is None and cand.lat is not None and not destined)
    ):
        roles.place, roles.place_text = cand, am.text.removeprefix("the ")
        destined = destined or to_destination
    if mode == "visit":
        roles.recips.append(am)
    return destined


def _agent_of_object(tok: Token, anchor: Token) -> bool:
    """ "rejected the allegations made by Y", "denounced the sanctions imposed by Y": the
    agent of a participle modifying the trigger's object is whom the act is aimed at."""
    below = tok
    for a in tok.ancestors:
        if a.pos_ in ("VERB", "AUX"):
            by_agent = below.dep_ == "agent" or (below.dep_ == "prep" and below.lower_ == "by")
            governor = next((h for h in a.ancestors if h.pos_ in ("VERB", "AUX")), None)
            return (
                by_agent
                and a.dep_ == "acl"
                and a.tag_ == "VBN"
                and governor is not None
                and governor.i == anchor.i
            )
        below = a
    return False
