"""Sentence selection (the cascade's cheap pass): tokenizer, sentence splitting and phrase
matching of trigger word forms and actor names pick the sentences worth a full parse."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Sentencizer
from spacy.strings import StringStore
from spacy.tokens import Doc, Span, Token

from pipeline.nlp.gazetteer import Gazetteer
from pipeline.nlp.lexicon import Lexicon, inflections
from pipeline.nlp.text import chunks

#: sectors whose bare noun ("the government of Sindh") can stand in for an actor
_AGENT_SECTORS = ("GOV", "MIL", "COP", "REB", "LEG", "JUD")
#: longer "sentences" are lists or tables, not prose
MAX_SENTENCE_CHARS = 2000
_OPENERS = ("“", "‘")
_STRAIGHT = ('"', "'")


def _opens(tok: Token) -> bool:
    """An opening quote: a curly opener, or a straight quote after a space ("said. \"We")."""
    if tok.text in _OPENERS:
        return True
    return tok.text in _STRAIGHT and tok.i > 0 and bool(tok.doc[tok.i - 1].whitespace_)


def sentence_starts(orth: list[int], punct: list[int], final_ids: frozenset[int]) -> list[int]:
    """Token indices where sentences start, by the rule of spaCy's ``Sentencizer`` (a sentence
    ends at its first non-punctuation token after a sentence-final character).

    Computed over the token arrays rather than by the ``Sentencizer`` component: that one makes
    a Python ``Token`` per token of every article, which was the cheap pass's largest cost."""
    starts = [0] if orth else []
    seen_final = False
    for i, (o, is_punct) in enumerate(zip(orth, punct, strict=True)):
        is_final = o in final_ids
        if seen_final and not is_punct and not is_final:
            starts.append(i)
            seen_final = False
        elif is_final:
            seen_final = True
    return starts


#: letters each with its period: "X.", "U.S.", "D.C.", "a.m." (not "Mr.", which a name follows)
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+")


def abbreviation_ends(
    starts: list[int],
    orth: list[int],
    title: list[int],
    lower: list[int],
    openers: frozenset[int],
    strings: StringStore,
) -> list[int]:
    """``starts`` plus a start after a sentence that ends in an initialism with its own period
    ("in the U.S. The talks", "on platform X. The G7 ..."): the tokenizer keeps such a period in
    the token, so no sentence-final character is seen. Only a capitalised sentence opener
    ("The", "He", "In") after it counts, so "George W. Bush" and "U.S. officials" stay whole."""
    extra = []
    for i in range(len(orth) - 1):
        if title[i + 1] and lower[i + 1] in openers:
            text = strings[orth[i]]
            if _INITIALISM.fullmatch(text):
                extra.append(i + 1)
    return sorted(set(starts) | set(extra)) if extra else starts


def _quote_aware(pdoc: Doc, starts: list[int]) -> list[Span]:
    """The sentences with an opening quote left at the end of one sentence ('... officials
    said. "We will') moved to the next, where the quote it opens is: reported speech is read
    from its quotes."""
    sents = [pdoc[s:e] for s, e in zip(starts, [*starts[1:], len(pdoc)], strict=True)]
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


def heading_end(
    start: int,
    end: int,
    title: list[int],
    lower: list[int],
    joiners: frozenset[int],
    openers: frozenset[int],
) -> int:
    """Token index where the sentence proper starts after a subheading glued to it (0 when
    none): a run of two or more title-case words (lower-case joiners allowed, "Position on
    Chile"), ending in a title-case word, then a capitalised sentence opener ("Beyond",
    "The"). A line break is already a boundary; this is for texts whose line breaks were
    lost. Reads the token arrays, like the rest of the cheap pass."""
    for k in range(start + 2, min(end, start + _HEADING_TOKENS + 1)):
        if not all(title[i] or lower[i] in joiners for i in range(start, k)):
            break
        if not title[k - 1] or lower[k - 1] in joiners:
            continue
        if title[k] and lower[k] in openers:
            return k
    return 0


