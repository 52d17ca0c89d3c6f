"""Triggers of a parsed sentence: verb rules of config/nlp/triggers.yaml (conditional rules on
object, particle or prepositional object first), nominal triggers with their support verbs,
reported obligations and demands. Which of them stand as events of their own is decided next,
by :mod:`pipeline.nlp.trigger_selection`."""

from __future__ import annotations

from typing import NamedTuple

from spacy.tokens import Doc, Token

from pipeline.nlp.arguments import SUBJ_DEPS, is_military, noun_agents
from pipeline.nlp.lexicon import Lexicon, VerbRule, Words


class Trigger(NamedTuple):
    """An event trigger: the clause it anchors on, the event noun when nominal, its rule."""

    anchor: Token
    nominal: Token | None
    rule: VerbRule | None
    type: str
    mode: str | None
    name: str
    #: a visit told as the setting of its clause ("X said during a visit to Y", see
    #: _visit_setting): its occasion phrase is the event itself, so the places and parties in
    #: it count
    setting: bool = False


def find_triggers(sdoc: Doc, lex: Lexicon) -> list[Trigger]:
    """Every trigger of the sentence, in token order (verbal and nominal, then clausal)."""
    found: list[Trigger] = []
    for tok in sdoc:
        lem = tok.lemma_.lower()
        if (
            lem not in lex.conditional
            and lem not in lex.bare
            and lem not in lex.nouns
            and (lem not in lex.cameo_bare)
        ):
            lem = lex.form_to_lemma.get(tok.lower_, lem)  # lemmatizer slips: "staged" -> "stag"
        if tok.pos_ in ("VERB", "AUX") or (tok.pos_ == "NOUN" and tok.dep_ == "ROOT"):
            rule = match_rule(tok, lem, lex)
            if rule is not None and rule.type == "AGREE" and _quotative(tok):
                continue  # '"...," agreed X': X said so, X agreed to nothing
            if rule is not None and rule.mode == "visit" and _military_subject(tok, lex.words):
                continue  # "a warship paid a visit to the capital" is no diplomatic visit
            if rule is not None:
                found.append(Trigger(tok, None, rule, rule.type, rule.mode, rule.name))
                continue
        if tok.pos_ in ("NOUN", "PROPN") and lem in lex.nouns:
            nominal = _nominal(tok, lem, lex, found)
            if nominal is not None:
                found.append(nominal)
    found += _clausal(sdoc, lex.words, found)
    # a noun anchored on a verb that is a trigger itself adds nothing to the verb's event
    # ("During his visit to Y, X met Z"); _nominal only sees the verbs before the noun
    verbs = {f.anchor.i for f in found if f.nominal is None}
    return [f for f in found if f.nominal is None or f.anchor.i not in verbs]


def _quotative(tok: Token) -> bool:
    """A verb after a quotation with its subject after it ('"...," agreed the minister')."""
    quoted_before = any(t.text in ('"', "“", "”") for t in tok.doc[max(0, tok.i - 3) : tok.i])
    return quoted_before and any(c.dep_ == "nsubj" and c.i > tok.i for c in tok.children)


def _military_subject(tok: Token, words: Words) -> bool:
    return any(c.dep_ in SUBJ_DEPS and is_military(c, words) for c in tok.children)


def _nominal(tok: Token, lem: str, lex: Lexicon, found: list[Trigger]) -> Trigger | None:
    """An event noun made an event by its support verb ("held talks", "talks took place")."""
    typ, support = lex.nouns[lem]
    # "led eight hours of talks", "held two rounds of talks": the measure's verb supports
    sup = tok.head.head if tok.dep_ == "pobj" and tok.head.lower_ == "of" else tok
    head = sup.head
    ok = False
    if tok.dep_ in ("nsubj", "nsubjpass") and head.lemma_.lower() in support:
        ok = True
    if (
        sup.dep_ == "dobj"
        and head.lemma_.lower() in support
        and not any(f.anchor.i == head.i for f in found)
    ):
        ok = True
    if any(c.dep_ == "relcl" and c.lemma_.lower() in ("hold", "take") for c in tok.children):
        ok, head = True, tok
    name = f"noun-{typ.lower()}"
    setting = False
    if (
        not ok
        and typ == "PROTEST"
        and any(c.dep_ == "prep" and c.lower_ == "against" for c in tok.children)
    ):
        # "riots against ...", "a rally against ...": the protest is the event, anchored on
        # the clause that mentions it
        gov = tok
        while gov.pos_ not in ("VERB", "AUX") and gov.head.i != gov.i:
            gov = gov.head
        if gov.pos_ in ("VERB", "AUX"):
            ok, head, name = True, gov, "noun-protest-against"
    if (
        not ok
        and lem in lex.words.agentive_event_nouns
        and any(a.dep_ == "prep" for a in noun_agents(tok))
    ):
        # "during a visit by X to Y": the agent named after "by" makes the noun an event,
        # anchored on the clause that mentions it ("X's second visit to Y" is often a
        # tally of earlier trips, so a possessor alone does not)
        gov = tok
        while gov.pos_ not in ("VERB", "AUX") and gov.head.i != gov.i:
            gov = gov.head
        ok, head, name = True, gov, f"noun-{lem}-by"
    if not ok and lem in lex.words.agentive_event_nouns:
        clause = _visit_setting(tok, lex.words)
        if clause is not None:
            ok, head, name, setting = True, clause, f"noun-{lem}-setting", True
    if ok and not any(f.anchor.i == head.i and f.nominal is None for f in found):
        mode = "visit" if lem == "visit" else None
        return Trigger(head, tok, None, typ, mode, name, setting=setting)
    return None


