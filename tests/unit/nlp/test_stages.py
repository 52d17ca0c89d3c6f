"""The extraction stages on their own: hand-built Docs, named rules, the versioned rule data."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from spacy.tokens import Doc

from pipeline.nlp import CODE_VERSION, DEFAULT_CONFIG_DIR, extractor_version
from pipeline.nlp.actors import actor_mentions
from pipeline.nlp.arguments import assign_roles
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.mentions import ArticleState
from pipeline.nlp.trigger_selection import select_triggers
from pipeline.nlp.triggers import find_triggers
from pipeline.nlp.types import ArticleInput

PUB = date(2024, 2, 23)


def _doc(ex: EventExtractor) -> Doc:
    """ "Japan condemned China ." with a parse written by hand (no model involved)."""
    return Doc(
        ex.nlp.vocab,
        words=["Japan", "condemned", "China", "."],
        spaces=[True, True, False, False],
        heads=[1, 1, 1, 1],
        deps=["nsubj", "ROOT", "dobj", "punct"],
        pos=["PROPN", "VERB", "PROPN", "PUNCT"],
        tags=["NNP", "VBD", "NNP", "."],
        lemmas=["Japan", "condemn", "China", "."],
    )


def test_triggers_and_roles_on_a_hand_built_doc(extractor: EventExtractor) -> None:
    sdoc = _doc(extractor)
    trig = select_triggers(find_triggers(sdoc, extractor.lex), extractor.lex.words)
    assert [(t.type, t.anchor.text) for t in trig] == [("ACCUSE", "condemned")]
    state = ArticleState(PUB, [], {})
    ams = actor_mentions(sdoc, state, extractor.gaz, extractor.selector.actor_matcher)
    roles = assign_roles(
        sdoc, trig[0].anchor, None, trig[0].mode, ams, extractor.gaz, extractor.lex.words, (-1, -1)
    )
    assert [a.code for a in roles.actors] == ["JPN"]
    assert [a.code for a in roles.recips] == ["CHN"]


def test_constructor_takes_a_loaded_pipeline(extractor: EventExtractor) -> None:
    other = EventExtractor(nlp=extractor.nlp)
    assert other.nlp is extractor.nlp
    text = "Seoul on Tuesday condemned Pyongyang's missile launch."
    a = other.extract(ArticleInput("t", text, published=PUB)).to_dict()
    b = extractor.extract(ArticleInput("t", text, published=PUB)).to_dict()
    assert a == b and a["events"]


def test_event_carries_trigger_and_typing_rule_names(extractor: EventExtractor) -> None:
    text = "Chile did not support Peru's proposal on Monday."
    ev = extractor.extract(ArticleInput("t", text, published=PUB)).to_dict()["events"][0]
    assert ev["type"] == "REJECT"
    trigger, typing = ev["rule"].split("/")
    names = {r.name for rs in extractor.lex.bare.values() for r in rs}
    assert trigger in names and extractor.lex.bare["support"][0].name == trigger
    assert typing in {r.name for r in extractor.lex.typing_rules}


def test_version_changes_with_the_rule_data(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_CONFIG_DIR, tmp_path / "config")
    before = extractor_version(tmp_path / "config")
    words = tmp_path / "config" / "nlp" / "words.yaml"
    words.write_text(words.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    extractor_version.cache_clear()
    after = extractor_version(tmp_path / "config")
    assert before.startswith(f"nlp-{CODE_VERSION}+") and after.startswith(f"nlp-{CODE_VERSION}+")
    assert before != after


def test_version_changes_with_the_generated_dictionary_tables(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_CONFIG_DIR, tmp_path / "config")
    extractor_version.cache_clear()
    before = extractor_version(tmp_path / "config")
    table = tmp_path / "config" / "dictionaries" / "officials_phoenix.tsv"
    table.write_text(table.read_text(encoding="utf-8") + "# regenerated\n", encoding="utf-8")
    extractor_version.cache_clear()
    edited = extractor_version(tmp_path / "config")
    assert edited != before
    readme = tmp_path / "config" / "dictionaries" / "README.md"
    readme.write_text("# only prose\n", encoding="utf-8")
    extractor_version.cache_clear()
    assert extractor_version(tmp_path / "config") == edited  # prose is not rule data