def _sentence_case_heading(
    start: int,
    end: int,
    arrays: tuple[list[int], list[int], list[int], list[int], list[int]],
    openers: frozenset[int],
    quotes: frozenset[int],
) -> int:
    """A sentence-case heading ("Allies respond The ministers met ...", a quoted "'We are
    ready' In a statement ..."): a capitalised opener right after a lower-case word or a
    closing quote (one a space follows) and before a lower-case word starts a sentence, since
    running text never capitalises "The" or "In" there. A title ("told The Associated Press")
    is followed by a capitalised word, so it stays. The heading holds words and quotes only (a
    comma is a speech lead-in: 'he said, "We ...').

    ``arrays`` are the ORTH, LOWER, IS_PUNCT, IS_TITLE and SPACY arrays; ``quotes`` the quote
    characters."""
    orth, lower, punct, title, space = arrays
    for k in range(start + 2, min(end - 1, start + _HEADING_TOKENS + 1)):
        prev, nxt = k - 1, k + 1
        closing = orth[prev] in quotes and space[prev]
        if not closing and (punct[prev] or orth[prev] != lower[prev]):
            continue
        if not (title[k] and lower[k] in openers):
            continue
        if punct[nxt] or orth[nxt] != lower[nxt]:
            continue
        body = [i for i in range(start, k) if orth[i] not in quotes]
        if len(body) >= 2 and title[body[0]] and not any(punct[i] for i in body):
            return k
    return 0


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
        speech_forms = {f for v in speech_verbs for f in inflections(v)} | {"according"}
        self.chunk_chars = chunk_chars
        self.actor_matcher = PhraseMatcher(cheap.vocab, attr="ORTH")
        patterns = [cheap.make_doc(name) for name in gaz.actors]
        for i in range(0, len(patterns), 500):
            self.actor_matcher.add("ACTOR", patterns[i : i + 500])
        agent_nouns = {
            n for n, sec in gaz.sector_nouns.items() if " " not in n and sec in _AGENT_SECTORS
        } - lex.words.generic_agents
        # word sets as string-store ids: the cheap pass reads token ids from arrays, never
        # making a Token object per word
        strings = cheap.vocab.strings
        self._ids: dict[str, frozenset[int]] = {
            name: frozenset(strings.add(w) for w in words)
            for name, words in (
                ("trigger", lex.trigger_forms),
                ("speech", speech_forms),
                ("agent", agent_nouns),
                ("final", Sentencizer.default_punct_chars),
                ("joiner", lex.words.heading_joiners),
                ("opener", lex.words.sentence_openers),
                ("quote", (*_OPENERS, *_STRAIGHT, "”", "’")),
            )
        }
        self._object_ids: dict[int, frozenset[int]] = {
            strings.add(obj): frozenset(strings.add(v) for v in verbs)
            for obj, verbs in lex.object_trigger_forms.items()
        }

    def sentences(self, text: str, hints: set[str]) -> list[tuple[int, int, bool]]:
        """(start, end, worth_parsing) for every sentence, from the tokenizer only."""
        hint_ids = {self.cheap.vocab.strings.add(h) for h in hints}
        out: list[tuple[int, int, bool]] = []
        for off, piece in chunks(text, self.chunk_chars):
            for para in re.finditer(r"[^\n]+", piece):
                pdoc = self.cheap.make_doc(para.group(0))
                orth, lower, punct, title, space = pdoc.to_array(
                    ["ORTH", "LOWER", "IS_PUNCT", "IS_TITLE", "SPACY"]
                ).T.tolist()
                actor_starts = sorted(s for _, s, _ in self.actor_matcher(pdoc))
                starts = abbreviation_ends(
                    sentence_starts(orth, punct, self._ids["final"]),
                    orth,
                    title,
                    lower,
                    self._ids["opener"],
                    self.cheap.vocab.strings,
                )
                for sent in self._split_headings(
                    _quote_aware(pdoc, starts), (orth, lower, punct, title, space)
                ):
                    s0 = off + para.start() + sent.start_char
                    s1 = off + para.start() + sent.end_char
                    if not sent.text.strip():
                        continue
                    words = set(lower[sent.start : sent.end])
                    named = not hint_ids.isdisjoint(orth[sent.start : sent.end])
                    worth = s1 - s0 <= MAX_SENTENCE_CHARS and self._worth(
                        sent, words, named, actor_starts
                    )
                    out.append((s0, s1, worth))
        return out

    def _split_headings(
        self,
        sents: list[Span],
        arrays: tuple[list[int], list[int], list[int], list[int], list[int]],
    ) -> list[Span]:
        """Each sentence, with a glued subheading (:func:`heading_end`) split off; ``arrays``
        are the ORTH, LOWER, IS_PUNCT, IS_TITLE and SPACY arrays of the paragraph."""
        out: list[Span] = []
        lower, title = arrays[1], arrays[3]
        for sent in sents:
            k = heading_end(
                sent.start, sent.end, title, lower, self._ids["joiner"], self._ids["opener"]
            ) or _sentence_case_heading(
                sent.start, sent.end, arrays, self._ids["opener"], self._ids["quote"]
            )
            out.extend([sent.doc[sent.start : k], sent.doc[k : sent.end]] if k else [sent])
        return out

    def _worth(self, sent: Span, words: set[int], named: bool, actor_starts: list[int]) -> bool:
        """A trigger form and an actor; or a speech verb with a speaker and a counterpart
        (two actors, or a known person and an actor): reported speech needs both."""
        trigger = not self._ids["trigger"].isdisjoint(words) or any(
            not self._object_ids[w].isdisjoint(words) for w in words if w in self._object_ids
        )
        if not trigger and self._ids["speech"].isdisjoint(words):
            return False
        actors = sum(1 for a in actor_starts if sent.start <= a < sent.end)
        if trigger:
            return actors > 0 or named or not self._ids["agent"].isdisjoint(words)
        return actors >= 2 or (actors >= 1 and named)