def _visit_setting(tok: Token, words: Words) -> Token | None:
    """The clause whose setting a visit to somewhere is ("X said during a visit to Y", "a
    statement released in conjunction with a visit to Y"): the visit is the clause subject's,
    so the clause's verb anchors it. None when the visit has an agent of its own other than a
    pronoun ("during Z's visit"), names no destination, or no finite clause governs it."""
    if tok.dep_ != "pobj" or tok.head.lower_ not in words.visit_setting_preps:
        return None
    if not any(c.dep_ == "prep" and c.lower_ == "to" for c in tok.children):
        return None
    if any(c.dep_ == "poss" and c.pos_ != "PRON" for c in tok.children):
        return None
    gov = tok.head
    # past a participle describing a noun ("a statement released in ...") to its clause
    while gov.head.i != gov.i and (gov.pos_ not in ("VERB", "AUX") or gov.dep_ == "acl"):
        gov = gov.head
    # a named subject: "he said during a visit to Y" leaves whose visit it was to coreference,
    # which cannot tell an official from an opposition leader on tour
    if gov.pos_ not in ("VERB", "AUX") or not any(
        c.dep_ in SUBJ_DEPS and c.pos_ != "PRON" for c in gov.children
    ):
        return None
    return gov


def _clausal(sdoc: Doc, words: Words, found: list[Trigger]) -> list[Trigger]:
    """Demands and obligations carried by a clause: "its demand that Y ...", "said Y must"."""
    out: list[Trigger] = []
    for tok in sdoc:
        head = tok.head
        if (
            tok.dep_ == "acl"
            and head.lemma_.lower() in words.demand_nouns
            and head.dep_ == "dobj"
            and any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children)
        ):
            # "X renewed its demand that Y ..." parsed as a clause of the noun
            if not any(f.anchor.i == head.head.i for f in found + out):
                out.append(Trigger(head.head, None, None, "REQUEST", None, "demand-noun-clause"))
            continue
        if tok.dep_ != "ccomp" or any(f.anchor.i == head.i for f in found + out):
            continue
        # "X said Y must ...": an obligation reported by X is X's request
        obliged = (
            head.lemma_.lower() in words.speech_verbs | words.reiterate_verbs
            and any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in tok.children)
            and agent_obliged(tok, words)
        )
        # "X renewed its demand that Y ...": the clause is the content of a demand
        demanded = any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children) and any(
            c.dep_ == "dobj" and c.lemma_.lower() in words.demand_nouns for c in head.children
        )
        # "X expects Y to ...": what X wants another to do is X's request
        expected = (
            head.lemma_.lower() in words.expectation_verbs
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
            and any(c.dep_ == "nsubj" for c in tok.children)
        )
        if obliged or demanded or expected:
            name = (
                "reported-obligation"
                if obliged
                else "demand-that-clause"
                if demanded
                else "expectation-of-another"
            )
            out.append(Trigger(head, None, None, "REQUEST", None, name))
    return out


#: named-entity labels of an agent that can be asked to act
_AGENT_ENTS = ("GPE", "ORG", "NORP", "PERSON")


