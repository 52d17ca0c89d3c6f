"""Within-article reference for actors: a pronoun subject is the last person named, "it/they"
the last state named, a group noun ("the two leaders", "both sides") the participants in focus,
and a definite meeting noun ("the talks") the meeting in focus."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from spacy.tokens import Doc, Token

from pipeline.nlp.lexicon import Words
from pipeline.nlp.mentions import ActorMention, ArticleState, Mention, uniq_persons
from pipeline.nlp.persons import PersonInfo

_FIRST_PERSON = ("i", "we", "me", "us")
_DEFINITE = ("the", "this", "that", "their", "its")
_ANAPHORIC = (*_DEFINITE, "these", "those")
_MEETING_KINDS = ("three-way", "trilateral", "two-way", "bilateral")


def resolve_subject(
    subj: Token | None,
    amentions: list[ActorMention],
    state: ArticleState,
    words: Words,
    person_list: list[PersonInfo],
) -> tuple[list[str], bool]:
    """Actor codes for a subject with no actor of its own, and whether they came from the
    group in focus. A resolved person is put first in ``person_list``."""
    if subj is None:
        return [], False
    low = subj.lower_
    if low in _FIRST_PERSON and subj.i in state.speaker_of:
        return list(state.speaker_of[subj.i]), False  # "we" inside what X said is X
    before = [am.person for am in amentions if am.person and am.end <= subj.i]
    ref = before[-1] if before else state.last_person
    if low in words.pronoun_person and ref and ref.country:
        person_list.insert(0, ref)
        return [ref.country], False
    described = _described_person(subj, amentions, state, words)
    if described is not None and described.country:
        person_list.insert(0, described)
        return [described.country], False
    organ = institution(subj, state)
    if organ:
        return [organ], False
    prev = [am for am in amentions if am.code and am.end <= subj.i and am.person is None]
    if low in ("it", "they", "we") and prev:
        return [prev[-1].code], False
    if (
        (low in words.pronoun_group or subj.lemma_.lower() in words.group_nouns)
        and state.focus
        and subj.pos_ != "PROPN"
    ):
        return list(state.focus), True
    return [], False


def _described_person(
    subj: Token,
    amentions: list[ActorMention],
    state: ArticleState,
    words: Words,
    codes: list[str] | None = None,
) -> PersonInfo | None:
    """ "the minister", "the president", "the Pakistani envoy": the latest person named (in
    this sentence first) whose role has that word (any envoy word for an envoy) and, when the
    description names a state (``codes``), who serves it; a plural or a named subject is not a
    description."""
    lem = subj.lemma_.lower()
    if lem not in words.role_nouns or subj.tag_ != "NN":
        return None
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in subj.children):
        return None
    if any(t.pos_ == "PROPN" for t in subj.subtree) or any(c.dep_ == "conj" for c in subj.children):
        return None  # named, or "the secretary and foreign ministers" (a group)
    wanted = words.envoy_nouns if lem in words.envoy_nouns else {lem}
    here = [am.person for am in amentions if am.person and am.end <= subj.i]
    for p in [*reversed(here), *reversed(state.recent_persons)]:
        if p.role and wanted & set(p.role.split()) and (not codes or p.country in codes):
            return p
    return None


def pronoun_partner(
    subj: Token | None, codes: list[str], amentions: list[ActorMention], state: ArticleState
) -> PersonInfo | None:
    """ "He and other senior U.S. officials held talks": a "he"/"she" coordinated with a group
    that already gave the actor is the person last named, when he serves that actor."""
    if subj is None or not codes or subj.lower_ not in ("he", "she"):
        return None
    if not any(c.dep_ == "conj" for c in subj.children):
        return None
    before = [am.person for am in amentions if am.person and am.end <= subj.i]
    ref = before[-1] if before else state.last_person
    return ref if ref is not None and ref.country in codes else None


def speaker_party(
    nominal: Token, actors: list[str], recips: list[str], speaker_of: dict[int, list[str]]
) -> list[str]:
    """ "X said discussions with the IMF are progressing": talks the speaker reports with
    a single named counterpart are the speaker's own; the speaker joins the actors."""
    speaker = speaker_of.get(nominal.i, [])
    parts = set(actors) | set(recips)
    if len(parts) != 1 or not speaker or parts & set(speaker):
        return actors
    if not any(c.dep_ == "prep" and c.lower_ == "with" for c in nominal.children):
        return actors
    return [*speaker, *(a for a in actors if a not in speaker)]


