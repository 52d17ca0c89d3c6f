"""Recall of reported speech and of who did what to whom, each on a small hand-written text
(never a gold-set sentence)."""

from __future__ import annotations

from pipeline.nlp.extractor import EventExtractor
from tests.unit.nlp.support import events_of as _events


def _sentences(ex: EventExtractor, text: str) -> list[str]:
    return [text[s:e] for s, e, _ in ex.selector.sentences(text, set())]


def test_an_opening_quote_starts_the_next_sentence(extractor: EventExtractor) -> None:
    text = 'Chile spoke on Monday. "We act," she said. “We will act,” he added. He said "no." Then.'
    assert _sentences(extractor, text) == [
        "Chile spoke on Monday.",
        '"We act," she said.',
        "“We will act,” he added.",
        'He said "no."',
        "Then.",
    ]


def test_a_quote_opening_a_sentence_is_read_as_the_speakers(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        'Chile spoke on Monday. "We reject the baseless claims by Peru," Chilean Foreign Minister'
        " Ana Lopez told reporters.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("ACCUSE", ["CHL"], ["PER"])
    ]
    assert [p["name"] for p in evs[0]["persons"]] == ["Ana Lopez"]


def test_the_agent_of_a_participle_on_the_object_is_the_recipient(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chile rejected the allegations made by Peru on Monday.")
    assert [(e["actors"], e["recipients"]) for e in evs] == [(["CHL"], ["PER"])]
    evs = _events(extractor, "Chile condemned the sanctions imposed by Peru.")
    assert [(e["actors"], e["recipients"]) for e in evs] == [(["CHL"], ["PER"])]


def test_the_victims_of_a_condemned_attack_are_not_its_recipient(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chile condemned the attack that killed Peruvian soldiers.")
    assert all("PER" not in e["recipients"] for e in evs)


def test_accusations_in_both_directions_are_two_acts(extractor: EventExtractor) -> None:
    evs = _events(
        extractor, "Chile accused Peru of spying on Monday. Peru accused Chile of lying on Monday."
    )
    assert sorted((e["type"], e["actors"][0], e["recipients"][0]) for e in evs) == [
        ("ACCUSE", "CHL", "PER"),
        ("ACCUSE", "PER", "CHL"),
    ]


def test_a_state_organ_named_with_its_country_is_that_state(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "The United States Department of Commerce imposed new restrictions on exports to Peru"
        " on Tuesday.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("SANCTION", ["USA"], ["PER"])
    ]
    evs = _events(extractor, "The Washington Post criticized Peru on Friday.")
    assert all("USA" not in e["actors"] for e in evs)


def test_content_cues_with_contractions_match_as_written(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "Chilean Foreign Minister Ana Lopez tweeted on Monday, “It’s time to stop Peru’s cruel"
        " raids.”",
    )
    assert [(e["type"], e["actors"], e["recipients"], e["rule"]) for e in evs] == [
        ("REQUEST", ["CHL"], ["PER"], "reported-demand")
    ]


def test_a_clause_with_its_own_subject_is_an_act_of_its_own(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "Chile voiced concern over the violence, with Chilean Foreign Minister Ana Lopez speaking"
        " by phone Sunday with Peruvian counterpart Juan Mendez.",
    )
    call = next(e for e in evs if e["type"] == "CONSULT")
    assert set(call["actors"]) | set(call["recipients"]) == {"CHL", "PER"}
    evs = _events(
        extractor,
        "Leaders met in Lima for a summit where on Sunday Presidents Ana Lopez of Chile and Juan"
        " Mendez of Peru signed the trade agreement.",
    )
    signing = next(e for e in evs if e["type"] == "SUPPORT")
    assert signing["actors"] == ["CHL", "PER"] and signing["date"] == "2024-02-18"


def test_a_body_acting_at_its_summit_acts_with_the_states_taking_part(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "The NATO talks in Lima brought together ministers from Chile, Peru, Brazil and"
        " Argentina on Thursday. NATO urged Bolivia on Friday to release the prisoners.",
    )
    talks = next(e for e in evs if e["type"] == "CONSULT")
    assert set(talks["actors"]) | set(talks["recipients"]) == {"NATO", "CHL", "PER", "BRA", "ARG"}
    call = next(e for e in evs if e["type"] == "REQUEST")
    assert call["actors"] == ["NATO", "PER", "CHL", "BRA", "ARG"]
    assert call["recipients"] == ["BOL"]


def test_a_body_meeting_again_within_its_meetings_days_is_the_same_meeting(
    extractor: EventExtractor,
) -> None:
    text = (
        "The G7 talks in Rome on Wednesday brought together ministers from Britain, Canada and"
        " France. G7 ministers also discussed trade behind closed doors. On Friday, G7"
        " ministers held a closed session."
    )
    talks = [e for e in _events(extractor, text) if e["type"] == "CONSULT"]
    assert len(talks) == 1
    assert {"G7", "GBR", "CAN", "FRA"} <= set(talks[0]["actors"])
    # told over days, it is dated by its last day
    two_days = text.replace(" G7 ministers also discussed trade behind closed doors.", "")
    assert [e["date"] for e in _events(extractor, two_days) if e["type"] == "CONSULT"] == [
        "2024-02-23"
    ]
    # days apart, the body meets again
    text = text.replace("on Wednesday", "on Monday").replace(
        " G7 ministers also discussed trade behind closed doors.", ""
    )
    assert len([e for e in _events(extractor, text) if e["type"] == "CONSULT"]) == 2


def test_a_body_acting_away_from_a_summit_acts_alone(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "NATO ministers from Chile, Peru and Brazil held talks in Lima in 2023. NATO urged"
        " Bolivia on Friday to release the prisoners.",
    )
    call = next(e for e in evs if e["type"] == "REQUEST")
    assert call["actors"] == ["NATO"]


def test_a_definite_act_noun_makes_its_doer_the_recipient(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "On Tuesday, the U.S. Congress passed a resolution urging Chile to investigate the"
        " election. Chile rejected the resolution on Wednesday.",
    )
    assert ("REJECT", ["CHL"], ["USA"]) in [(e["type"], e["actors"], e["recipients"]) for e in evs]
    evs = _events(
        extractor,
        "Peruvian troops attacked a Chilean border post on Monday. Bolivia condemned the attack"
        " on Tuesday.",
    )
    assert ("ACCUSE", ["BOL"], ["PER"]) in [(e["type"], e["actors"], e["recipients"]) for e in evs]


def test_an_act_noun_with_no_earlier_act_names_no_recipient(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile rejected the resolution on Wednesday.")
    assert [(e["type"], e["recipients"]) for e in evs] == [("REJECT", [])]


def test_a_legislature_named_with_its_country_is_that_state(extractor: EventExtractor) -> None:
    evs = _events(extractor, "The U.S. House of Representatives condemned Chile on Tuesday.")
    assert [(e["actors"], e["recipients"]) for e in evs] == [(["USA"], ["CHL"])]


def test_speaking_at_a_bodys_meeting_is_taking_part_in_it(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "Speaking at a United Nations Security Council meeting on Monday, Chilean Ambassador Ana"
        " Lopez said her country wanted calm.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("CONSULT", ["CHL"], ["UNO"])
    ]
    evs = _events(extractor, "Chilean President Ana Lopez spoke at the NATO summit on Monday.")
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("CONSULT", ["CHL"], ["NATO"])
    ]


def test_being_somewhere_to_attend_an_assembly_is_taking_part(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "While in Lima to attend the United Nations General Assembly, Chilean President Ana"
        " Lopez told reporters that she was hopeful.",
    )
    assert [(e["type"], e["actors"], e["recipients"], e["factuality"]) for e in evs] == [
        ("CONSULT", ["CHL"], ["UNO"], "asserted")
    ]


def test_states_acting_at_a_bodys_summit_take_part_in_it(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "Leaders of African Union member states met in Lima for an AU summit where on Sunday"
        " Presidents Ana Lopez of Chile and Juan Mendez of Peru signed the trade agreement.",
    )
    summit = next(e for e in evs if e["type"] == "CONSULT")
    assert set(summit["actors"]) | set(summit["recipients"]) == {"AU", "CHL", "PER"}
    assert sorted(p["name"] for p in summit["persons"]) == ["Ana Lopez", "Juan Mendez"]
    assert summit["date"] == "2024-02-18"


def test_the_embassy_refers_to_the_embassy_named_before(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "Chilean police chief Ana Lopez wrote to the Peruvian Embassy in Santiago on Monday."
        " Chilean Foreign Minister Juan Mendez urged the embassy on Tuesday to reconsider. The"
        " embassy rejected the plea on Wednesday.",
    )
    got = {(e["type"], tuple(e["actors"]), tuple(e["recipients"])) for e in evs}
    assert ("REQUEST", ("CHL",), ("PER",)) in got
    assert any(t == "REJECT" and a == ("PER",) for t, a, _ in got)


def test_an_organ_noun_never_named_with_a_state_stays_unresolved(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chile criticized Peru on Monday. The embassy rejected the plea.")
    assert all(e["type"] != "REJECT" for e in evs)


def test_they_in_a_quote_is_the_body_named_before_it(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        'Chilean President Ana Lopez cited Article 5 of the NATO treaty and said, "They need to'
        ' stand by us."',
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("REQUEST", ["CHL"], ["NATO"])
    ]


def test_a_subheading_is_a_sentence_of_its_own(extractor: EventExtractor) -> None:
    # a line break without final punctuation ends the heading ...
    assert _sentences(extractor, "Talks in Lima\nThe ministers met on Monday.") == [
        "Talks in Lima",
        "The ministers met on Monday.",
    ]
    # ... and so does a title-case run glued to the next sentence when line breaks were lost
    text = "Chile and Peru signed a pact. Position on Bolivia Beyond trade, they discussed Bolivia."
    assert _sentences(extractor, text) == [
        "Chile and Peru signed a pact.",
        "Position on Bolivia",
        "Beyond trade, they discussed Bolivia.",
    ]
    # a title and name opening an ordinary sentence is not a heading
    text = "United Nations Secretary-General Ana Lopez spoke. The ministers met."
    assert _sentences(extractor, text) == [
        "United Nations Secretary-General Ana Lopez spoke.",
        "The ministers met.",
    ]


def test_a_sentence_case_subheading_glued_to_the_next_sentence_is_split(
    extractor: EventExtractor,
) -> None:
    # a capitalised opener after a lower-case word or a closing quote, before a lower-case
    # word: running text never writes "demands The" or "ready’ In"
    text = (
        "Peru eased visas. Bolivian demands grow The new rules took effect."
        " ‘We are ready’ In a note, Chile agreed."
    )
    assert _sentences(extractor, text) == [
        "Peru eased visas.",
        "Bolivian demands grow",
        "The new rules took effect.",
        "‘We are ready’",
        "In a note, Chile agreed.",
    ]
    # a straight closing quote (a space after it) ends a quoted heading too
    assert _sentences(extractor, "'We are ready ' In a note, Chile agreed.") == [
        "'We are ready '",
        "In a note, Chile agreed.",
    ]
    # a title stays ("told The Associated Press"), and so does a speech lead-in with a quote
    for text in (
        "He told The Associated Press it was over.",
        'She said, "We will act."',
        "She said 'The talks are over.'",
    ):
        assert _sentences(extractor, text) == [text]


def test_talks_a_speaker_reports_with_one_counterpart_are_the_speakers(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Chile said Sunday that discussions with the International Monetary Fund on a new loan"
        " are progressing well.",
    )
    assert [(e["type"], sorted(e["actors"] + e["recipients"])) for e in evs] == [
        ("CONSULT", ["CHL", "IGO"])
    ]
    # talks between two others that the speaker reports stay theirs
    evs = _events(extractor, "Chile said Sunday that talks between Peru and Bolivia resumed.")
    assert all("CHL" not in e["actors"] for e in evs)


def test_a_request_told_by_a_state_naming_no_addressee_was_made_to_it(
    extractor: EventExtractor,
) -> None:
    text = "The Chilean government said Peru had asked for the return of 45 nationals."
    assert [(e["type"], e["actors"], e["recipients"]) for e in _events(extractor, text)] == [
        ("REQUEST", ["PER"], ["CHL"])
    ]
    # an addressee of its own stays; untold, a request has no addressee
    text = "Chile said Peru asked Bolivia for help."
    assert _events(extractor, text)[0]["recipients"] == ["BOL"]
    assert _events(extractor, "Peru asked for the return of 45 nationals.")[0]["recipients"] == []


def test_a_definite_request_refers_back_to_the_latest_request_by_another(
    extractor: EventExtractor,
) -> None:
    # "the request" refers to the act of asking however it was told ("asked Peru to ...")
    evs = _events(
        extractor,
        "On Monday, Chile asked Peru to waive the diplomat's immunity. The Peruvian embassy"
        " declined the request.",
    )
    assert ("REJECT", ["PER"], ["CHL"]) in [(e["type"], e["actors"], e["recipients"]) for e in evs]
    # the same for an offer
    evs = _events(extractor, "Chile offered Peru a loan on Monday. Peru turned down the offer.")
    assert ("REJECT", ["PER"], ["CHL"]) in [(e["type"], e["actors"], e["recipients"]) for e in evs]


def test_a_finite_verb_parsed_under_an_infinitive_is_an_act_of_its_own(
    extractor: EventExtractor,
) -> None:
    # "urged Y to reconsider and spoke with Z": "spoke" is not part of what was urged
    evs = _events(
        extractor,
        "Chilean Foreign Minister Ana Ruiz urged the embassy to reconsider and spoke with"
        " Peruvian Foreign Minister Juan Mendez about the case.",
    )
    assert ("CONSULT", ["CHL"], ["PER"]) in [(e["type"], e["actors"], e["recipients"]) for e in evs]


def test_citing_anothers_conduct_as_a_reason_is_told_speech(extractor: EventExtractor) -> None:
    # "X cited Y's 'repression ...' as the motivation": the quoted grounds accuse Y
    evs = _events(
        extractor,
        "In the letter, Chilean Foreign Minister Ana Ruiz cited the Peruvian government's"
        ' "ongoing repression of the Peruvian people and its support for the junta in Bolivia"'
        " as her motivation.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("ACCUSE", ["CHL"], ["PER"])
    ]


def test_an_international_bodys_organ_is_referred_to_later(extractor: EventExtractor) -> None:
    # "the United Nations' highest court" ... "the court's president" / "the court": the UN
    evs = _events(
        extractor,
        "Chile refused to attend a hearing by the United Nations' highest court on Monday."
        " The court's president, Judge Ana Ruiz, rejected Chile's request to brief it.",
    )
    assert ("REJECT", ["UNO"], ["CHL"]) in [(e["type"], e["actors"], e["recipients"]) for e in evs]
    # a national court named earlier stays unresolved: "the court" is as often another's
    evs = _events(
        extractor,
        "Chile's supreme court heard the case on Monday. The court rejected Peru's request.",
    )
    assert ("REJECT", ["CHL"], ["PER"]) not in [
        (e["type"], e["actors"], e["recipients"]) for e in evs
    ]


def test_a_measure_of_talks_is_supported_by_its_verb(extractor: EventExtractor) -> None:
    # "led eight hours of talks": the support verb takes the measure, not the event noun
    evs = _events(
        extractor,
        "Chilean Foreign Minister Ana Ruiz led more than eight hours of talks with Peruvian"
        " officials in Lima.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("CONSULT", ["CHL"], ["PER"])
    ]
