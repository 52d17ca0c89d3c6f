"""Where the event happened (the guide's ``location``), each on a small hand-written text
(never a gold-set sentence)."""

from __future__ import annotations

from typing import Any

from pipeline.nlp.extractor import EventExtractor
from tests.unit.nlp.support import events_of as _events


def _place(ev: dict[str, Any]) -> tuple[str, str] | None:
    loc = ev.get("location")
    return (loc["place"], loc["country"]) if loc else None


def test_the_destination_of_a_trip_is_the_place_of_the_meeting(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Chilean President Ana Lopez will travel to Peru on Wednesday for talks with Peruvian"
        " leaders.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("CONSULT", ["CHL"], ["PER"])
    ]
    assert _place(evs[0]) == ("Peru", "PER")


def test_an_offensive_into_a_country_happens_there(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile launched an offensive into northern Peru on Monday.")
    assert [(e["type"], e["recipients"], _place(e)) for e in evs] == [
        ("ASSAULT", ["PER"], ("Peru", "PER"))
    ]


def test_an_investigation_into_a_country_is_not_located_there(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chile opened an investigation into Peru's fishing fleet on Monday.")
    assert all(_place(e) is None for e in evs)


def test_a_city_naming_the_talks_is_where_they_are_held(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chilean officials will join the Jeddah talks with Peru on Tuesday.")
    assert [(e["type"], _place(e)) for e in evs] == [("CONSULT", ("Jeddah", "SAU"))]
    evs = _events(extractor, "Chilean officials will join the Peru talks on Tuesday.")
    assert [(e["type"], e["recipients"], _place(e)) for e in evs] == [("CONSULT", ["PER"], None)]


def test_an_unknown_place_followed_by_its_country_is_kept(extractor: EventExtractor) -> None:
    evs = _events(
        extractor, "The militants attacked a Chilean military base in Lamu County, Peru in January."
    )
    assert [(e["type"], _place(e)) for e in evs] == [("ASSAULT", ("Lamu County", "PER"))]


def test_a_visited_country_is_the_place_of_the_visit(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chilean President Ana Lopez will visit the Maldives next week.")
    assert [(e["type"], e["recipients"], _place(e)) for e in evs] == [
        ("CONSULT", ["MDV"], ("Maldives", "MDV"))
    ]


def test_an_act_during_a_visit_happens_where_the_visit_is(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "Chilean President Ana Lopez arrived in Lima on Monday for a two-day visit. Chile also"
        " praised Peru on Monday for its help.",
    )
    assert [(e["type"], _place(e)) for e in evs] == [
        ("CONSULT", ("Lima", "PER")),
        ("SUPPORT", ("Lima", "PER")),
    ]
    evs = _events(extractor, "Chile praised Peru on Monday for its help.")
    assert [(e["type"], _place(e)) for e in evs] == [("SUPPORT", None)]


def test_a_visit_by_a_named_agent_is_an_event_without_a_support_verb(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "The fisheries pact was announced during a visit by Chilean President Ana Lopez to Peru"
        " on Monday.",
    )
    assert [(e["type"], e["actors"], e["recipients"], e["rule"]) for e in evs] == [
        ("CONSULT", ["CHL"], ["PER"], "noun-visit-by")
    ]
    assert _place(evs[0]) == ("Peru", "PER")
    assert [p["name"] for p in evs[0]["persons"]] == ["Ana Lopez"]


def test_a_side_act_without_the_visitors_does_not_relocate_the_visit(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Chilean President Ana Lopez visited Peru on Monday. A Chilean trade delegation also"
        " visited Lima on Monday.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("CONSULT", ["CHL"], ["PER"])
    ]
    assert _place(evs[0]) == ("Peru", "PER")


def test_a_state_naming_a_war_is_neither_its_place_nor_a_party(extractor: EventExtractor) -> None:
    evs = _events(
        extractor, "Chile urged Peru on Monday to accept a ceasefire in the Peru-Bolivia war."
    )
    assert [(e["type"], e["actors"], e["recipients"], _place(e)) for e in evs] == [
        ("REQUEST", ["CHL"], ["PER"], None)
    ]


def test_an_act_told_as_part_of_a_meeting_takes_its_officials(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "Chilean President Ana Lopez met Peruvian President Juan Mendez in Lima on Monday."
        " Chile and Peru signed a fisheries pact on Monday.",
    )
    signed = next(e for e in evs if e["type"] == "SUPPORT")
    assert _place(signed) == ("Lima", "PER")
    assert sorted(p["name"] for p in signed["persons"]) == ["Ana Lopez", "Juan Mendez"]


def test_member_officials_acting_during_a_bodys_meeting_take_part_in_it(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "The G20 talks in Rio de Janeiro on Wednesday brought together ministers from Chile,"
        " Peru and Brazil. On Wednesday, Chilean Foreign Minister Ana Lopez praised Peru."
        " Peruvian spokesperson Juan Mendez criticized Bolivia on Wednesday. The G20 ministers"
        " urged Bolivia on Wednesday to release the sailors.",
    )
    by_type = {e["type"]: e for e in evs}
    assert by_type["CONSULT"]["actors"][0] == "G20"
    # the minister acting there that day took part; a spokesperson speaking at home did not
    assert [p["name"] for p in by_type["CONSULT"]["persons"]] == ["Ana Lopez"]
    assert [p["name"] for p in by_type["REQUEST"]["persons"]] == ["Ana Lopez"]


def test_a_state_name_is_the_state_not_a_town_abroad_named_after_it(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chilean and Peruvian leaders held talks in Jordan on Monday.")
    assert [(e["type"], _place(e)) for e in evs] == [("CONSULT", ("Jordan", "JOR"))]


def test_a_region_is_a_place_and_a_town_named_with_its_region_is_kept(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chilean and Peruvian ministers held talks in Alberta on Monday.")
    assert [(e["type"], _place(e)) for e in evs] == [("CONSULT", ("Alberta", "CAN"))]
    evs = _events(
        extractor,
        "The NATO talks in Banff, Alberta, brought together ministers from Chile and Peru.",
    )
    assert [(e["type"], _place(e)) for e in evs] == [("CONSULT", ("Banff", "CAN"))]


def test_an_unnamed_subject_acts_where_it_acts_but_holds_no_position_there(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Gunmen attacked a Chilean convoy in Helmand on Monday.")
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("ASSAULT", ["AFG"], ["CHL"])
    ]
    assert _events(extractor, "The group also opposes Chilean investment in Helmand.") == []


def test_a_joint_act_of_a_multilateral_meetings_parties_happens_where_it_is_held(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Chile, Peru and Bolivia held talks in Cusco on Friday. Chile, Peru and Bolivia urged"
        " Ecuador to reopen its border.",
    )
    assert [(e["type"], e["recipients"], _place(e)) for e in evs] == [
        ("CONSULT", [], ("Cusco", "PER")),
        ("REQUEST", ["ECU"], ("Cusco", "PER")),
    ]
    # an act its own clause dates on another day is not told from the meeting
    evs = _events(
        extractor,
        "Ministers of Chile, Peru and Bolivia held talks in Cusco on Friday. On Monday, Chile"
        " urged Ecuador to reopen its border.",
    )
    assert [(e["type"], _place(e)) for e in evs if e["type"] == "REQUEST"] == [("REQUEST", None)]


def test_a_meeting_dated_only_by_a_neighbouring_clause_takes_the_date_of_its_joint_act(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Peruvian officials said on Wednesday that fishing had slowed. Chile, Peru and Bolivia"
        " held talks in Cusco. Chile, Peru and Bolivia urged Ecuador on Friday to reopen its"
        " border.",
    )
    assert [(e["type"], e["date"], _place(e)) for e in evs] == [
        ("CONSULT", "2024-02-23", ("Cusco", "PER")),
        ("REQUEST", "2024-02-23", ("Cusco", "PER")),
    ]


def test_leading_talks_is_holding_them(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "The Chilean foreign minister led six hours of talks with Peruvian officials in Lima"
        " on Tuesday.",
    )
    assert [(e["type"], e["actors"], e["recipients"], _place(e)) for e in evs] == [
        ("CONSULT", ["CHL"], ["PER"], ("Lima", "PER"))
    ]
