"""Reported speech: "X said/told/tweeted ...", "according to X, ...", a quote with its speaker
outside it. The speaker is the actor of a verbal event; the content decides its type through the
ordered, named rules of config/nlp/speech.yaml; the states and bodies the content names are the
recipients."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from pipeline.nlp.arguments import locative, subject
from pipeline.nlp.gazetteer import load_yaml_mapping
from pipeline.nlp.lexicon import Words
from pipeline.nlp.mentions import ActorMention, Mention, uniq
from pipeline.nlp.trigger_selection import VERBAL
from pipeline.nlp.triggers import agent_obliged


@dataclass(frozen=True, slots=True)
class SpeechRule:
    """One content rule: any cue present types the speech event."""

    name: str
    type: str
    mode: str | None
    lemmas: frozenset[str]
    phrases: tuple[str, ...]
    modals: frozenset[str]
    #: cues that count only as verbs ("would support", not "in support of")
    verbs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SpeechAct:
    """Who spoke (the speaker's tokens) and what (the content's tokens), anchored on a verb."""

    anchor: Token
    speaker: frozenset[int]
    content: frozenset[int]


class SpeechRules:
    """The speech verbs and content rules of config/nlp/speech.yaml."""

    def __init__(self, path: Path) -> None:
        raw = load_yaml_mapping(path)
        self.verbs = frozenset(str(v).lower() for v in raw.get("speech_verbs") or ())
        self.first_person = frozenset(str(v).lower() for v in raw.get("first_person") or ())
        self.rules = [
            SpeechRule(
                name=str(r["name"]),
                type=str(r["type"]),
                mode=r.get("mode"),
                lemmas=frozenset(str(x).lower() for x in r.get("lemmas") or ()),
                phrases=tuple(str(x).lower() for x in r.get("phrases") or ()),
                modals=frozenset(str(x).lower() for x in r.get("modals") or ()),
                verbs=frozenset(str(x).lower() for x in r.get("verbs") or ()),
            )
            for r in raw.get("rules") or ()
        ]

    def classify(self, sdoc: Doc, content: frozenset[int], words: Words) -> SpeechRule | None:
        """The first rule with a cue in the content (a modal only on an agent's clause: "its
        border should be extended" asks no one)."""
        toks = [sdoc[i] for i in sorted(content)]
        lemmas = {t.lemma_.lower() for t in toks} | {t.lower_ for t in toks}
        # tokens joined by spaces, and as written: "it's time to" is split as "it 's"
        text = (
            " "
            + " ".join(t.lower_ for t in toks)
            + " "
            + "".join(t.text_with_ws for t in toks).lower()
            + " "
        )
        modals = {t.lower_ for t in toks if t.dep_ == "aux" and agent_obliged(t.head, words)}
        verbs = {t.lemma_.lower() for t in toks if t.pos_ == "VERB" and not _describes(t, content)}
        for r in self.rules:
            if (
                (r.lemmas & lemmas)
                or (r.verbs & verbs)
                or (r.modals & modals)
                or any(f" {p} " in text for p in r.phrases)
            ):
                return r
        return None


def _describes(t: Token, content: frozenset[int]) -> bool:
    """Whether a verb of the content only describes a noun ("a proposal that is supported by
    X", "its reluctance to endorse"): it is not what the speaker does."""
    while t.i in content and t.head.i != t.i:
        if t.dep_ in ("relcl", "acl"):
            return True
        t = t.head
    return False


def _quoted(sdoc: Doc) -> set[int]:
    """Token indices inside double quotes (straight or curly)."""
    inside, out = False, set()
    for t in sdoc:
        if t.text in ('"', "“", "”"):
            inside = not inside if t.text == '"' else t.text == "“"
            continue
        if inside:
            out.add(t.i)
    return out


def _subtree(tok: Token) -> set[int]:
    return {t.i for t in tok.subtree}


def speech_acts(sdoc: Doc | Span, rules: SpeechRules) -> list[SpeechAct]:
    """Every "X said ..." and "according to X" of a parsed sentence."""
    acts: list[SpeechAct] = []
    doc = sdoc if isinstance(sdoc, Doc) else sdoc.doc
    quoted = _quoted(doc)
    for tok in doc:
        if tok.lower_ == "according" and any(c.lower_ == "to" for c in tok.children):
            to = next(c for c in tok.children if c.lower_ == "to")
            speaker = {i for c in to.children if c.dep_ == "pobj" for i in _subtree(c)}
            if not speaker:
                continue
            gov = tok.head
            while gov.head.i != gov.i and gov.pos_ not in ("VERB", "AUX"):
                gov = gov.head
            content = _subtree(gov) - _subtree(tok)
            acts.append(SpeechAct(gov, frozenset(speaker), frozenset(content)))
            continue
        if tok.pos_ not in ("VERB", "AUX") or tok.lemma_.lower() not in rules.verbs:
            continue
        subj, _ = subject(tok)
        if subj is None or subj.i in quoted:
            continue
        comps = [c for c in tok.children if c.dep_ in ("ccomp", "parataxis")]
        content = set()
        for c in comps:
            content |= _subtree(c)
        if not content and quoted:
            content = set(quoted)
        content -= _subtree(subj)
        if content:
            acts.append(SpeechAct(tok, frozenset(_subtree(subj)), frozenset(content)))
    return acts


def content_recipients(
    sdoc: Doc, act: SpeechAct, codes: list[str], amentions: list[ActorMention], words: Words
) -> list[str]:
    """States and bodies the content names, not as a place ("children in Sudan"), other than
    the speaker's."""
    recips = uniq(
        [
            am.code
            for am in amentions
            if am.start in act.content
            and am.code
            and locative(sdoc[am.start : am.end].root, words) is None
        ]
    )
    return [c for c in recips if c not in codes]


def name_target(
    act: SpeechAct, codes: list[str], recips: list[str], anchored: list[tuple[Token, Mention]]
) -> None:
    """ "X criticized it, saying Y seeks to ...": a verbal act of the speaker without a
    recipient, on which the speech participle hangs, takes the states its content names."""
    # only the participle ("..., saying"): "opposed X and said ..." is a second statement
    if not recips or act.anchor.tag_ != "VBG" or act.anchor.dep_ not in ("advcl", "xcomp"):
        return
    for a, m in anchored:
        if (
            a.i == act.anchor.head.i
            and not m.recipients
            and m.type in VERBAL
            and set(m.actors) == set(codes)
        ):
            m.recipients = list(recips)
            m.rule = f"{m.rule}/speech-names-the-target"
            return
