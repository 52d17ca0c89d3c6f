"""Factuality of a trigger: negated, future, hypothetical, historical or asserted, from the
auxiliaries, negations, conditionals and governing plan/proposal verbs of its clause chain,
then from the event date against the publication date."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from spacy.tokens import Token

from pipeline.nlp.dates import DateMention
from pipeline.nlp.lexicon import Words

#: an asserted event dated more than this before publication is background (the guide: news
#: is what happened within about a month before publication)
HISTORICAL_DAYS = 31
#: subordinators of a condition or an open question ("if we cannot resolve it, I will raise
#: it", "unclear whether X will attack")
CONDITIONAL_MARKS = ("if", "unless", "whether")


def _clause_chain(anchor: Token) -> list[Token]:
    """The trigger and the verbs it is the complement or conjunct of."""
    toks = [anchor]
    t = anchor
    while t.dep_ in ("xcomp", "conj", "ccomp") and t.head.i != t.i:
        t = t.head
        toks.append(t)
    return toks


def negated_verb(anchor: Token) -> bool:
    """Whether a verb of the clause chain is negated ("did not support"), as opposed to a
    negative subject ("no other country offered")."""
    return any(
        c.dep_ == "neg" or c.lower_ == "never" for t in _clause_chain(anchor) for c in t.children
    )


def factuality(anchor: Token, nominal: Token | None, words: Words) -> str:
    """The modality the clause gives the trigger."""
    toks = _clause_chain(anchor)
    unreal = _unreal(anchor, toks, words)
    if unreal:
        return unreal
    for t in toks:
        for c in t.children:
            lem = c.lower_
            if c.dep_ == "aux" and lem in ("will", "shall", "'ll"):
                return "future"
            if c.dep_ == "aux" and lem == "would" and reported(t, words):
                return "future"  # "said it would allow": future in reported speech
            if c.dep_ == "aux" and lem in words.possibility_modals:
                return "hypothetical"
    for prev, t in itertools.pairwise(toks):
        lem = t.lemma_.lower()
        # a coordinated verb ("is considering sanctions and warned") does not govern the trigger
        governs = prev.dep_ != "conj"
        if governs and lem in words.plan_verbs:
            return "future"
        if any(c.dep_ == "aux" and c.lower_ in ("will", "shall", "'ll") for c in t.children):
            return "future" if not any(c.dep_ == "neg" for c in t.children) else "negated"
        if any(c.dep_ == "neg" for c in t.children):
            return "negated"
    if nominal is not None:
        for c in nominal.children:
            if c.lower_ in ("possible", "potential", "proposed"):
                return "hypothetical"
            if c.lower_ in ("planned", "upcoming", "next"):
                return "future"
    if anchor.tag_ == "VBD" and any(c.lower_ == "had" and c.dep_ == "aux" for c in anchor.children):
        return "historical"
    if habitual(_control_head(anchor), words) or any(
        c.dep_ == "advmod" and c.lower_ in words.habitual_adverbs for c in anchor.children
    ):
        return "historical"
    return "asserted"


def _unreal(anchor: Token, toks: list[Token], words: Words) -> str | None:
    """ "hypothetical" or "negated" when the clause chain does not report the event as real."""
    # a condition, an open question or a belief governs everything below it ("unclear whether
    # X will not ...", "he believes the leaders will meet")
    if any(c.dep_ == "mark" and c.lower_ in CONDITIONAL_MARKS for t in toks for c in t.children):
        return "hypothetical"
    # a clause that is itself the subject is a proposition talked about, not reported ("To what
    # extent X will defend Y was not made clear", "That X attacked Y is unlikely")
    if any(t.dep_ in ("csubj", "csubjpass") or _wh_adjunct(t) for t in toks):
        return "hypothetical"
    if any(
        prev.dep_ != "conj" and t.lemma_.lower() in words.proposal_verbs
        for prev, t in itertools.pairwise(toks)
    ):
        return "hypothetical"
    if negated_verb(anchor) or any(_negative_subject(c, words) for t in toks for c in t.children):
        return "negated"
    if (
        _alleged(anchor, words)
        or any(_after_allegation(t, words) for t in toks)
        or any(
            c.dep_ == "advmod" and c.lower_ in words.hedge_adverbs for t in toks for c in t.children
        )
    ):
        return "hypothetical"
    return None


def _wh_adjunct(t: Token) -> bool:
    """ "To what extent X will defend Y ...", "In what way X supports Y ...": a clause opened
    by an adjunct with an interrogative determiner is an indirect question, not a report
    (a relative clause, "the summit at which X met Y", is not one)."""
    return t.dep_ != "relcl" and any(
        c.dep_ in ("prep", "npadvmod")
        and c.i < t.i
        and any(d.dep_ == "det" and d.tag_ == "WDT" and d.lower_ == "what" for d in c.subtree)
        for c in t.children
    )


def _after_allegation(t: Token, words: Words) -> bool:
    """ "stemmed from allegations Trump tried to ...": a clause right after an allegation noun
    is its content even when the parser hangs it elsewhere."""
    if t.dep_ not in ("advcl", "ccomp", "acl", "relcl"):
        return False
    first = min(x.i for x in t.subtree)
    prev = t.doc[first - 1] if first > 0 else None
    return prev is not None and prev.lemma_.lower() in words.allegation_nouns


def _control_head(t: Token) -> Token:
    """The verb an infinitive hangs on ("had been looking to repair" -> "looking")."""
    while t.dep_ == "xcomp" and t.head.i != t.i:
        t = t.head
    return t


def speech_factuality(fact: str, type_: str, content: list[Token]) -> str:
    """Reported content under a condition is not news (the guide), except a threat, which is
    conditional by nature ("if X does anything ..., I will destroy its economy")."""
    conditional = any(t.dep_ == "mark" and t.lower_ in CONDITIONAL_MARKS for t in content)
    if fact == "asserted" and type_ != "THREATEN" and conditional:
        return "hypothetical"
    return fact


def _negative_subject(c: Token, words: Words) -> bool:
    """ "No other country offered ...": the subject's determiner negates the clause."""
    return c.dep_ in ("nsubj", "nsubjpass") and any(
        d.dep_ == "det" and d.lower_ in words.negative_determiners for d in c.children
    )