def speaker_addressed(
    anchor: Token, actors: list[str], speaker_of: dict[int, list[str]], words: Words
) -> list[str]:
    """ "Chile said Peru had asked for the return of the prisoners": a request told by a
    state, naming no one it was made to, was made to the teller."""
    if anchor.lemma_.lower() not in words.addressee_verbs or anchor.pos_ != "VERB":
        return []
    if any(
        c.dep_ in ("dative", "iobj") or (c.dep_ == "dobj" and c.pos_ in ("PRON", "PROPN"))
        for c in anchor.children
    ):
        return []  # "asked them", "asked Mendez": an addressee of its own
    return [c for c in speaker_of.get(anchor.i, []) if c not in actors]


def described_speaker(
    subj: Token, codes: list[str], amentions: list[ActorMention], state: ArticleState, words: Words
) -> PersonInfo | None:
    """The person a description with a state of its own refers to ("the Pakistani envoy said":
    the latest Pakistani envoy named); the state alone already gave the actor."""
    return _described_person(subj, amentions, state, words, codes) if codes else None


def meeting_in_focus(
    nominal: Token | None, state: ArticleState, words: Words, codes: set[str]
) -> bool:
    """Whether a definite meeting noun ("the talks", "the bilateral meeting") refers to the
    meeting in focus (its named participants, if any, are among the focus)."""
    if nominal is None or nominal.lemma_.lower() not in words.coref_nouns or not state.focus:
        return False
    definite = any(
        c.dep_ in ("det", "poss") and c.lower_ in _DEFINITE for c in nominal.children
    ) or any(c.dep_ == "amod" and c.lower_ in _MEETING_KINDS for c in nominal.children)
    return definite and codes <= set(state.focus)


def update_focus(out: list[Mention], state: ArticleState) -> None:
    """The participants of the sentence's first asserted meeting (or multi-actor event)."""
    for m in out:
        if m.type == "CONSULT" and len(m.participants()) >= 2 and m.factuality == "asserted":
            state.focus = [*m.actors, *[r for r in m.recipients if r not in m.actors]]
            return
        if len(m.actors) >= 2 and not m.from_group:
            state.focus = list(m.actors)
            return


def summit_members(
    mentions: list[Mention], is_body: Callable[[str], bool], delegates: frozenset[str]
) -> list[Mention]:
    """A body acting at its own meeting acts with the states reported taking part (the
    guide: "a summit of a body: actors = body code + the states explicitly reported taking
    part"): an act whose sole actor is the body, dated within the meeting's days (or
    undated), gets the meeting's states as co-actors; the body meeting again in those days is
    the same meeting. Returns the mentions left."""
    members: dict[str, tuple[Mention, list[str]]] = {}
    for m in mentions:
        if m.type != "CONSULT" or m.factuality not in ("asserted", "future"):
            continue
        parts = [*m.actors, *m.recipients]
        if any(is_body(c) for c in parts):
            # "a summit where Presidents X of A and Y of B signed ...": those acting at the
            # meeting, in the same sentence, take part in it
            acts = [o for o in mentions if o is not m and o.evidence.start == m.evidence.start]
            here = list(
                dict.fromkeys(
                    c for o in acts for c in o.actors if not is_body(c) and c not in parts
                )
            )
            if here:
                m.actors.extend(here)
                parts += here
                m.persons = uniq_persons(m.persons + [p for o in acts for p in o.persons])
                m.date = m.date or next((o.date for o in acts if o.date), None)
        states = [c for c in parts if not is_body(c)]
        for body in (c for c in parts if is_body(c)):
            if len(states) >= 2 and body not in members:
                members[body] = (m, states)
    attendees = {
        body: _attendees(mentions, mt, states, delegates) for body, (mt, states) in members.items()
    }
    for body, (meeting, _) in members.items():
        meeting.persons = uniq_persons(meeting.persons + attendees[body])
    folded: set[int] = set()
    for m in mentions:
        if len(m.actors) != 1 or m.actors[0] not in members:
            continue
        meeting, states = members[m.actors[0]]
        if m is meeting or not _near(m, meeting):
            continue
        if _same_meeting(m, meeting, states):
            _fold(m, meeting)
            folded.add(id(m))
            continue
        m.actors = [m.actors[0], *(s for s in states if s not in m.recipients)]
        m.persons = uniq_persons(m.persons + attendees[m.actors[0]])
    return [m for m in mentions if id(m) not in folded]


def _same_meeting(m: Mention, meeting: Mention, states: list[str]) -> bool:
    """ "The G7 talks brought together ministers from A, B and C", later "G7 ministers
    discussed ...", "on Friday they held a session": the body meeting again within the
    meeting's days is the same meeting told again (the guide's one event per happening)."""
    return (
        m.type == "CONSULT"
        and m.factuality == meeting.factuality
        and set(m.recipients) <= set(states)
    )


