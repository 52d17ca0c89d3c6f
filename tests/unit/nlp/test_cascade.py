"""The cascade's cheap pass: sentence splitting as spaCy's Sentencizer does it, which sentences
are worth a parse, and what unparsed sentences still tell later ones (hand-written texts)."""

from __future__ import annotations

from datetime import date

import pytest
import spacy

from pipeline.nlp.cascade import sentence_starts
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleInput

TEXTS = [
    "Chile spoke on Monday. Peru did not! Why? Because.",
    'He said "no." Then they left... And "yes!" she said?! Fine.',
    "U.S. officials met Mr. Smith at 5 p.m. in Washington, D.C. on Friday.",
    "No final stop here",
    "",
    "!!! ??? ...",
    "Talks ended。 新しい文。 Done",
]


@pytest.mark.parametrize("text", TEXTS)
def test_sentence_starts_match_spacys_sentencizer(text: str) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp(text)
    expected = [s.start for s in doc.sents] if len(doc) else []
    orth, _, punct = doc.to_array(["ORTH", "LOWER", "IS_PUNCT"]).T.tolist()
    finals = frozenset(
        nlp.vocab.strings.add(c) for c in spacy.pipeline.Sentencizer.default_punct_chars
    )
    assert sentence_starts(orth, punct, finals) == expected


def _worth(ex: EventExtractor, text: str) -> list[bool]:
    return [w for _, _, w in ex.selector.sentences(text, set())]


def test_an_object_word_selects_a_sentence_only_beside_its_verb(extractor: EventExtractor) -> None:
    # "state" is the object of the recognition rule; alone it is just a word about a state
    assert _worth(extractor, "The state of Texas is large, France said.") == [False]
    assert _worth(extractor, "France recognized the state of Palestine.") == [True]


def test_a_pronoun_after_an_unparsed_sentence_is_the_person_it_named(
    extractor: EventExtractor,
) -> None:
    text = (
        "Foreign Minister Sergei Lavrov of Russia is seventy years old. "
        "He condemned Ukraine on Wednesday."
    )
    assert _worth(extractor, text) == [False, True]
    ev = extractor.extract(ArticleInput("t", text, published=date(2024, 2, 23))).to_dict()
    (event,) = ev["events"]
    assert event["actors"] == ["RUS"]
    assert [p["name"] for p in event["persons"]] == ["Sergei Lavrov"]


def _split(ex: EventExtractor, text: str) -> list[str]:
    return [text[s:e] for s, e, _ in ex.selector.sentences(text, set())]


def test_a_sentence_ending_in_an_initialism_ends_before_a_sentence_opener(
    extractor: EventExtractor,
) -> None:
    text = "He wrote on platform X. The talks began in the U.S. He left for Washington, D.C. Then."
    assert _split(extractor, text) == [
        "He wrote on platform X.",
        "The talks began in the U.S.",
        "He left for Washington, D.C. Then.",
    ]


def test_initials_and_titles_before_a_name_do_not_end_a_sentence(
    extractor: EventExtractor,
) -> None:
    text = "George W. Bush met Mr. A and U.S. officials in D.C. on Monday."
    assert _split(extractor, text) == [text]