def _alleged(anchor: Token, words: Words) -> bool:
    """Whether the trigger is the content of an allegation noun ("allegations X tried ...")."""
    return any(
        a.pos_ == "NOUN" and a.lemma_.lower() in words.allegation_nouns for a in anchor.ancestors
    )


def habitual(anchor: Token, words: Words) -> bool:
    """A long-standing state rather than news: the perfect progressive ("has been attacking"),
    a "since ..." span ("have fought since 2011"), a span of years ("has increased cooperation
    in the last few years") or the circumstance of a "with" clause ("with X encouraging ...")."""
    auxes = [c.lower_ for c in anchor.children if c.dep_ == "aux"]
    if anchor.tag_ == "VBG" and "been" in auxes and any(a in ("has", "have", "had") for a in auxes):
        return True
    if (
        anchor.tag_ == "VBG"
        and (
            (anchor.head.lower_ == "with" and anchor.dep_ in ("pcomp", "pobj"))
            or any(c.dep_ == "mark" and c.lower_ == "with" for c in anchor.children)
        )
        # "with X speaking by phone Sunday with Y": a dated clause is a happening of its own
        and not any(t.ent_type_ == "DATE" for t in anchor.subtree)
    ):
        return True
    return any(
        c.dep_ == "prep"
        and any(
            g.dep_ == "pobj"
            and (c.lower_ == "since" or g.lemma_.lower() in words.period_nouns)
            and (c.lower_ == "since" or any(m.lower_ in ("last", "past") for m in g.children))
            for g in c.children
        )
        for c in anchor.children
    )


def reported(t: Token, words: Words) -> bool:
    """Whether a clause is the complement of a speech verb ("Iraq said it would ...")."""
    return (
        t.dep_ == "ccomp"
        and t.head.lemma_.lower() in words.speech_verbs | words.reported_future_verbs
    )


def dated_factuality(fact: str, chosen: DateMention | None, pub: date | None) -> str:
    """An asserted event dated well before publication is historical, a later one future."""
    if fact == "asserted" and chosen is not None and pub is not None:
        if older_than(chosen, pub, days=HISTORICAL_DAYS):
            return "historical"
        if chosen.relation == "future":
            return "future"
    return fact


def older_than(dm: DateMention, pub: date, days: int) -> bool:
    """Whether the whole period of a date mention ends more than ``days`` before ``pub``."""
    v = dm.value or ""
    try:
        if dm.precision == "day":
            end = date.fromisoformat(v)
        elif dm.precision == "month":
            y, mo = int(v[:4]), int(v[5:7])
            end = date(y + (mo == 12), mo % 12 + 1, 1) - timedelta(days=1)
        else:
            year = int(v[:4])
            # "last year", "in 2018": a past year names no month near publication; only a
            # month or day dates an act to its last weeks
            end = date(year, 12, 31) if year >= pub.year else date(year, 1, 1)
    except ValueError:
        return False
    return end < pub - timedelta(days=days)
