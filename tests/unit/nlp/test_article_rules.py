"""Rules for real articles, each on a small hand-written text (never a gold-set sentence)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleInput

PUB = date(2024, 2, 23)


def _result(ex: EventExtractor, text: str) -> dict[str, Any]:
    return ex.extract(ArticleInput("t", text, published=PUB)).to_dict()


def _events(ex: EventExtractor, text: str) -> list[dict[str, Any]]:
    return _result(ex, text)["events"]


def test_body_codes_follow_the_guide_and_keep_the_specific_body(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "UNICEF condemned Ruritania's government and Peru on Monday.")
    ev = next(e for e in evs if e["type"] == "ACCUSE")
    assert ev["actors"] == ["UNO"] and ev["bodies"] == ["UNICEF"]
    evs = _events(extractor, "The European Union praised Chile on Tuesday.")
    assert evs[0]["actors"] == ["EUR"] and evs[0]["bodies"] == ["EU"]


def test_kosovo_is_coded_kos(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Serbia accused Kosovo of provocations on Wednesday.")
    assert evs[0]["actors"] == ["SRB"] and evs[0]["recipients"] == ["KOS"]


def test_background_events_are_kept_apart_and_do_not_make_an_article_diplomatic(
    extractor: EventExtractor,
) -> None:
    res = _result(extractor, "In 2015, Chile attacked Peru.")
    assert res["events"] == [] and res["diplomatic"] is False
    assert [(e["type"], e["factuality"]) for e in res["background_events"]] == [
        ("ASSAULT", "historical")
    ]


def test_perfect_progressive_is_a_standing_state_not_news(extractor: EventExtractor) -> None:
    res = _result(extractor, "Chile has been criticizing Peru over the fishing rules.")
    assert res["events"] == []
    assert res["background_events"][0]["factuality"] == "historical"


def test_a_refusal_is_an_asserted_reject_and_stays_news(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile did not support Peru's proposal on Monday.")
    assert [(e["type"], e["factuality"]) for e in evs] == [("REJECT", "asserted")]
    assert evs[0]["rule"].endswith("/refused-cooperation-is-reject")


def test_a_coordinated_verb_does_not_make_a_warning_hypothetical(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor, "Chile is considering new tariffs and warned Peru that talks would fail."
    )
    assert any(e["type"] == "THREATEN" and e["recipients"] == ["PER"] for e in evs)


def test_a_ban_on_another_state_is_a_sanction(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile on Monday banned Peruvian fishing boats from its waters.")
    ev = next(e for e in evs if e["actors"] == ["CHL"])
    assert ev["type"] == "SANCTION" and ev["recipients"] == ["PER"]
    assert ev["rule"] == "coerce-ban/restriction-on-a-foreign-state-is-sanction"


def test_a_verbal_attack_on_a_decision_is_a_condemnation(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile on Tuesday attacked the decision of Peru to close the port.")
    assert evs[0]["type"] == "ACCUSE" and evs[0]["rule"] == "accuse-attack-decision"
    assert evs[0]["actors"] == ["CHL"] and evs[0]["recipients"] == ["PER"]


def test_speaking_with_a_counterpart_is_a_consultation(extractor: EventExtractor) -> None:
    evs = _events(
        extractor, "The Chilean foreign minister spoke with his Peruvian counterpart on Friday."
    )
    assert evs[0]["type"] == "CONSULT"
    assert set(evs[0]["actors"]) | set(evs[0]["recipients"]) == {"CHL", "PER"}
    evs = _events(extractor, "The presidents of Chile and Peru spoke by phone on Friday.")
    assert evs[0]["type"] == "CONSULT" and evs[0]["mode"] == "phone"
    assert set(evs[0]["actors"]) == {"CHL", "PER"}


def test_reported_speech_content_decides_the_type(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile said on Monday that Peru's claims were baseless propaganda.")
    assert [(e["type"], e["actors"], e["recipients"], e["rule"]) for e in evs] == [
        ("ACCUSE", ["CHL"], ["PER"], "reported-accusation")
    ]


def test_according_to_makes_the_source_the_speaker(extractor: EventExtractor) -> None:
    evs = _events(extractor, "According to Chile, Peru was behind the bombing of the port.")
    acc = [e for e in evs if e["rule"] == "reported-accusation"]
    assert acc and acc[0]["actors"] == ["CHL"] and acc[0]["recipients"] == ["PER"]


def test_first_person_inside_a_quote_is_the_speaker(extractor: EventExtractor) -> None:
    text = 'Chile\'s defence minister said on Monday: "We warn Peru that the border is closed."'
    evs = _events(extractor, text)
    assert any(
        e["type"] == "THREATEN" and e["actors"] == ["CHL"] and e["recipients"] == ["PER"]
        for e in evs
    )


def test_speech_without_a_counterpart_is_no_event(extractor: EventExtractor) -> None:
    assert _events(extractor, "Chile said on Monday that its economy was growing fast.") == []


def test_hong_kong_and_puerto_rico_are_not_states(extractor: EventExtractor) -> None:
    res = _result(extractor, "China on Monday criticized the Hong Kong government.")
    assert res["diplomatic"] is False
    res = _result(extractor, "The United States praised Puerto Rico on Monday.")
    assert res["diplomatic"] is False


def test_cameo_verb_object_patterns_extend_the_triggers(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile and Peru resumed cooperation on Monday.")
    assert evs and evs[0]["rule"].startswith("cameo-") and evs[0]["type"] == "COOPERATE"


def test_cameo_dictionary_parsing(tmp_path: Path) -> None:
    from scripts.build_cameo_triggers import parse

    d = tmp_path / "verbs.txt"
    d.write_text(
        "####### VERB PATTERNS #######\n"
        "---  HALT   [---]  ---\n"
        "HALT {HALTS HALTED }\n"
        "STOP  # a comment\n"
        "- * AID                                   [162]         # HALT\n"
        "---  CONDEMN   [111]  ---\n"
        "CONDEMN\n"
        "DENOUNCE [112]\n",
        encoding="latin-1",
    )
    verbs, objects = parse(d)
    assert verbs == {"condemn": "111", "denounce": "112"}
    assert objects == {("halt", "aid"): "162", ("stop", "aid"): "162"}
