"""Precision rules: names that only describe a person or an office take no part in the act, and
the content of what is said decides its type. Each on small hand-written texts."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleInput
from tests.unit.nlp.support import events_of

PUB = date(2024, 3, 10)


def _events(ex: EventExtractor, text: str) -> list[dict[str, Any]]:
    return events_of(ex, text, PUB)


def _one(ex: EventExtractor, text: str, etype: str) -> dict[str, Any]:
    evs = [e for e in _events(ex, text) if e["type"] == etype]
    assert len(evs) == 1, evs
    return evs[0]


# ---- office-destination (pipeline/nlp/titles_scope.py)
def test_the_country_an_ambassador_is_posted_to_takes_no_part(extractor: EventExtractor) -> None:
    ev = _one(
        extractor,
        "The US ambassador to France, John Smith, accused Iran of funding militias on Friday.",
        "ACCUSE",
    )
    assert ev["actors"] == ["USA"] and ev["recipients"] == ["IRN"]


def test_the_subject_of_an_envoys_mandate_takes_no_part(extractor: EventExtractor) -> None:
    evs = _events(
        extractor, "Kurt Muller, the German envoy for Syria talks, criticized Peru on Monday."
    )
    assert [(e["actors"], e["recipients"]) for e in evs] == [(["DEU"], ["PER"])]


def test_a_states_envoy_at_a_body_speaks_for_the_state(extractor: EventExtractor) -> None:
    ev = _one(extractor, "Egypt's U.N. ambassador criticized Israel on Monday.", "ACCUSE")
    assert ev["actors"] == ["EGY"] and ev["recipients"] == ["ISR"]


def test_an_envoy_sent_somewhere_still_goes_there(extractor: EventExtractor) -> None:
    ev = _one(extractor, "Germany sent an envoy to Kyiv on Monday.", "CONSULT")
    assert ev["actors"] == ["DEU"] and ev["recipients"] == ["UKR"]


def test_a_body_official_named_by_a_title_apposition_keeps_the_body(
    extractor: EventExtractor,
) -> None:
    ev = _one(
        extractor,
        "Ana Lopez, the United Nations Food Coordinator, urged Chad to open its borders.",
        "REQUEST",
    )
    assert ev["actors"] == ["UNO"] and ev["recipients"] == ["TCD"]


# ---- former-title
def test_a_former_officials_state_is_no_actor(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "Former French Foreign Minister Jean Dupont urged Russia to withdraw its troops.",
    )
    assert all("FRA" not in e["actors"] for e in evs)
    evs = _events(extractor, "The former president of Iran criticized Germany on Monday.")
    assert all("IRN" not in e["actors"] for e in evs)


def test_a_former_envoy_named_with_his_full_title_is_no_official(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Former US Ambassador to the United Nations Mary Stone urged Cuba to free the prisoners.",
    )
    assert all(not ({"USA", "UNO"} & set(e["actors"])) for e in evs)


# ---- private-description
def test_a_nationality_of_a_private_person_is_no_state(extractor: EventExtractor) -> None:
    ev = _one(extractor, "A Canadian citizen was arrested by Chinese police on Tuesday.", "COERCE")
    assert ev["actors"] == ["CHN"] and ev["recipients"] == []
    evs = _events(extractor, "Smith, a German tourist from Bavaria, criticized the Polish army.")
    assert all("DEU" not in e["actors"] for e in evs)


def test_an_apposition_naming_an_office_keeps_the_state(extractor: EventExtractor) -> None:
    ev = _one(extractor, "Lavrov, Russia's foreign minister, criticized France.", "ACCUSE")
    assert ev["actors"] == ["RUS"] and ev["recipients"] == ["FRA"]
    ev = _one(extractor, "Iran, a Russian ally, criticized France on Monday.", "ACCUSE")
    assert "IRN" in ev["actors"] and ev["recipients"] == ["FRA"]


def test_a_states_envoy_titled_at_a_body_is_the_states_official(
    extractor: EventExtractor,
) -> None:
    found = extractor.officials.learn(
        "British Deputy U.N. Ambassador Tom Reed spoke. UN Secretary-General Ana Ruiz agreed.",
        PUB,
    )
    assert {p.name: p.country for p in found} == {"Tom Reed": "GBR", "Ana Ruiz": "UNO"}


def test_a_demonym_told_of_a_private_person_is_no_actor(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Anna Berg, an ethnic Swede from Finland, opposed Denmark's plan.")
    assert all(not ({"SWE", "FIN"} & set(e["actors"])) for e in evs)


# ---- topic_verbs (pipeline/nlp/arguments.py: excluded)
def test_what_is_discussed_takes_no_part(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "Chile and Peru held talks on Monday. The ministers discussed Bolivia's request for sea "
        "access.",
    )
    assert evs and all("BOL" not in e["actors"] + e["recipients"] for e in evs)


# ---- coreference: the group in focus less whom it addresses (extractor._build)
def test_a_group_addressing_one_of_its_members_leaves_it_out(extractor: EventExtractor) -> None:
    ev = _one(
        extractor,
        "The foreign ministers of France, Germany and Italy met Egypt's foreign minister in Rome "
        "on Monday. They called on Egypt to reopen the border crossing.",
        "REQUEST",
    )
    assert ev["actors"] == ["FRA", "DEU", "ITA"] and ev["recipients"] == ["EGY"]


# ---- seat (titles_scope)
def test_where_an_organisation_sits_takes_no_part(extractor: EventExtractor) -> None:
    ev = _one(
        extractor,
        "The Forum for Freedom, headquartered in Copenhagen, was sanctioned by Beijing on Monday.",
        "SANCTION",
    )
    assert ev["actors"] == ["CHN"] and ev["recipients"] == []


# ---- no_document_obj (config/nlp/triggers.yaml: retreat-release-release)
def test_releasing_a_document_frees_nobody(extractor: EventExtractor) -> None:
    assert _events(extractor, "The White House released a summary of the call with Iran.") == []
    ev = _one(extractor, "Iran released two French hostages on Monday.", "RETREAT")
    assert ev["actors"] == ["IRN"] and ev["recipients"] == ["FRA"]


# ---- a past year is background (pipeline/nlp/factuality.py: older_than)
def test_an_act_of_last_year_is_background_even_in_january(extractor: EventExtractor) -> None:
    res = extractor.extract(
        ArticleInput(
            "t",
            "Last year Chile withdrew from a fishing treaty with Peru.",
            published=date(2024, 1, 12),
        )
    ).to_dict()
    assert res["events"] == [] and res["background_events"][0]["factuality"] == "historical"


# ---- an allegation's content is not news (pipeline/nlp/factuality.py: _after_allegation)
def test_a_clause_right_after_an_allegation_noun_is_its_content(extractor: EventExtractor) -> None:
    res = extractor.extract(
        ArticleInput(
            "t",
            "The charge stemmed from allegations Chile tried to pressure the Peruvian government "
            "to open an inquiry.",
            published=PUB,
        )
    ).to_dict()
    assert res["events"] == [] and res["background_events"][0]["factuality"] == "hypothetical"


# ---- media-party (titles_scope)
def test_an_interview_is_no_meeting(extractor: EventExtractor) -> None:
    assert _events(extractor, "VOA spoke with Smith about Taiwan, Chinese drills and Russia.") == []
    assert _events(extractor, "The Chilean president spoke with reporters about Peru.") == []
    ev = _one(extractor, "The Chilean president spoke with the Peruvian president.", "CONSULT")
    assert set(ev["actors"] + ev["recipients"]) == {"CHL", "PER"}


def test_a_journalist_as_victim_and_a_label_before_a_subject_still_count(
    extractor: EventExtractor,
) -> None:
    ev = _one(extractor, "VOA: Russia's president visited China on Monday.", "CONSULT")
    assert ev["actors"] == ["RUS"] and ev["recipients"] == ["CHN"]
    ev = _one(extractor, "A Chilean journalist was detained by Peruvian police.", "COERCE")
    assert ev["actors"] == ["PER"]


# ---- offered-cooperation-is-agree (config/nlp/typing.yaml)
def test_a_proposed_plan_to_support_is_an_offer(extractor: EventExtractor) -> None:
    ev = _one(
        extractor,
        "The European Commission proposed a plan for rebuilding ports and supporting Chile.",
        "AGREE",
    )
    assert ev["actors"] == ["EUR"] and ev["recipients"] == ["CHL"]
    assert ev["rule"].endswith("/offered-cooperation-is-agree")
    ev = _one(extractor, "The European Commission supported Chile on Monday.", "SUPPORT")
    assert ev["actors"] == ["EUR"]


# ---- a topic's place is not the act's (pipeline/nlp/places.py: ner_place)
def test_the_place_of_what_concerns_a_state_is_no_recipient(extractor: EventExtractor) -> None:
    ev = _one(extractor, "Chile voiced concern over the violence in Peru on Monday.", "ACCUSE")
    assert ev["actors"] == ["CHL"] and ev["recipients"] == []


def test_an_obligation_on_a_thing_is_a_position_not_a_request(
    extractor: EventExtractor,
) -> None:
    # "Y must ..." told by X asks Y (an agent: a state, its government) to act ...
    for text in (
        "Chile said Peru must withdraw its troops.",
        "Chile said the Peruvian government should apologise.",
        "Chile said Peruvian forces must leave the border.",
    ):
        evs = _events(extractor, text)
        assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
            ("REQUEST", ["CHL"], ["PER"])
        ]
    # ... but "its border should be extended" states a position and asks no one
    for text in (
        "Chile argues its maritime border with Peru should be extended along the coast.",
        "Chile said the agreement with Peru should be revised.",
    ):
        assert _events(extractor, text) == []


def test_a_clause_opened_by_an_interrogative_adjunct_is_a_question(
    extractor: EventExtractor,
) -> None:
    for text in (
        "To what extent Peru will defend its ally against Chile was not made clear.",
        "In what way Peru supports Chile remains unclear.",
    ):
        assert _events(extractor, text) == []
    # a relative clause with a preposition is not a question
    evs = _events(extractor, "The summit at which Peru signed a pact with Chile ended.")
    assert "SUPPORT" in {e["type"] for e in evs}


def test_a_bare_surname_of_someone_named_without_a_role_is_no_actor(
    extractor: EventExtractor,
) -> None:
    # named in full without a role, then by surname: a private person (the guide's rule 5)
    text = (
        "Ana Quispeluz, a writer, spoke in Lima on Monday. Quispeluz, an ethnic Bolivian from"
        " Peru, opposed Chilean President Juan Mendez's pro-Argentina position."
    )
    assert _events(extractor, text) == []
    # nor does the place she travels to make her its state's
    text = (
        "Ana Quispeluz, a writer, spoke in Lima on Monday. Quispeluz traveled to New York for"
        " the United Nations General Assembly."
    )
    assert _events(extractor, text) == []
    # named with her office, she acts for her state
    text = (
        "Chilean Foreign Minister Ana Ruiz spoke in Lima on Monday. Ruiz opposed Peruvian"
        " President Juan Mendez's pro-Argentina position."
    )
    evs = _events(extractor, text)
    assert [(e["type"], e["actors"]) for e in evs] == [("REJECT", ["CHL"])]


def test_handing_people_over_to_a_state_is_cooperation_not_a_release(
    extractor: EventExtractor,
) -> None:
    for text in (
        "Chile turned 40 of the prisoners over to Peru on Monday.",
        "Chile handed over the suspects to Peru on Monday.",
    ):
        evs = _events(extractor, text)
        assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
            ("COOPERATE", ["CHL"], ["PER"])
        ]
    # handing over territory stays a concession of it
    evs = _events(extractor, "Chile handed over the disputed islands to Peru on Monday.")
    assert [e["type"] for e in evs] == ["RETREAT"]


def test_agreeing_with_a_proposal_endorses_it(extractor: EventExtractor) -> None:
    # the guide: endorsement is SUPPORT; agreeing to do something stays AGREE
    evs = _events(extractor, "All Chilean ministers agree with Peru's proposal of a ceasefire.")
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("SUPPORT", ["CHL"], ["PER"])
    ]
    evs = _events(extractor, "Chile agreed with Peru to hold talks.")
    assert [e["type"] for e in evs] == ["AGREE"]