def agent_obliged(clause: Token, words: Words) -> bool:
    """ "X said Y must ...": the one obliged is an agent (a state, body, person, government),
    not a thing ("its border should be extended" states a position, asking no one)."""
    subj = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    while subj is None and clause.dep_ == "conj" and clause.head.i != clause.i:
        clause = clause.head  # "Y is to blame and must stop ...": the first verb's subject
        subj = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None:
        return False
    agents = words.group_nouns | words.role_nouns | words.official_nouns | words.military_nouns
    return any(
        t.pos_ in ("PROPN", "PRON") or t.ent_type_ in _AGENT_ENTS or t.lemma_.lower() in agents
        for t in (subj, *subj.conjuncts)
    )


def _object_lemmas(children: list[Token], objs: list[Token]) -> set[str]:
    obj_lemmas: set[str] = set()
    for o in objs:
        obj_lemmas.add(o.lemma_.lower())
        obj_lemmas.update(c.lemma_.lower() for c in o.children if c.dep_ in ("compound", "amod"))
        for p in o.children:
            if p.dep_ == "prep":  # "ten tons of aid"
                obj_lemmas.update(g.lemma_.lower() for g in p.children if g.dep_ == "pobj")
    for c in children:  # "sent ... to investigate": infinitival purpose counts for obj-less rules
        if c.dep_ == "xcomp":
            obj_lemmas.add("to-" + c.lemma_.lower())
    return obj_lemmas


def match_rule(tok: Token, lem: str, lex: Lexicon) -> VerbRule | None:
    """The first rule for ``lem`` whose conditions the token's dependents meet."""
    if lem not in lex.rule_lemmas:
        return None
    children = list(tok.children)
    objs = [c for c in children if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd")]
    # "on Monday" is a time, not the particle of "call on"
    preps = [
        c
        for c in children
        if c.dep_ in ("prt", "prep", "agent")
        and not any(g.dep_ == "pobj" and g.ent_type_ in ("DATE", "TIME") for g in c.children)
    ]
    obj_lemmas = _object_lemmas(children, objs)
    prt_lemmas = {p.lemma_.lower() for p in preps}
    pobj_lemmas = {g.lemma_.lower() for p in preps for g in p.children if g.dep_ == "pobj"}
    for c in children:  # "remains open to dialogue": the adjective and its complement
        if c.dep_ == "acomp":
            obj_lemmas.add(c.lemma_.lower())
            pobj_lemmas.update(
                g.lemma_.lower()
                for p in c.children
                if p.dep_ == "prep"
                for g in p.children
                if g.dep_ == "pobj"
            )
    for rule in lex.conditional.get(lem, []):
        if rule.obj and not (rule.obj & obj_lemmas):
            continue
        if rule.prt and not (rule.prt & prt_lemmas):
            continue
        if rule.pobj and not (rule.pobj & pobj_lemmas):
            continue
        return rule
    for rule in lex.bare.get(lem, []):
        if _bare_ok(rule, children, objs, preps, lex.words):
            return rule
    for rule in lex.cameo_conditional.get(lem, []):
        if rule.obj & obj_lemmas:
            return rule
    return next(iter(lex.cameo_bare.get(lem, [])), None)


def _bare_ok(
    rule: VerbRule, children: list[Token], objs: list[Token], preps: list[Token], words: Words
) -> bool:
    if rule.needs_obj and not objs:
        return False
    if rule.no_obj and any(o.dep_ == "dobj" for o in objs):
        return False
    if rule.no_document_obj and any(
        o.dep_ == "dobj" and o.lemma_.lower() in words.document_nouns for o in objs
    ):
        return False
    if rule.host and not any(
        o.pos_ == "PROPN"
        or o.ent_type_ in ("PERSON", "NORP", "GPE", "ORG")
        or o.lemma_.lower() in words.host_objects
        for o in objs
        if o.dep_ == "dobj"
    ):
        return False
    if rule.obj_named and not any(
        o.dep_ == "dobj" and (o.pos_ == "PROPN" or o.ent_type_ in ("GPE", "NORP", "ORG"))
        for o in objs
    ):
        return False
    if rule.xcomp and not any(c.dep_ == "xcomp" for c in children):
        return False
    if rule.needs_place and not any(p.lemma_.lower() in ("in", "to", "at") for p in preps):
        return False
    # troops, immigrants or tourists arriving somewhere are not a diplomatic visit
    return not (
        rule.needs_place
        and any(
            c.dep_ in SUBJ_DEPS and (is_military(c, words) or _private_travellers(c, words))
            for c in children
        )
    )


def _private_travellers(subj: Token, words: Words) -> bool:
    """ "Immigrants", "a group of tourists": private people, whose travel is no visit."""
    heads = [subj] + [g for p in subj.children if p.lower_ == "of" for g in p.children]
    return any(h.lemma_.lower() in words.private_travellers for h in heads)