def _fold(m: Mention, meeting: Mention) -> None:
    """Merge a later mention of a meeting into it, keeping its evidence; a meeting told on
    several days is dated by the last (the day it ends, which the news reports)."""
    meeting.members.extend(m.members)
    meeting.persons = uniq_persons(meeting.persons + m.persons)
    if meeting.date is None or (
        m.date is not None
        and m.date.precision == meeting.date.precision == "day"
        and (m.date.value or "") > (meeting.date.value or "")
    ):
        meeting.date = m.date
    if meeting.place is None and m.place is not None:
        meeting.place, meeting.place_text = m.place, m.place_text


def _attendees(
    mentions: list[Mention], meeting: Mention, states: list[str], delegates: frozenset[str]
) -> list[PersonInfo]:
    """Ministers and leaders of the member states who act, dated, during a body's meeting
    the article reports ("Canadian Foreign Minister X said" at the G7 talks): they take part
    in it and in what the body does there (a spokesperson speaking at home does not)."""
    return uniq_persons(
        [
            p
            for o in mentions
            if o.date is not None and _near(o, meeting) and o.factuality == "asserted"
            for p in o.persons
            if p.country in states and p.role and delegates & set(p.role.split())
        ]
    )


def _near(a: Mention, b: Mention, days: int = 3) -> bool:
    """Undated, or dated within a few days of each other (a summit spans days)."""
    va, vb = (a.date.value if a.date else None), (b.date.value if b.date else None)
    if not va or not vb:
        return True
    if len(va) == len(vb) == 10:
        return abs((date.fromisoformat(va) - date.fromisoformat(vb)).days) <= days
    return va.startswith(vb) or vb.startswith(va)


def anaphor_recipients(
    anchor: Token,
    actors: list[str],
    state: ArticleState,
    words: Words,
    noun_types: dict[str, str],
) -> list[str]:
    """ "X rejected the resolution", "X condemned the attack": a definite object that refers
    back to an earlier act makes whoever did it the recipient (an event noun such as "attack"
    refers to an act of its type, another noun to an act whose sentence uses it)."""
    for obj in anchor.children:
        lem, form = obj.lemma_.lower(), obj.lower_
        if obj.dep_ != "dobj" or not {lem, form} & words.event_anaphors:
            continue
        if not any(c.dep_ in ("det", "poss") and c.lower_ in _ANAPHORIC for c in obj.children):
            continue
        # an event noun refers to an act of its type; another noun to an act whose sentence
        # uses it, or (config anaphor_types: "the request") to an act of the type it names
        typ = noun_types.get(lem)
        told_as = words.anaphor_types.get(lem)
        for m in reversed(state.history):
            if not m.actors or set(m.actors) & set(actors):
                continue
            told = m.evidence.text.lower()
            if (typ is not None and m.type == typ) or (
                typ is None and (f" {lem}" in told or f" {form}" in told or m.type == told_as)
            ):
                return list(m.actors)
    return []


#: sectors whose definite head nouns refer back to a state's organ ("the embassy", "the
#: ministry", "the parliament"); "the military" or "the court" are left alone: they are as often
#: another state's, or the domestic side of the story
COREF_SECTORS = ("GOV", "LEG")


def note_institutions(
    sdoc: Doc,
    amentions: list[ActorMention],
    state: ArticleState,
    sector_nouns: dict[str, str],
    is_body: Callable[[str], bool],
) -> None:
    """Remember which state's organ each organ noun last named ("the US Embassy" -> embassy:
    USA), so that a later "the embassy" refers to it; an international body's organ of any
    kind too ("the United Nations' highest court" -> court: UNO), as no state shares it."""
    for am in amentions:
        if not am.code or am.person is not None:
            continue
        root = sdoc[am.start : am.end].root
        head = root.head
        if root.dep_ in ("compound", "amod", "poss", "nmod") and head.i != root.i:
            lem = head.lemma_.lower()
            sector = sector_nouns.get(lem)
            if sector in COREF_SECTORS or (sector is not None and is_body(am.code)):
                state.institutions[lem] = am.code


def institution(tok: Token, state: ArticleState) -> str | None:
    """The state of a definite organ noun named earlier ("the embassy declined"), or of the
    organ whose officer the noun is ("the court's president rejected")."""
    lem = tok.lemma_.lower()
    if lem not in state.institutions or tok.pos_ == "PROPN":
        owner = next((c for c in tok.children if c.dep_ == "poss"), None)
        return institution(owner, state) if owner is not None else None
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
        return None
    return state.institutions[lem]
