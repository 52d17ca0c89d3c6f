"""The typing rules of config/nlp/typing.yaml applied to a mention: each rule whose conditions
hold retypes it and leaves its name on the mention's ``rule``."""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.nlp.factuality import negated_verb
from pipeline.nlp.gazetteer import CAPITAL, COUNTRY, IGO
from pipeline.nlp.lexicon import Lexicon, TypingRule, VerbRule
from pipeline.nlp.mentions import ActorMention, Mention

_ANNOUNCE = ("announce", "declare", "pledge", "promise")
#: verbs whose object is an offer ("proposed a plan for supporting Y")
_PROPOSE = ("propose", "offer", "unveil", "table")
_STATE_KINDS = (COUNTRY, "body", CAPITAL, "person", IGO)


def _unless_clause(anchor: Token) -> bool:
    return any(
        c.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ == "unless" for g in c.children)
        for c in anchor.children
    )


def _proposal_content(anchor: Token) -> bool:
    """ "proposed a plan for supporting Y", "offered a package to help Y": the act is what an
    offer holds, not yet done."""
    below = anchor
    for a in anchor.ancestors:
        if a.pos_ in ("VERB", "AUX"):
            if a.lemma_.lower() in _PROPOSE and below.dep_ == "dobj":
                return True
            if a.dep_ not in ("conj", "pcomp", "acl"):  # "a plan for rearming X and supporting Y"
                return False
        below = a
    return False


def _clause_holds(
    clause: str, m: Mention, anchor: Token, vrule: VerbRule | None, actors: list[ActorMention]
) -> bool:
    if clause == "foreign_recipient":
        return any(r not in m.actors for r in m.recipients) and bool(m.actors)
    if clause == "announced":
        return anchor.lemma_.lower() in _ANNOUNCE
    if clause == "announced_decision":
        return anchor.dep_ == "ccomp" and anchor.head.lemma_.lower() in _ANNOUNCE[:2]
    if clause == "proposal_content":
        return _proposal_content(anchor)
    if clause == "negated_verb":
        return negated_verb(anchor)
    if clause == "unless_clause":
        return _unless_clause(anchor)
    if clause == "no_state_actor":
        return bool(
            vrule is not None
            and vrule.actor_state
            and not any(a.kind in _STATE_KINDS for a in actors)
        )
    raise ValueError(f"unknown typing-rule clause {clause!r}")


def _holds(
    r: TypingRule,
    m: Mention,
    lex: Lexicon,
    anchor: Token,
    vrule: VerbRule | None,
    actors: list[ActorMention],
) -> bool:
    if r.triggers and m.rule.split("/")[0] not in r.triggers:
        return False
    if r.types and m.type not in r.types:
        return False
    if r.types_not and m.type in r.types_not:
        return False
    if r.modes and m.mode not in r.modes:
        return False
    if r.factuality and m.factuality not in r.factuality:
        return False
    if r.quad and lex.types[m.type].quad not in r.quad:
        return False
    if len(m.actors) < r.min_actors:
        return False
    return r.clause is None or _clause_holds(r.clause, m, anchor, vrule, actors)


def apply_typing(
    m: Mention,
    lex: Lexicon,
    anchor: Token,
    vrule: VerbRule | None,
    actors: list[ActorMention],
) -> None:
    """Retype ``m`` in place by every rule that holds, in file order."""
    for r in lex.typing_rules:
        if _holds(r, m, lex, anchor, vrule, actors):
            # a rule that keeps the type and names no mode keeps the mode ("discontinue")
            keep_mode = r.set_type == m.type and r.set_mode is None
            m.type, m.mode = r.set_type, m.mode if keep_mode else r.set_mode
            m.factuality = r.set_factuality or m.factuality
            m.rule = f"{m.rule}/{r.name}"
