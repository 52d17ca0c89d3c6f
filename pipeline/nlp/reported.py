"""Reported speech as events: who the speaker of each "X said ..." is (named, or resolved
like a subject), and the verbal event a speech act makes when its content names a counterpart
(typed by the content rules of config/nlp/speech.yaml)."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from pipeline.nlp.coref import described_speaker, resolve_subject
from pipeline.nlp.dates import DateMention
from pipeline.nlp.factuality import dated_factuality, factuality, speech_factuality
from pipeline.nlp.lexicon import Words
from pipeline.nlp.mentions import ActorMention, ArticleState, Mention, uniq, uniq_persons
from pipeline.nlp.persons import PersonInfo
from pipeline.nlp.places import choose_date, future_weekday, governing_date, speaker_date
from pipeline.nlp.speech import SpeechAct, SpeechRules, content_recipients
from pipeline.nlp.types import Evidence, Quote

#: a quotation long enough to index with its speaker
QUOTE = r"\"([^\"]{15,})\""


def find_speakers(
    sdoc: Doc,
    acts: list[SpeechAct],
    amentions: list[ActorMention],
    state: ArticleState,
    words: Words,
) -> dict[SpeechAct, tuple[list[str], list[PersonInfo]]]:
    """The speaker codes (and persons) of each speech act that has a resolvable speaker."""
    out: dict[SpeechAct, tuple[list[str], list[PersonInfo]]] = {}
    for act in acts:
        named = [am for am in amentions if am.start in act.speaker]
        codes = uniq([am.code for am in named if am.code])
        persons = [am.person for am in named if am.person and not am.principal]
        root = min((sdoc[i] for i in act.speaker), key=lambda t: t.i)
        head = next((sdoc[i] for i in act.speaker if sdoc[i].head.i not in act.speaker), root)
        if not codes:
            codes, _ = resolve_subject(head, amentions, state, words, persons)
        elif not persons and (who := described_speaker(head, codes, amentions, state, words)):
            persons = [who]
        if codes:
            out[act] = (codes, persons)
    return out


def speech_event(
    sdoc: Doc,
    offset: int,
    raw: str,
    act: SpeechAct,
    codes: list[str],
    persons: list[PersonInfo],
    amentions: list[ActorMention],
    state: ArticleState,
    dates: list[DateMention],
    rules: SpeechRules,
    words: Words,
) -> Mention | None:
    """The verbal event of a speech act whose content names another state or body."""
    recips = content_recipients(sdoc, act, codes, amentions, words) or _they(
        sdoc, act, codes, amentions
    )
    if not recips:
        return None
    rule = rules.classify(sdoc, act.content, words)
    if rule is None:
        return None
    chosen = choose_date(sdoc, dates, act.anchor, None, -1, words) or speaker_date(
        sdoc, dates, act.speaker
    )
    fact = dated_factuality(factuality(act.anchor, None, words), chosen, state.pub)
    fact = speech_factuality(fact, rule.type, [sdoc[i] for i in act.content])
    chosen = future_weekday(chosen, sdoc, fact, lambda t: t.i in act.content)
    # the paragraph's date dates the event but does not make it background on its own
    borrowed = chosen is None
    chosen = chosen or governing_date(state.dates, offset)
    evid = Evidence(
        raw.strip(), offset + (len(raw) - len(raw.lstrip())), offset + len(raw.rstrip())
    )
    m = Mention(
        type=rule.type,
        mode=rule.mode,
        actors=list(codes),
        recipients=recips,
        persons=uniq_persons(persons),
        place=None,
        place_text=None,
        date=chosen,
        borrowed_date=borrowed and chosen is not None,
        factuality=fact,
        occasion=None,
        evidence=evid,
        rule=rule.name,
        bodies=uniq([am.body or "" for am in amentions if am.start in act.content | act.speaker]),
    )
    m.members.append(evid)
    low = raw.lower()
    m.contexts = {c for c, ws in words.contexts.items() if any(w in low for w in ws)}
    speaker = next((p.name for p in persons), None)
    m.quotes = [Quote(q.group(1), speaker) for q in re.finditer(QUOTE, raw)]
    return m


def _they(sdoc: Doc, act: SpeechAct, codes: list[str], amentions: list[ActorMention]) -> list[str]:
    """ "X cited the NATO treaty and said, 'They need to stand by us'": "they" in the content
    is the state or body named last before it, outside the speaker."""
    for tok in sorted((sdoc[i] for i in act.content), key=lambda t: t.i):
        if tok.lower_ not in ("they", "them"):
            continue
        before = [
            am.code
            for am in amentions
            if am.code and am.end <= tok.i and am.start not in act.speaker and am.code not in codes
        ]
        return before[-1:]
    return []
