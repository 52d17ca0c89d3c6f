"""Which triggers of a sentence stand as events of their own (the stage after
:func:`pipeline.nlp.triggers.find_triggers`): not governed by another trigger, not a bare
non-finite clause; an agreement to attack is a threat and a decision to act is the act."""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.nlp.lexicon import Words
from pipeline.nlp.triggers import Trigger

#: types of verbal acts (statements, demands, promises), which participles can carry
VERBAL = frozenset({"ACCUSE", "REQUEST", "REJECT", "SUPPORT", "AGREE", "THREATEN"})
#: verbs of taking part in a meeting ("spoke at the summit", "in New York to attend the UN
#: General Assembly"): an act of its own even as a participle or purpose clause
TAKE_PART = frozenset({"speak", "address", "participate", "attend"})


def select_triggers(triggers: list[Trigger], words: Words) -> list[Trigger]:
    """The triggers that are events of their own: not governed by another trigger (except
    through coordination), not a bare non-finite clause; an agreement to attack is a threat
    and a decision to act is the act."""
    anchors = {t.anchor.i for t in triggers}
    kept = []
    for trig in triggers:
        anchor = trig.anchor
        if _own_clause(anchor):
            kept.append(trig)
            continue
        t = anchor
        dominated = False
        only_conj = True
        # "urged Y to reconsider and spoke with Z": a finite verb parsed as the conjunct of an
        # infinitive is coordinate with the governing verb, not part of what was urged
        if anchor.dep_ == "conj" and anchor.tag_ in _FINITE and anchor.head.tag_ == "VB":
            t = anchor.head.head if anchor.head.dep_ == "xcomp" else anchor.head
        while t.head.i != t.i:
            if t.dep_ != "conj":
                only_conj = False
            t = t.head
            if t.i in anchors and t.i != anchor.i and not only_conj:
                dominated = True
                break
        nonfinite = anchor.dep_ in ("advcl", "acl", "relcl", "pcomp", "amod", "npadvmod") and (
            (anchor.tag_ in ("VBG", "VBN") and anchor.dep_ != "relcl")
            or any(c.dep_ == "aux" and c.lower_ == "to" for c in anchor.children)
        )
        # "..., blaming X", "committing to send troops": a participle adding a verbal act of
        # the same subject is an event of its own; so is taking part in a meeting ("Speaking
        # at a UN meeting, X said ...")
        verbal = (
            anchor.tag_ == "VBG"
            and anchor.dep_ in ("advcl", "acl")
            and (trig.type in VERBAL or trig.name == "consult-speak-at-meeting")
        ) or (trig.type == "CONSULT" and anchor.lemma_.lower() in TAKE_PART)
        if not dominated and not (nonfinite and trig.nominal is None and not verbal):
            kept.append(trig)
    return [c for trig in kept if (c := _compose(trig, triggers, words)) is not None]


#: finite verb tags (a past or present tense, not an infinitive or a participle)
_FINITE = frozenset({"VBD", "VBZ", "VBP"})
#: dependencies of a clause that tells a happening of its own when it has its own subject
_OWN_CLAUSE_DEPS = frozenset({"relcl", "pcomp"})


def _own_clause(anchor: Token) -> bool:
    """ "a summit where A and B signed ...", "..., with X speaking by phone with Y": a relative,
    prepositional or adverbial clause with its own subject is another act, not part of the
    trigger that governs it."""
    return anchor.dep_ in _OWN_CLAUSE_DEPS and any(
        c.dep_ in ("nsubj", "nsubjpass") and c.tag_ not in ("WDT", "WP") for c in anchor.children
    )  # "a truce that is supported by Y": a relative pronoun describes the noun, no new act


def _compose(trig: Trigger, triggers: list[Trigger], words: Words) -> Trigger | None:
    """AGREE with an infinitival complement takes the complement's meaning; a rule that needs
    an event as its complement and has none is no trigger (None)."""
    comps = [
        t
        for t in triggers
        if t.anchor.head.i == trig.anchor.i
        and (
            t.anchor.dep_ == "xcomp"
            # "have sworn to fight": an infinitive parsed as a purpose clause
            or (
                t.anchor.dep_ == "advcl"
                and any(c.dep_ == "aux" and c.lower_ == "to" for c in t.anchor.children)
            )
        )
    ]
    if trig.rule is not None and trig.rule.xcomp_event and not comps:
        xcomps = [c for c in trig.anchor.children if c.dep_ == "xcomp"]
        relational = any(c.lemma_.lower() in words.cooperative_verbs for c in xcomps) or any(
            o.dep_ == "dobj" and o.lemma_.lower() in words.relation_objects
            for c in xcomps
            for o in c.children
        )
        if not relational:
            return None
    if trig.type != "AGREE" or not comps:
        return trig
    if any(t.type in ("ASSAULT", "COERCE") for t in comps):
        return trig._replace(type="THREATEN", mode=None, name=f"{trig.name}/vow-of-force-is-threat")
    if trig.anchor.lemma_.lower() == "decide" and comps[0].type != "CONSULT":
        # a decision is the act itself: "decided to allow" is CONCEDE
        return trig._replace(
            type=comps[0].type, mode=comps[0].mode, name=f"{trig.name}/decision-is-the-act"
        )
    return trig
