"""Who takes part in an event and when it happened, each on a small hand-written text (never
a gold-set sentence): the guide's ``persons`` and ``date`` fields."""

from __future__ import annotations

from typing import Any

from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleInput
from tests.unit.nlp.support import PUB
from tests.unit.nlp.support import events_of as _events


def _names(ev: dict[str, Any]) -> list[str]:
    return [p["name"] for p in ev["persons"]]


def test_the_target_of_an_act_is_not_a_participant(extractor: EventExtractor) -> None:
    evs = _events(
        extractor, "Chilean President Ana Lopez opposed Peruvian President Juan Mendez's proposal."
    )
    assert [(e["actors"], e["recipients"]) for e in evs] == [(["CHL"], ["PER"])]
    assert _names(evs[0]) == ["Ana Lopez"]


def test_both_sides_of_a_meeting_take_part(extractor: EventExtractor) -> None:
    evs = _events(
        extractor, "Chilean Foreign Minister Ana Lopez met Peruvian Foreign Minister Juan Mendez."
    )
    assert evs[0]["type"] == "CONSULT"
    assert sorted(_names(evs[0])) == ["Ana Lopez", "Juan Mendez"]


def test_a_named_spokesperson_takes_part_in_what_she_says(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile's spokesperson Ana Lopez criticized Peru on Monday.")
    assert evs[0]["type"] == "ACCUSE"
    assert [(p["name"], p["role"]) for p in evs[0]["persons"]] == [("Ana Lopez", "spokesperson")]


def test_the_speaker_takes_part_in_what_her_government_will_do(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Chilean Foreign Minister Ana Lopez said the Chilean government would pressure Peru to"
        " reopen the border.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("REQUEST", ["CHL"], ["PER"])
    ]
    assert _names(evs[0]) == ["Ana Lopez"]


def test_reported_content_is_dated_by_the_saying(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "“We fully support Peru in its dispute,” Chilean Foreign Minister Ana Lopez said Tuesday.",
    )
    assert [(e["type"], e["date"]) for e in evs] == [("SUPPORT", "2024-02-20")]


def test_a_clause_without_a_date_takes_its_governing_clause_date(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor, "On Wednesday, Chile joined the appeals urging Peru to release the sailors."
    )
    assert [(e["type"], e["date"]) for e in evs] == [("REQUEST", "2024-02-21")]


def test_a_date_inside_the_attribution_dates_the_statement(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "According to a statement on Wednesday by Chilean President Ana Lopez, Peru is a"
        " terrorist state.",
    )
    assert [(e["type"], e["actors"], e["date"]) for e in evs] == [("ACCUSE", ["CHL"], "2024-02-21")]


def test_a_bare_year_earlier_in_the_paragraph_does_not_date_the_news(
    extractor: EventExtractor,
) -> None:
    text = "Chile has been at odds with Peru since 2011. Chile criticized Peru's fishing rules."
    evs = _events(extractor, text)
    assert [(e["type"], e["date"]) for e in evs] == [("ACCUSE", None)]
    evs = _events(extractor, "Chile spoke on Tuesday. Chile criticized Peru's fishing rules.")
    assert [(e["type"], e["date"]) for e in evs] == [("ACCUSE", "2024-02-20")]


def test_a_body_before_a_hyphenated_modifier_is_the_officials(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "United Nations-appointed special rapporteur Ana Lopez said on Wednesday that Peru must"
        " release the prisoners.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("REQUEST", ["UNO"], ["PER"])
    ]
    assert [(p["name"], p["role"]) for p in evs[0]["persons"]] == [
        ("Ana Lopez", "special rapporteur")
    ]


def test_presidential_advisers_are_officials(extractor: EventExtractor) -> None:
    evs = _events(
        extractor, "Peruvian presidential adviser Juan Mendez criticized Chile on Monday."
    )
    assert [(p["name"], p["country"], p["role"]) for p in evs[0]["persons"]] == [
        ("Juan Mendez", "PER", "presidential adviser")
    ]


def test_the_official_who_sends_an_envoy_does_not_take_part(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "Chilean President Ana Lopez's special envoy, Pablo Rojas, met Peruvian Foreign "
        "Minister Juan Mendez on Tuesday.",
    )
    assert evs[0]["type"] == "CONSULT"
    assert sorted(_names(evs[0])) == ["Juan Mendez", "Pablo Rojas"]


def test_a_described_envoy_of_a_named_state_is_the_envoy_named_before(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Chile's ambassador to the United Nations, Pablo Rojas, spoke on Monday. "
        '"Peru is responsible for the crisis and must stop shielding the smugglers," the '
        "Chilean envoy said.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("REQUEST", ["CHL"], ["PER"])
    ]
    assert _names(evs[0]) == ["Pablo Rojas"]


def test_she_coordinated_with_her_officials_is_the_person_named_before(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Chilean Foreign Minister Ana Lopez spoke on Monday. She and other senior Chilean"
        " officials held talks with Peruvian officials in Lima on Tuesday.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("CONSULT", ["CHL"], ["PER"])
    ]
    assert _names(evs[0]) == ["Ana Lopez"]


def test_a_clause_set_days_after_another_is_dated_back_from_it(
    extractor: EventExtractor,
) -> None:
    # PUB is a Friday: "came on Wednesday, a day after" is Tuesday; "come two days after"
    # (present tense) counts back from publication
    evs = _events(
        extractor, "The statement came on Wednesday, a day after Chile accused Peru of spying."
    )
    assert [(e["type"], e["date"]) for e in evs] == [("ACCUSE", "2024-02-20")]
    evs = _events(extractor, "His remarks come two days after Chile condemned Peru.")
    assert [(e["type"], e["date"]) for e in evs] == [("ACCUSE", "2024-02-21")]


def test_a_date_in_a_reference_phrase_is_not_the_events(extractor: EventExtractor) -> None:
    # "before the election this month" dates the election; the visit is "in November"
    text = (
        "Before Chile's election this month, Chilean President Ana Lopez visited Peru in November."
    )
    evs = extractor.extract(ArticleInput("t", text, published=PUB)).background_events
    assert [(e.type, e.date) for e in evs] == [("CONSULT", "2023-11")]


def test_a_participle_on_the_clauses_phrase_dates_it(extractor: EventExtractor) -> None:
    ev = _events(
        extractor,
        "In a joint statement issued at their meeting on Tuesday, Chile and Peru agreed to"
        " cooperate on fishing.",
    )[0]
    assert (ev["type"], ev["date"]) == ("AGREE", "2024-02-20")


def test_the_date_of_an_accused_act_dates_an_undated_accusation(
    extractor: EventExtractor,
) -> None:
    text = "Chile accused Peru of violating its airspace in November."
    assert _events(extractor, text) == []  # three months before: background
    ev = _events(extractor, "Chile accused Peru on Monday of violating its airspace in November.")
    assert ev[0]["date"] == "2024-02-19"  # the accusation's own date wins


def test_a_weekday_dating_the_saying_is_not_moved_to_the_coming_week(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chile said Tuesday that it would resume cooperation with Peru.")
    assert [(e["type"], e["date"]) for e in evs] == [("AGREE", "2024-02-20")]
    # the future clause's own weekday is still the coming one
    evs = _events(extractor, "Chile said on Tuesday that it will meet Peru on Thursday.")
    assert [(e["type"], e["date"]) for e in evs] == [("CONSULT", "2024-02-29")]
