"""Factuality of a trigger: negated, future, hypothetical, historical or asserted, from the
auxiliaries, negations, conditionals and governing plan/proposal verbs of its clause chain,
then from the event date against the publication date."""

from __future__ import annotations

from datetime import date, timedelta

from spacy.tokens import Token

from pipeline.nlp.dates import DateMention
from pipeline.nlp.lexicon import Words

#: an asserted event dated more than this before publication is background
HISTORICAL_DAYS = 14


def factuality(anchor: Token, nominal: Token | None, words: Words) -> str:
    """The modality the clause gives the trigger."""
    toks = [anchor]
    t = anchor
    while t.dep_ in ("xcomp", "conj", "ccomp") and t.head.i != t.i:
        t = t.head
        toks.append(t)
    if any(c.dep_ == "neg" or c.lower_ == "never" for t in toks for c in t.children):
        return "negated"
    for t in toks:
        for c in t.children:
            lem = c.lower_
            if c.dep_ == "aux" and lem in ("will", "shall", "'ll"):
                return "future"
            if c.dep_ == "aux" and lem == "would" and reported(t, words):
                return "future"  # "said it would allow": future in reported speech
            if c.dep_ == "aux" and lem in ("could", "might", "may", "would", "should"):
                return "hypothetical"
            if c.dep_ == "mark" and lem in ("if", "unless"):
                return "hypothetical"
    for t in toks[1:]:
        lem = t.lemma_.lower()
        if lem in words.plan_verbs:
            return "future"
        if any(c.dep_ == "aux" and c.lower_ in ("will", "shall", "'ll") for c in t.children):
            return "future" if not any(c.dep_ == "neg" for c in t.children) else "negated"
        if any(c.dep_ == "neg" for c in t.children):
            return "negated"
        if lem in words.proposal_verbs:
            return "hypothetical"
    if nominal is not None:
        for c in nominal.children:
            if c.lower_ in ("possible", "potential", "proposed"):
                return "hypothetical"
            if c.lower_ in ("planned", "upcoming", "next"):
                return "future"
    if anchor.tag_ == "VBD" and any(c.lower_ == "had" and c.dep_ == "aux" for c in anchor.children):
        return "historical"
    return "asserted"


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
            end = date(int(v[:4]), 12, 31)
    except ValueError:
        return False
    return end < pub - timedelta(days=days)
