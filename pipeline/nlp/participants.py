"""Who took part in one triggered event: actor and recipient codes and the persons named.

The parse gives roles (:mod:`~pipeline.nlp.arguments`); this stage fills what the parse leaves
open from the article (the group or person in focus, the perpetrator behind an event anaphor,
the institution named earlier, the meeting being talked about) and applies the guide's
conventions for unnamed domestic actors and the place as the target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Token

from pipeline.nlp.arguments import Roles
from pipeline.nlp.coref import (
    anaphor_recipients,
    institution,
    meeting_in_focus,
    pronoun_partner,
    resolve_subject,
    speaker_addressed,
    speaker_party,
)
from pipeline.nlp.lexicon import Lexicon, Words
from pipeline.nlp.mentions import ActorMention, ArticleState, uniq
from pipeline.nlp.persons import PersonInfo
from pipeline.nlp.triggers import Trigger


@dataclass(slots=True)
class Participants:
    """Actor and recipient codes of one event and the persons taking part."""

    actors: list[str]
    recipients: list[str]
    persons: list[PersonInfo] = field(default_factory=list)
    from_group: bool = False
    coref: bool = False


def participants(
    trig: Trigger, roles: Roles, amentions: list[ActorMention], state: ArticleState, lex: Lexicon
) -> Participants | None:
    """The event's participants, or None when it has no actor a reader could name."""
    anchor, nominal, words = trig.anchor, trig.nominal, lex.words
    subj = roles.subj
    persons = [a.person for a in roles.actors + roles.recips if a.person and not a.principal]
    actors = uniq([a.code for a in roles.actors if a.code])
    from_group = False
    if not actors:
        actors, from_group = resolve_subject(subj, amentions, state, words, persons)
        addressed = {r.code for r in roles.recips}
        if from_group and set(actors) - addressed:
            # "they called on China": the group in focus, less whom it addresses
            actors = [c for c in actors if c not in addressed]
    partner = pronoun_partner(subj, actors, amentions, state)
    if partner is not None and not persons:
        persons.insert(0, partner)
    recips = [c for c in uniq([r.code for r in roles.recips if r.code]) if c not in actors]
    if actors and not recips and nominal is None:
        recips = _implicit_recipients(anchor, actors, state, lex)
    coref = meeting_in_focus(nominal, state, words, set(actors + recips))
    if coref:
        actors, recips = list(state.focus), []
    elif trig.type == "CONSULT" and nominal is not None:
        actors = speaker_party(nominal, actors, recips, state.speaker_of)
    place = roles.place
    if not actors:
        if _bare_unknown_name(subj, state, words):
            return None  # a private person is no actor, not even of the place's state
        if (
            place is not None
            and place.country
            and subj is not None
            and subj.pos_ != "PRON"
            # "the group opposes investment in X": a standing position, not a local's act
            and trig.anchor.tag_ not in ("VBZ", "VBP")
        ):
            actors, from_group = [place.country], True  # unnamed domestic actor: where it was
        elif not _named(subj):
            return None
    _place_as_target(trig, roles, actors, recips)
    return Participants(actors, recips, persons, from_group, coref)


def _implicit_recipients(
    anchor: Token, actors: list[str], state: ArticleState, lex: Lexicon
) -> list[str]:
    """ "condemned the attack": the attack's perpetrator; "the embassy": its state; "Chile
    said Peru had asked for ...": the teller (:func:`speaker_addressed`)."""
    noun_types = {n: t for n, (t, _) in lex.nouns.items()}
    found = anaphor_recipients(anchor, actors, state, lex.words, noun_types)
    return (
        found
        or [
            c
            for o in anchor.children
            if o.dep_ == "dobj" and (c := institution(o, state)) and c not in actors
        ]
        or speaker_addressed(anchor, actors, state.speaker_of, lex.words)
    )


def _named(subj: Token | None) -> bool:
    """A named but unresolved subject ("President Yoweri Museveni", "the Umma party") still
    makes an event; a pronoun or a missing subject does not."""
    return (
        subj is not None
        and subj.pos_ != "PRON"
        and (subj.pos_ == "PROPN" or any(c.pos_ == "PROPN" for c in subj.subtree))
    )


def _bare_unknown_name(subj: Token | None, state: ArticleState, words: Words) -> bool:
    """ "Sirhan opposed ...", "Cengiz traveled to ...": a bare surname, later mention of
    someone the article named in full ("Hatice Cengiz") but never with a role (officials are
    learned with theirs), is a private person, not an actor (the guide's rule 5). "President
    X", "the Umma party" or a name first met here still make an event."""
    if subj is None or subj.pos_ != "PROPN":
        return False
    if any(c.dep_ not in ("appos", "punct") for c in subj.children):
        return False  # "President X", "the X party": a title or a name of more words
    if subj.text in state.surnames or any(subj.text in p.name.split() for p in state.persons):
        return False
    titles = words.role_nouns | words.official_nouns
    return any(
        m.group(1).lower() not in titles
        for m in re.finditer(rf"\b([A-Z][\w'-]+) {re.escape(subj.text)}\b", state.text)
    )


def _place_as_target(trig: Trigger, roles: Roles, actors: list[str], recips: list[str]) -> None:
    """ "lifted the curfew in Montenegro": the place's state is the target (not for meetings,
    whose place is only where they happened, except a visit's)."""
    place = roles.place
    if (
        (trig.type != "CONSULT" or trig.mode == "visit")
        and place is not None
        and place.country
        and place.country not in actors
        and place.country not in recips
    ):
        recips.append(place.country)
