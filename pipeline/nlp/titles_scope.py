"""Country and body names that only describe a person, never take part in the act (the guide's
rule 5: private persons, former officials and the posting of an envoy are not participants).

Each named filter below drops a country, demonym, capital or body mention of the sentence:

* ``office-destination`` - where an envoy is posted: "the US ambassador to France", "the German
  envoy for Syria talks", "Egypt's UN ambassador" (the state that sends the envoy acts);
* ``former-title`` - the office of a former holder: "former French foreign minister X";
* ``private-description`` - a nationality told of a private person: "a Canadian citizen",
  "Smith, a German tourist from Bavaria" (an apposition that names no office);
* ``seat`` - where an organisation sits: "a group headquartered in Copenhagen", "a
  London-based charity".

Person mentions are never dropped here (the officials lookup already strips former officials).

``media-party``: a news outlet or reporter as the doer of an act, or as whom it speaks with
("VOA spoke with X about ...", "X spoke with Reuters"), makes it an interview, not an event.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from pipeline.nlp.gazetteer import DEMONYM, IGO
from pipeline.nlp.lexicon import Words
from pipeline.nlp.mentions import ActorMention

#: dependencies inside a noun phrase that describe its head
_NP_MODIFIERS = ("compound", "amod", "nmod", "poss", "conj", "appos")


def describing_only(
    sdoc: Doc, amentions: list[ActorMention], words: Words, sector_nouns: dict[str, str]
) -> list[ActorMention]:
    """The mentions that can take part in an act: the others only describe a person."""
    states = [am for am in amentions if am.code and am.person is None]
    out = []
    for am in amentions:
        if am.person is None and am.code:
            # "the United Nations": the parser may hang "the" on a following name
            first = am.start + (sdoc[am.start].dep_ == "det" and am.end - am.start > 1)
            tok = sdoc[first : am.end].root
            others = {i for o in states if o is not am for i in range(o.start, o.end)}
            if (
                _office_destination(tok, am, others, words)
                or _former_title(sdoc, am, words, sector_nouns)
                or _seat(tok, words)
                or _private_description(
                    tok,
                    am.kind == DEMONYM,
                    others | set(range(am.start, am.end)),
                    words,
                    sector_nouns,
                )
            ):
                continue
        out.append(am)
    return out


def _np_head(tok: Token) -> Token:
    """The head of the noun phrase a modifier belongs to ("Ukraine" in "Ukraine talks")."""
    t = tok
    while t.dep_ in _NP_MODIFIERS and t.head.i != t.i and t.head.pos_ in ("NOUN", "PROPN"):
        t = t.head
    return t


def _office_destination(tok: Token, am: ActorMention, others: set[int], words: Words) -> bool:
    """ "ambassador to France", "envoy for Syria talks", "Egypt's UN ambassador"."""
    office = words.office_nouns
    head = _np_head(tok)
    if head.dep_ == "pobj" and head.head.lower_ in ("to", "for", "at"):
        noun = head.head.head
        if noun.lemma_.lower() not in office:
            return False
        # a title ("Ambassador to France") or an envoy sent by a named state ("the US envoy
        # for Syria"); "sent an envoy to Kyiv" names where the envoy goes, not a title
        return noun.text[:1].isupper() or _sent_by(noun, others)
    if am.kind == IGO and tok.dep_ in ("compound", "nmod", "amod"):
        noun = tok.head
        # "Egypt's UN ambassador": the body is where the envoy sits, the state sends him
        return noun.lemma_.lower() in office and _sent_by(noun, others)
    return False


def _sent_by(noun: Token, others: set[int]) -> bool:
    """Whether another state or body (token indices ``others``) named before the office noun
    modifies it."""
    return any(
        c.i < noun.i
        and c.dep_ in ("compound", "amod", "nmod", "poss")
        and any(t.i in others for t in c.subtree)
        for c in noun.children
    )


def _former_title(sdoc: Doc, am: ActorMention, words: Words, sector_nouns: dict[str, str]) -> bool:
    """ "former French foreign minister", "led by ex-NATO chief X": a title no longer held."""
    before = list(sdoc[max(0, am.start - 3) : am.start])
    at = next((k for k, t in enumerate(before) if t.lower_ in words.former_words), None)
    if at is None:
        return False
    if any(_title_word(t, words, sector_nouns) for t in before[at + 1 :]):
        return True  # "the former president of Iran"
    for t in sdoc[am.end : am.end + 3]:
        if _title_word(t, words, sector_nouns):
            return True  # "former French foreign minister"
        if not t.text[:1].isupper() and t.pos_ != "ADJ":
            return False
    return False


def _title_word(t: Token, words: Words, sector_nouns: dict[str, str]) -> bool:
    low = t.lemma_.lower()
    return (
        low in words.role_nouns
        or low in words.office_nouns
        or low in words.official_nouns
        or sector_nouns.get(low) is not None
    )


def _private_description(
    tok: Token, demonym: bool, named: set[int], words: Words, sector_nouns: dict[str, str]
) -> bool:
    """ "a Canadian citizen", "Smith, a German tourist from Bavaria": not a state's act.
    ``named``: tokens of the sentence's state and body names ("Iran, a US ally" describes a
    state, not a person)."""
    if tok.dep_ in ("amod", "compound", "nmod") and tok.head.lower_ in words.private_nouns:
        return True
    # "Smith, an ethnic Kurd from Syria": the demonym may be the apposition itself
    up = [tok, *tok.ancestors] if demonym else list(tok.ancestors)
    for a in up:
        if a.dep_ == "appos" and a.head.pos_ == "PROPN" and a.head.i not in named:
            low = a.lemma_.lower()
            return not (
                # a capitalised title ("X, the UN Emergency Relief Coordinator") names an office
                (a.text[:1].isupper() and a.ent_type_ != "NORP" and a.i not in named)
                or low in words.role_nouns
                or low in words.office_nouns
                or low in words.official_nouns
                or low in words.generic_agents
                or low in sector_nouns
            )
        if a.pos_ in ("VERB", "AUX"):
            return False
    return False


def _seat(tok: Token, words: Words) -> bool:
    """ "headquartered in Copenhagen", "London-based": where a group sits, not the act's place
    or party."""
    t = tok
    for _ in range(4):
        head = t.head
        if head.i == t.i:
            return False
        if head.lower_ in words.seat_participles and head.dep_ in ("acl", "amod", "relcl"):
            return True
        if t.dep_ not in ("pobj", "prep", "compound", "npadvmod", "conj"):
            return False
        t = head
    return False


def media_party(anchor: Token, subj: Token | None, words: Words) -> bool:
    """Whether the act is done by, or told to, a news outlet or reporter (an interview)."""
    if (
        subj is not None
        and subj.dep_ == "nsubj"  # the victim of "a journalist was killed" is no interview
        # "VOA: Russia's president visited China" can come out with two subjects
        and all(_media(c, words) for c in subj.head.children if c.dep_ == "nsubj")
    ):
        return True
    return any(
        c.dep_ == "prep"
        and c.lower_ in ("with", "to")
        and any(g.dep_ == "pobj" and _media(g, words) for g in c.children)
        for c in anchor.children
    )


def _media(tok: Token, words: Words) -> bool:
    # the name itself ("Voice of America", "state media"), not what hangs on it
    name = " ".join(
        t.lower_ for t in tok.lefts if t.dep_ in ("compound", "amod") and t.i == tok.i - 1
    )
    name = f"{name} {tok.lower_}".strip()
    return (
        tok.lower_ in words.news_outlets
        or tok.lemma_.lower() in words.news_outlets
        or name in words.news_outlets
    )
