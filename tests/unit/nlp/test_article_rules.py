"""Rules for real articles, each on a small hand-written text (never a gold-set sentence)."""

from __future__ import annotations

from pathlib import Path

from pipeline.nlp.extractor import EventExtractor
from tests.unit.nlp.support import events_of as _events
from tests.unit.nlp.support import result_of as _result


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


def test_a_definite_role_noun_is_the_latest_person_with_that_role(
    extractor: EventExtractor,
) -> None:
    text = (
        "Chilean Foreign Minister Ana Soto arrived in Lima on Monday. "
        "The minister criticized Peru on Tuesday."
    )
    acc = [e for e in _events(extractor, text) if e["type"] == "ACCUSE"]
    assert acc and acc[0]["actors"] == ["CHL"] and acc[0]["recipients"] == ["PER"]
    assert [p["name"] for p in acc[0]["persons"]] == ["Ana Soto"]


def test_an_undated_clause_takes_the_date_governing_its_paragraph(
    extractor: EventExtractor,
) -> None:
    text = "On Monday, Chile and Peru met in Lima. Chile also signed a fishing treaty with Peru."
    evs = _events(extractor, text)
    signed = [e for e in evs if e["type"] == "SUPPORT"]
    assert signed and signed[0]["date"] == "2024-02-19"
    assert signed[0]["factuality"] == "asserted"


def _typed(ex: EventExtractor, text: str) -> list[tuple[str, list[str], list[str]]]:
    return [(e["type"], e["actors"], e["recipients"]) for e in _events(ex, text)]


