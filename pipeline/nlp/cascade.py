"""Sentence selection (the cascade's cheap pass): tokenizer + sentencizer + phrase matching of
trigger word forms and actor names pick the sentences worth a full parse."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from pipeline.nlp.gazetteer import Gazetteer
from pipeline.nlp.lexicon import Lexicon, Words, inflections
from pipeline.nlp.text import chunks

#: sectors whose bare noun ("the government of Sindh") can stand in for an actor
_AGENT_SECTORS = ("GOV", "MIL", "COP", "REB", "LEG", "JUD")
#: longer "sentences" are lists or tables, not prose
MAX_SENTENCE_CHARS = 2000
_BOILERPLATE = re.compile(
    r"^[ \t]*(?:Related (?:coverage|stories|articles|news|content)|Read more|See also|"
    r"More on this|Also read)[ \t]*:?[ \t]*$",
    re.M | re.I,
)


def boilerplate_start(text: str) -> re.Match[str] | None:
    """Where trailing link lists ("Related coverage:", "Read more") begin, if anywhere."""
    return _BOILERPLATE.search(text)


_OPENERS = ("“", "‘")
_STRAIGHT = ('"', "'")


def _opens(tok: Token) -> bool:
    """An opening quote: a curly opener, or a straight quote after a space ("said. \"We")."""
    if tok.text in _OPENERS:
        return True
    return tok.text in _STRAIGHT and tok.i > 0 and bool(tok.doc[tok.i - 1].whitespace_)


def _quote_aware(pdoc: Doc) -> list[Span]:
    """The sentencizer's sentences with an opening quote left at the end of one sentence
    ('... officials said. "We will') moved to the next, where the quote it opens is: reported
    speech is read from its quotes."""
    sents = list(pdoc.sents)
    out: list[Span] = []
    carry = 0
    for k, sent in enumerate(sents):
        start, end = sent.start - carry, sent.end
        carry = 0
        while k + 1 < len(sents) and end - 1 > start and _opens(pdoc[end - 1]):
            end -= 1
            carry += 1
        out.append(pdoc[start:end])
    return out


#: longest subheading (in tokens) recognised when glued to the next sentence
_HEADING_TOKENS = 7


def heading_end(sent: Span, words: Words) -> int:
    """Where the sentence proper starts after a subheading glued to it (0 when none): a run
    of two or more title-case words (lower-case joiners allowed, "Position on Chile"), ending
    in a title-case word, then a capitalised sentence opener ("Beyond", "The"). A line break
    is already a boundary; this is for texts whose line breaks were lost."""
    toks = list(sent[: _HEADING_TOKENS + 1])
    for k in range(2, len(toks)):
        head, nxt = toks[:k], toks[k]
        if not all(t.is_title or t.lower_ in words.heading_joiners for t in head):
            return 0
        if not head[-1].is_title or head[-1].lower_ in words.heading_joiners:
            continue
        if nxt.is_title and nxt.lower_ in words.sentence_openers:
            return k
    return 0


def _split_headings(sents: list[Span], words: Words) -> list[Span]:
    out: list[Span] = []
    for sent in sents:
        k = heading_end(sent, words)
        if k:
            out.append(sent[:k])
            out.append(sent[k:])
        else:
            out.append(sent)
    return out


class SentenceSelector:
    """Splits an article into sentences and flags those with a trigger form and an actor."""

    def __init__(
        self,
        cheap: Language,
        gaz: Gazetteer,
        lex: Lexicon,
        chunk_chars: int,
        speech_verbs: frozenset[str] = frozenset(),
    ) -> None:
        self.cheap = cheap
        self.lex = lex
        #: speech verb forms ("said", "according"): reported speech is an event too
        self.speech_forms = {f for v in speech_verbs for f in inflections(v)} | {"according"}
        self.chunk_chars = chunk_chars
        self.actor_matcher = PhraseMatcher(cheap.vocab, attr="ORTH")
        patterns = [cheap.make_doc(name) for name in gaz.actors]
        for i in range(0, len(patterns), 500):
            self.actor_matcher.add("ACTOR", patterns[i : i + 500])
        self.agent_nouns = {
            n for n, sec in gaz.sector_nouns.items() if " " not in n and sec in _AGENT_SECTORS
        } - lex.words.generic_agents

    def sentences(self, text: str, hints: set[str]) -> list[tuple[int, int, bool]]:
        """(start, end, worth_parsing) for every sentence, from tokenizer + sentencizer only."""
        out: list[tuple[int, int, bool]] = []
        for off, piece in chunks(text, self.chunk_chars):
            for para in re.finditer(r"[^\n]+", piece):
                pdoc = self.cheap(para.group(0))
                actor_starts = sorted(s for _, s, _ in self.actor_matcher(pdoc))
                for sent in _split_headings(_quote_aware(pdoc), self.lex.words):
                    s0 = off + para.start() + sent.start_char
                    s1 = off + para.start() + sent.end_char
                    if not sent.text.strip():
                        continue
                    worth = s1 - s0 <= MAX_SENTENCE_CHARS and self._worth(sent, actor_starts, hints)
                    out.append((s0, s1, worth))
        return out

    def _worth(self, sent: Span, actor_starts: list[int], hints: set[str]) -> bool:
        """A trigger form and an actor; or a speech verb with a speaker and a counterpart
        (two actors, or a known person and an actor): reported speech needs both."""
        words = {t.lower_ for t in sent}
        trigger = bool(words & self.lex.trigger_forms)
        if not trigger and not words & self.speech_forms:
            return False
        actors = sum(1 for a in actor_starts if sent.start <= a < sent.end)
        named = any(t.text in hints for t in sent)
        if trigger:
            return actors > 0 or named or bool(words & self.agent_nouns)
        return actors >= 2 or (actors >= 1 and named)
