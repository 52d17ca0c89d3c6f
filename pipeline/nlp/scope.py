"""The guide's scope rule 1 at article level: an event needs a named counterpart.

Several states named side by side ("A, B and C pledged funds", "both A and B rejected the
claims") doing a directed act with no recipient have no counterpart: the act is told, but it
is not an international event between them (unlike two states agreeing, cooperating or
fighting, which ``config/nlp/ontology.yaml`` marks ``counterpart: mutual``, or signing and
establishing ties, whose trigger rules are ``mutual``).
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.mentions import ActorMention, Mention
from pipeline.nlp.types import ExtractedEvent


def _conj_top(t: Token) -> Token:
    while t.dep_ == "conj" and t.head.i != t.i:
        t = t.head
    return t


def side_by_side(sdoc: Doc, actors: list[ActorMention]) -> bool:
    """Whether two actors with different codes are coordinated ("A and B", "A, B and C"),
    not one name inside another ("the US ambassador to Germany")."""
    tops: dict[int, set[str]] = {}
    for am in actors:
        if not am.code:
            continue
        root = sdoc[am.start : am.end].root
        tops.setdefault(_conj_top(root).i, set()).add(am.code)
    return any(len(codes) >= 2 for codes in tops.values())


def lacks_counterpart(m: Mention, e: ExtractedEvent, lex: Lexicon) -> bool:
    """A directed act (``counterpart: required``, trigger not ``mutual``) of states named side
    by side, with no recipient."""
    return (
        m.joint
        and not m.mutual
        and not e.recipients
        and len(set(e.actors)) >= 2
        and lex.types[e.type].counterpart == "required"
    )