def test_an_announced_withdrawal_is_a_concession(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile on Monday announced a complete withdrawal from Peru.")
    assert evs[0]["type"] == "CONCEDE"
    assert evs[0]["rule"] == "noun-retreat/announced-withdrawal-noun-is-concession"


def test_new_restrictions_on_another_state_are_a_sanction(extractor: EventExtractor) -> None:
    assert ("SANCTION", ["CHL"], ["PER"]) in _typed(
        extractor, "Chile on Friday announced new restrictions on flights to Peru."
    )


def test_seconding_a_proposal_is_support(extractor: EventExtractor) -> None:
    assert ("SUPPORT", ["CHL"], ["PER"]) in _typed(
        extractor, "Chile on Friday seconded Peru's proposal."
    )


def test_encouraging_someone_to_act_is_a_request(extractor: EventExtractor) -> None:
    assert ("REQUEST", ["CHL"], ["PER"]) in _typed(
        extractor, "Chile on Friday encouraged Peru to release the prisoners."
    )


def test_opposing_a_statement_is_disapproval(extractor: EventExtractor) -> None:
    assert ("ACCUSE", ["CHL"], ["PER"]) in _typed(
        extractor, "Chile on Friday opposed Peru's statement."
    )


def test_a_participle_carries_a_verbal_act_of_the_same_subject(
    extractor: EventExtractor,
) -> None:
    typed = _typed(
        extractor, "Chile issued a statement on Monday, blaming Peru for the border clashes."
    )
    assert ("ACCUSE", ["CHL"], ["PER"]) in typed


def test_a_name_that_merely_contains_a_state_is_not_that_state(
    extractor: EventExtractor,
) -> None:
    res = _result(extractor, "Peruvian Airlines on Monday criticized Chile's new airport fees.")
    assert all("PER" not in e["actors"] for e in res["events"])
    res = _result(extractor, "Vietnam on Monday accused the Philippines of provocations.")
    assert res["events"][0]["actors"] == ["VNM"]
    res = _result(extractor, "Vietnam protested new patrols in the South China Sea on Monday.")
    assert all("CHN" not in e["actors"] + e["recipients"] for e in res["events"])


def test_a_routine_denial_is_background(extractor: EventExtractor) -> None:
    res = _result(extractor, "Chile routinely rejects Peru's proposals on fishing quotas.")
    assert res["events"] == [] and res["background_events"]


def test_rejecting_an_allegation_is_a_counter_accusation(extractor: EventExtractor) -> None:
    assert ("ACCUSE", ["CHL"], ["PER"]) in _typed(
        extractor, "Chile on Tuesday rejected Peru's allegations about the border incident."
    )


def test_a_future_event_on_a_weekday_is_the_coming_one(extractor: EventExtractor) -> None:
    # published Friday 2024-02-23: "on Wednesday" of a future meeting is 2024-02-28
    evs = _events(extractor, "Chile and Peru will hold talks in Lima on Wednesday.")
    assert evs[0]["factuality"] == "future" and evs[0]["date"] == "2024-02-28"


def test_the_sentence_place_is_the_event_place_when_its_clause_names_none(
    extractor: EventExtractor,
) -> None:
    text = "Chile, speaking at a press conference on Thursday in Lima, condemned Peru."
    evs = [e for e in _events(extractor, text) if e["recipients"] == ["PER"]]
    assert evs and (evs[0]["location"] or {}).get("place") == "Lima"


def test_one_happening_told_twice_is_one_event(extractor: EventExtractor) -> None:
    text = (
        "Chile condemned Peru on Monday. "
        "The Chilean government condemned Peru and Bolivia on Monday over the border raids."
    )
    acc = [e for e in _result(extractor, text)["events"] if e["type"] == "ACCUSE"]
    assert len(acc) == 1 and acc[0]["actors"] == ["CHL"]
    assert set(acc[0]["recipients"]) == {"PER", "BOL"}


def test_discussions_led_with_a_counterpart_are_a_consultation(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chile led discussions with Peruvian officials in Lima on Monday.")
    consult = [e for e in evs if e["type"] == "CONSULT"]
    assert consult and set(consult[0]["actors"]) | set(consult[0]["recipients"]) == {"CHL", "PER"}


def test_a_year_on_the_governing_verb_dates_an_xcomp_event(extractor: EventExtractor) -> None:
    res = _result(extractor, "In 2016, Peru began backing the government of Chile.")
    assert not res["events"]
    ev = res["background_events"][0]
    assert ev["actors"] == ["PER"] and ev["recipients"] == ["CHL"]
    assert ev["factuality"] == "historical" and ev["date"] == "2016"


def test_a_coordinated_verb_without_a_date_takes_its_first_conjuncts(
    extractor: EventExtractor,
) -> None:
    text = "Peru deported 17 people to Chile in 2015 but sent 10 back to Bolivia."
    res = _result(extractor, text)
    assert not res["events"]
    assert {e["date"] for e in res["background_events"]} == {"2015"}


def test_crediting_a_state_for_its_role_is_support(extractor: EventExtractor) -> None:
    ev = _events(extractor, "Peru credited Chile for playing a constructive role.")[0]
    assert (ev["type"], ev["actors"], ev["recipients"]) == ("SUPPORT", ["PER"], ["CHL"])
    assert ev["rule"] == "support-credit-for"


def test_assuring_a_state_is_a_commitment(extractor: EventExtractor) -> None:
    ev = _events(extractor, "Peru assured Chile that it would help.")[0]
    assert (ev["type"], ev["actors"], ev["recipients"]) == ("AGREE", ["PER"], ["CHL"])


def test_arriving_for_a_summit_is_taking_part_in_it(extractor: EventExtractor) -> None:
    ev = _events(extractor, "Peru's president arrived in Quito for a summit with Ecuador.")[0]
    assert (ev["type"], ev["actors"], ev["recipients"]) == ("CONSULT", ["PER"], ["ECU"])
    assert ev["rule"] == "consult-join-for-talk"


def test_giving_or_delivering_something_other_than_aid_is_no_event(
    extractor: EventExtractor,
) -> None:
    assert not _events(extractor, "The new port gives Peru a foothold near Chile.")
    assert not _events(extractor, "Peru delivered a complete list of names to Chile.")


def test_aid_is_told_by_its_object_or_its_with_complement(extractor: EventExtractor) -> None:
    for text, rule in (
        ("Peru donated and delivered $50,000 worth of goods to Chile.", "aid-send-aid"),
        ("Peru supplied Chile with arms and ammunition.", "aid-provide-with"),
    ):
        ev = _events(extractor, text)[0]
        assert (ev["type"], ev["actors"], ev["recipients"], ev["rule"]) == (
            "AID",
            ["PER"],
            ["CHL"],
            rule,
        )


def test_recognising_a_state_is_support_but_recognising_a_situation_is_not(
    extractor: EventExtractor,
) -> None:
    ev = _events(extractor, "Peru recognized Kosovo on Monday.")[0]
    assert (ev["type"], ev["recipients"], ev["rule"]) == (
        "SUPPORT",
        ["KOS"],
        "support-recognize-state",
    )
    ev = _events(extractor, "Peru recognized Kosovo's independence on Monday.")[0]
    assert ev["rule"] == "support-recognize-claim"
    assert not _events(extractor, "Peru said it recognizes a difficult situation in Chile.")


def test_states_side_by_side_with_no_counterpart_are_not_an_international_event(
    extractor: EventExtractor,
) -> None:
    res = _result(extractor, "Chile and Peru condemned the violence on Monday.")
    assert not any(e["type"] == "ACCUSE" for e in res["events"])
    assert res["diplomatic"] is False
    ev = next(e for e in res["background_events"] if e["type"] == "ACCUSE")
    assert set(ev["actors"]) == {"CHL", "PER"} and ev["recipients"] == []
    # a mutual act needs no recipient: two states signing stands
    evs = _events(extractor, "Chile and Peru signed a fisheries agreement on Monday.")
    assert any(e["type"] == "SUPPORT" and set(e["actors"]) == {"CHL", "PER"} for e in evs)
    # one name inside another is not two actors side by side
    evs = _events(extractor, "Chile condemned Peru on Monday.")
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("ACCUSE", ["CHL"], ["PER"])
    ]


def test_obligations_and_plans_that_fell_through_are_not_news(extractor: EventExtractor) -> None:
    # "must" is what someone wants, "were supposed to" what did not happen
    res = _result(extractor, "Peru must release the Chilean fishermen.")
    assert not any(e["type"] == "RETREAT" for e in res["events"])
    res = _result(extractor, "Chile and Peru were supposed to sign a trade deal on Monday.")
    assert res["events"] == [] and res["background_events"][0]["factuality"] == "hypothetical"


def test_a_standing_effort_is_background_through_the_infinitive(
    extractor: EventExtractor,
) -> None:
    res = _result(extractor, "Chile had been looking to repair its relations with Peru.")
    assert res["events"] == []
    assert res["background_events"][0]["factuality"] == "historical"


def test_calling_a_meeting_convenes_it_and_calling_it_off_rejects_it(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chile called a meeting with Peru on Monday.")
    assert [(e["type"], e["rule"]) for e in evs] == [("CONSULT", "consult-call-meeting")]
    evs = _events(extractor, "Chile called off the meeting with Peru on Monday.")
    assert [(e["type"], e["mode"], e["rule"]) for e in evs] == [
        ("REJECT", "meet", "reject-call-off-visit")
    ]
    # "on Monday" is a time, not the particle of "call on"; "called on Peru" still is
    evs = _events(extractor, "Chile called on Peru on Monday to release the prisoners.")
    assert [(e["type"], e["recipients"]) for e in evs] == [("REQUEST", ["PER"])]


def test_quitting_a_practice_is_not_a_resignation(extractor: EventExtractor) -> None:
    res = _result(extractor, "Peru quit harassing Chilean fishermen on Monday.")
    assert not any(e["type"] == "RETREAT" for e in res["events"] + res["background_events"])
    evs = _events(extractor, "The Peruvian foreign minister quit the cabinet on Monday.")
    assert [(e["type"], e["mode"]) for e in evs] == [("RETREAT", "resign")]


def test_allegations_guesses_and_negative_subjects_are_not_news(
    extractor: EventExtractor,
) -> None:
    res = _result(
        extractor,
        "The charge stemmed from allegations Chile tried to pressure the Peruvian government.",
    )
    assert not any(e["type"] == "REQUEST" for e in res["events"])
    res = _result(extractor, "Chile will likely increase cooperation with Peru, an analyst said.")
    assert res["events"] == [] and res["background_events"][0]["factuality"] == "hypothetical"
    res = _result(extractor, "No other country offered to help Peru on Monday.")
    assert not any(e["type"] == "AGREE" for e in res["events"])


def test_conditional_reported_content_is_not_news_but_a_conditional_threat_is(
    extractor: EventExtractor,
) -> None:
    res = _result(
        extractor,
        "Chile said that if Peru escalates its threats, the pact with Bolivia will not hold.",
    )
    assert res["events"] == [] and res["background_events"]
    assert {e["factuality"] for e in res["background_events"]} == {"hypothetical"}
    evs = _events(extractor, "Chile warned Peru on Monday that it will retaliate if attacked.")
    assert any(e["type"] == "THREATEN" and e["recipients"] == ["PER"] for e in evs)


def test_seeking_to_is_an_intent_only_towards_a_relation(extractor: EventExtractor) -> None:
    assert _events(extractor, "Chile seeks to counter Peru's influence in the region.") == []
    evs = _events(extractor, "Chile seeks to improve ties with Peru.")
    assert [(e["type"], e["rule"]) for e in evs] == [("AGREE", "agree-seek")]


def test_standing_states_spans_of_years_and_with_clauses_are_background(
    extractor: EventExtractor,
) -> None:
    res = _result(extractor, "Chile has increased cooperation in the last few years with Peru.")
    assert res["events"] == [] and res["background_events"][0]["factuality"] == "historical"
    res = _result(
        extractor,
        "With Chile encouraging companies to stop trading in Peru, firms announced plans to leave.",
    )
    assert res["events"] == [] and res["background_events"][0]["factuality"] == "historical"


def test_transitive_show_gather_and_medical_evacuation_are_no_events(
    extractor: EventExtractor,
) -> None:
    res = _result(extractor, "The Chilean statement on Peru demonstrates a lack of understanding.")
    assert res["events"] == [] and res["background_events"] == []
    res = _result(extractor, "The Chilean president was evacuated Wednesday to a hospital in Peru.")
    assert res["events"] == [] and res["background_events"] == []
    evs = _events(extractor, "Chilean students demonstrated against Peru on Monday.")
    assert [(e["type"], e["mode"]) for e in evs] == [("PROTEST", "demo")]


def test_seconding_a_call_side_by_side_needs_a_counterpart_but_signing_does_not(
    extractor: EventExtractor,
) -> None:
    res = _result(extractor, "Bolivia, Chile and Peru also supported the call on Monday.")
    assert res["events"] == []
    assert res["background_events"][0]["rule"] == "support-praise"
    for text in ("Chile and Peru signed on Monday.", "Chile and Peru upgraded their ties."):
        evs = _events(extractor, text)
        assert [(e["type"], set(e["actors"])) for e in evs] == [("SUPPORT", {"CHL", "PER"})]


def test_expecting_another_to_act_is_a_request_not_that_act(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile expects Peru to withdraw its troops from the border.")
    assert [(e["type"], e["actors"], e["recipients"], e["rule"]) for e in evs] == [
        ("REQUEST", ["CHL"], ["PER"], "expectation-of-another")
    ]
    # expecting to act oneself is a plan, not a request
    evs = _events(extractor, "Chile expects to sign the deal with Peru.")
    assert not any(e["type"] == "REQUEST" for e in evs)


def test_an_announced_sanction_is_the_sanction_and_keeps_its_mode(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chile announced on Monday that it would expel Peru's ambassador.")
    assert [(e["type"], e["mode"], e["factuality"]) for e in evs] == [
        ("SANCTION", "expel", "asserted")
    ]
    assert evs[0]["rule"].endswith("/announced-sanction-is-sanction")


def test_open_questions_and_beliefs_are_not_news(extractor: EventExtractor) -> None:
    res = _result(extractor, "It was not clear whether Chile will defend Peru.")
    assert res["events"] == [] and res["background_events"][0]["factuality"] == "hypothetical"
    res = _result(
        extractor, "The minister said he believes leaders from Chile and Peru will meet soon."
    )
    assert res["events"] == [] and res["background_events"][0]["factuality"] == "hypothetical"


def test_a_negative_subject_is_no_refusal(extractor: EventExtractor) -> None:
    res = _result(extractor, "No other country offered to take in the refugees from Peru.")
    assert not any(e["type"] == "REJECT" for e in res["events"])
    evs = _events(extractor, "Chile did not support Peru's proposal on Monday.")
    assert [e["type"] for e in evs] == ["REJECT"]


def test_private_travellers_arriving_make_no_visit(extractor: EventExtractor) -> None:
    text = "The first large group of Chilean immigrants arrived in Lima, Peru, on Monday."
    assert _events(extractor, text) == []
    evs = _events(extractor, "The Chilean president arrived in Lima, Peru, on Monday.")
    assert [(e["type"], e["mode"]) for e in evs] == [("CONSULT", "visit")]


def test_a_verb_describing_a_noun_does_not_type_reported_speech(
    extractor: EventExtractor,
) -> None:
    text = (
        'The Chilean minister said, "All ministers agree with the Peruvian proposal of a truce '
        'that is supported by Bolivia."'
    )
    assert not any(e["type"] == "SUPPORT" for e in _events(extractor, text))
    text = "Chile said much remains to be done, signaling its reluctance to endorse Peru's plan."
    assert not any(e["type"] == "SUPPORT" for e in _events(extractor, text))
    evs = _events(extractor, "The Chilean minister said his country would support Peru.")
    assert [(e["type"], e["rule"]) for e in evs] == [("SUPPORT", "reported-support")]


def test_a_saying_participle_names_the_target_of_the_act(extractor: EventExtractor) -> None:
    text = "Peru's mission criticized the meeting, saying Chile seeks to weaponize the council."
    evs = _events(extractor, text)
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("ACCUSE", ["PER"], ["CHL"])
    ]
    assert evs[0]["rule"].endswith("/speech-names-the-target")
    # "opposed X and said ..." is a second statement, not the target of the first
    text = "Peru opposed the plan on Monday and said Chile had given assurances."
    assert not any(e["rule"].endswith("/speech-names-the-target") for e in _events(extractor, text))


def test_regretting_a_decision_disapproves_and_a_commitment_supports(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chile regrets the decision of Peru not to attend the talks.")
    assert [(e["type"], e["mode"], e["recipients"]) for e in evs] == [
        ("ACCUSE", "disapprove", ["PER"])
    ]
    text = "The Chilean minister expressed his government's commitment to Peru's security."
    evs = _events(extractor, text)
    assert [(e["type"], e["rule"]) for e in evs] == [("SUPPORT", "support-express-support")]


def test_counting_on_someone_is_a_request_and_appreciation_is_praise(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, 'The Chilean foreign minister wrote, "I count on Peru to act now."')
    assert [(e["type"], e["recipients"], e["rule"]) for e in evs] == [
        ("REQUEST", ["PER"], "reported-demand")
    ]
    evs = _events(extractor, "Chile appreciates Peru's help in the crisis.")
    assert [(e["type"], e["recipients"]) for e in evs] == [("SUPPORT", ["PER"])]


def test_an_intention_is_an_agree_only_towards_cooperation(extractor: EventExtractor) -> None:
    text = "The Chilean president said he intends to leave the Andean Community in January."
    assert not any(e["type"] == "AGREE" for e in _events(extractor, text))
    evs = _events(extractor, "Chile vowed to help Peru rebuild after the earthquake.")
    assert [(e["type"], e["recipients"], e["rule"]) for e in evs] == [
        ("AGREE", ["PER"], "agree-intend")
    ]


def test_offers_side_by_side_need_a_counterpart_but_agreeing_together_does_not(
    extractor: EventExtractor,
) -> None:
    res = _result(extractor, "Bolivia, Chile and Peru all offered to resettle the refugees.")
    assert not any(e["type"] == "AGREE" for e in res["events"])
    evs = _events(extractor, "Chile and Peru agreed to resume talks on Monday.")
    assert [(e["type"], set(e["actors"])) for e in evs] == [("AGREE", {"CHL", "PER"})]


def test_a_quoted_agreement_and_a_clause_as_subject_are_not_news(
    extractor: EventExtractor,
) -> None:
    text = '"The danger has not passed," agreed Ana Diaz, a Chilean official in Peru.'
    assert not any(e["type"] == "AGREE" for e in _events(extractor, text))
    res = _result(extractor, "To what extent Chile will defend Peru was not made clear.")
    assert res["events"] == [] and res["background_events"][0]["factuality"] == "hypothetical"


def test_making_or_repeating_an_accusation_accuses(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Chile levelled accusations against Peru on Monday.")
    assert [(e["type"], e["mode"], e["recipients"], e["rule"]) for e in evs] == [
        ("ACCUSE", "allege", ["PER"], "accuse-make-claim")
    ]


def test_a_warship_paying_a_visit_is_no_diplomatic_visit(extractor: EventExtractor) -> None:
    text = "A Chilean warship paid a visit to the Peruvian capital, Lima, on Monday."
    assert _events(extractor, text) == []
    text = "The Chilean president paid a visit to the Peruvian capital, Lima, on Monday."
    assert [(e["type"], e["mode"]) for e in _events(extractor, text)] == [("CONSULT", "visit")]


def test_a_meeting_dated_only_by_its_paragraph_is_the_one_a_later_clause_dates(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Peruvian officials said on Wednesday that fishing had slowed. Chilean and Peruvian"
        " ministers met to discuss quotas. On Friday, Chilean and Peruvian ministers held a"
        " session on trade.",
    )
    assert [(e["type"], sorted(e["actors"] + e["recipients"])) for e in evs] == [
        ("CONSULT", ["CHL", "PER"])
    ]
    # meetings whose clauses state different days stay two
    evs = _events(
        extractor,
        "Chilean and Peruvian ministers met in Lima on Wednesday. On Friday, Chilean and"
        " Peruvian ministers met again in Santiago.",
    )
    assert sorted(e["date"] for e in evs) == ["2024-02-21", "2024-02-23"]


def test_a_state_word_in_coordinated_sea_names_is_not_the_state(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor,
        "Chile and Peru discussed stability in the Indian and Pacific Ocean regions on Monday.",
    )
    assert [(e["type"], sorted(e["actors"] + e["recipients"])) for e in evs] == [
        ("CONSULT", ["CHL", "PER"])
    ]
    evs = _events(
        extractor,
        "Chile condemned Peru's naval drills in the South China and East China Seas on Monday.",
    )
    assert [(e["type"], e["recipients"]) for e in evs] == [("ACCUSE", ["PER"])]
    # coordinated states themselves stay states
    evs = _events(extractor, "Chile, Peru and Bolivia signed a deal on Monday.")
    assert sorted(evs[0]["actors"]) == ["BOL", "CHL", "PER"]


def test_joining_a_coalition_or_forming_a_task_force_is_mutual_cooperation(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Chile and Peru joined the naval coalition on Monday.")
    assert [(e["type"], sorted(e["actors"]), e["recipients"]) for e in evs] == [
        ("COOPERATE", ["CHL", "PER"], [])
    ]
    evs = _events(extractor, "Chile, Peru and Bolivia formed a joint task force on Monday.")
    assert [(e["type"], sorted(e["actors"])) for e in evs] == [("COOPERATE", ["BOL", "CHL", "PER"])]


def test_distributing_relief_is_aid_to_where_it_is_handed_out(extractor: EventExtractor) -> None:
    evs = _events(
        extractor,
        "The World Food Programme on Thursday distributed relief items to families in Lima.",
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [("AID", ["UNO"], ["PER"])]


def test_a_leaders_administration_is_the_state_not_the_leader_taking_part(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor, "Chinese envoy Li Wei blamed the Biden administration for the crisis on Monday."
    )
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("ACCUSE", ["CHN"], ["USA"])
    ]
    evs = _events(
        extractor,
        "US President Joe Biden spoke on Sunday. Chile blamed the Biden administration for the"
        " crisis on Monday.",
    )
    assert [(e["recipients"], e["persons"]) for e in evs if e["type"] == "ACCUSE"] == [
        (["USA"], [])
    ]


def test_a_regional_official_is_coded_to_the_regions_state(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Alberta's health minister Ana Lopez urged Peru to act on Monday.")
    assert [(e["type"], e["actors"], e["recipients"]) for e in evs] == [
        ("REQUEST", ["CAN"], ["PER"])
    ]
    evs = _events(extractor, "Quebec Premier Ana Lopez urged Peru to act on Monday.")
    assert [e["actors"] for e in evs] == [["CAN"]]
