"""A visit that is only the setting of what its clause tells ("X said during a visit to Y") is
still X's visit to Y; each case on a small hand-written text (never a gold-set sentence)."""

from __future__ import annotations

from typing import Any

from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.triggers import find_triggers
from tests.unit.nlp.support import events_of


def _summary(evs: list[dict[str, Any]]) -> list[tuple[str, list[str], list[str], str | None]]:
    return [
        (e["type"], e["actors"], e["recipients"], (e.get("location") or {}).get("place"))
        for e in evs
    ]


def test_a_visit_during_which_the_subject_spoke_is_the_subjects_visit(
    extractor: EventExtractor,
) -> None:
    evs = events_of(
        extractor,
        "British Prime Minister Keir Starmer spoke to reporters on Tuesday during a visit to"
        " Poland.",
    )
    assert _summary(evs) == [("CONSULT", ["GBR"], ["POL"], "Poland")]


def test_a_statement_released_with_a_visit_dates_and_places_the_visit_there(
    extractor: EventExtractor,
) -> None:
    evs = events_of(
        extractor,
        '"Jobs will stay in Britain," British Prime Minister Keir Starmer said in a statement'
        " released in conjunction with a visit to Poland.",
    )
    # the destination is where the visit was, not the other place the sentence names
    assert _summary(evs) == [("CONSULT", ["GBR"], ["POL"], "Poland")]


def test_a_pronoun_subject_leaves_the_visit_unattributed(extractor: EventExtractor) -> None:
    evs = events_of(extractor, "He said during a visit to Poland that jobs were safe.")
    assert [e for e in evs if e["type"] == "CONSULT"] == []


def test_a_meeting_told_during_the_visit_stays_one_event(extractor: EventExtractor) -> None:
    evs = events_of(
        extractor,
        "During his visit to Poland on Tuesday, British Prime Minister Keir Starmer met Polish"
        " President Andrzej Duda.",
    )
    assert [(e["type"], e["actors"], e["recipients"], e["rule"]) for e in evs] == [
        ("CONSULT", ["GBR"], ["POL"], "consult-meet")
    ]


def test_trigger_setting_flag_marks_only_the_visit_told_as_a_setting(
    extractor: EventExtractor,
) -> None:
    def flags(text: str) -> list[tuple[str, bool]]:
        return [(t.name, t.setting) for t in find_triggers(extractor.nlp(text), extractor.lex)]

    spoke = "British Prime Minister Keir Starmer spoke to reporters during a visit to Poland."
    assert flags(spoke) == [("noun-visit-setting", True)]
    # a visit with its own agent is an event of its own, not the setting of its clause
    announced = "The pact was announced during a visit by Chilean President Ana Lopez to Peru."
    assert flags(announced) == [("noun-visit-by", False)]
