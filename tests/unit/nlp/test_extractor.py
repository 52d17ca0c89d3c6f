from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleInput
from tests.unit.nlp.support import PUB
from tests.unit.nlp.support import events_of as _events


def test_extractor_multilateral_meeting_is_one_event_with_all_participants(
    extractor: EventExtractor,
) -> None:
    evs = _events(
        extractor, "The foreign ministers of France, Germany and Italy met in Rome on Thursday."
    )
    consult = [e for e in evs if e["type"] == "CONSULT"]
    assert len(consult) == 1
    assert set(consult[0]["actors"]) == {"FRA", "DEU", "ITA"} and consult[0]["recipients"] == []
    assert consult[0]["mode"] == "multilateral"
    assert consult[0]["date"] == "2024-02-22" and consult[0]["location"]["country"] == "ITA"


def test_extractor_visit_has_visitor_as_actor_and_host_as_recipient(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "Indian Prime Minister Narendra Modi visited Japan on Monday.")
    assert evs[0]["type"] == "CONSULT" and evs[0]["mode"] == "visit"
    assert evs[0]["actors"] == ["IND"] and evs[0]["recipients"] == ["JPN"]
    assert evs[0]["persons"] == [
        {"name": "Narendra Modi", "country": "IND", "role": "prime minister"}
    ]


def test_extractor_capital_metonym_and_accusation(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Seoul on Tuesday condemned Pyongyang's missile launch.")
    assert (
        evs[0]["type"] == "ACCUSE"
        and evs[0]["actors"] == ["KOR"]
        and evs[0]["recipients"] == ["PRK"]
    )


def test_extractor_later_surname_is_a_person_not_a_place(extractor: EventExtractor) -> None:
    text = (
        "U.S. Secretary of State Antony Blinken arrived in Tokyo on Monday. "
        "Blinken met Japanese Foreign Minister Yoko Kamikawa in Tokyo."
    )
    res = extractor.extract(ArticleInput("t", text, published=PUB))
    assert "Blinken" not in res.entities.places
    for e in res.to_dict()["events"]:
        assert (e["location"] or {}).get("place") != "Blinken"


def test_extractor_scheduled_meeting_stays_consult_with_future_factuality(
    extractor: EventExtractor,
) -> None:
    """The annotation guide keeps a scheduled meeting CONSULT (factuality future)."""
    evs = _events(extractor, "The leaders of China and Brazil will meet in Beijing next month.")
    assert evs[0]["type"] == "CONSULT" and evs[0]["factuality"] == "future"


def test_extractor_promised_aid_is_agree(extractor: EventExtractor) -> None:
    """PLOVER: a promised cooperative act is AGREE."""
    evs = _events(extractor, "Japan will send food aid to Kenya next month.")
    assert evs[0]["type"] == "AGREE" and evs[0]["factuality"] == "future"
    assert evs[0]["rule"].endswith("/promised-cooperation-is-agree")


def test_extractor_no_date_is_not_silently_the_publication_date(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Canada and Mexico signed a trade agreement.")
    assert evs and evs[0]["date"] is None and evs[0]["date_precision"] is None


def test_extractor_domestic_article_is_not_diplomatic(extractor: EventExtractor) -> None:
    res = extractor.extract(
        ArticleInput(
            "t", "French police arrested three protesters in Paris on Monday.", published=PUB
        )
    )
    assert res.diplomatic is False


def test_extractor_bad_input_gives_notes_not_crashes(extractor: EventExtractor) -> None:
    cases = {
        "empty_text": "   ",
        "non_english": "Министр иностранных дел России встретился с китайским коллегой "
        "в Пекине в понедельник.",
        "html_leftover": "<div><p>Japan and China <b>agreed</b> on Monday to hold talks.</p></div>",
        "odd_unicode": "Japan\u200b and China\x07 agreed to talk.\ud800",
        "truncated": "The weather was mild and the market was calm today. " * 21000,
    }
    for code, text in cases.items():
        res = extractor.extract(ArticleInput("t", text, published=PUB))
        assert code in {n.code for n in res.notes}, code
    html = extractor.extract(ArticleInput("t", cases["html_leftover"], published=PUB))
    assert html.events and html.events[0].evidence.text.startswith("Japan")


def test_extractor_evidence_offsets_point_into_the_article(extractor: EventExtractor) -> None:
    text = "Intro line without events.\n\nJapan and China agreed on Monday to hold talks."
    ev = extractor.extract(ArticleInput("t", text, published=PUB)).events[0]
    assert text[ev.evidence.start : ev.evidence.end] == ev.evidence.text


def test_extractor_event_fields_follow_the_ontology(extractor: EventExtractor) -> None:
    ev = _events(extractor, "Russia expelled two British diplomats on Friday.")[0]
    assert ev["type"] == "SANCTION" and ev["quad"] == 4 and ev["cameo_root"] == "16"
    assert ev["actors"] == ["RUS"] and ev["recipients"] == ["GBR"]
    assert ev["extractor_version"]


def _types(ex: EventExtractor, text: str) -> set[str]:
    return {e["type"] for e in _events(ex, text)}


def test_extractor_reported_obligation_is_a_request(extractor: EventExtractor) -> None:
    assert _types(extractor, "Germany reiterated that Iran must release the detained sailors.") == {
        "REQUEST"
    }


def test_extractor_clause_of_a_demand_is_a_request(extractor: EventExtractor) -> None:
    text = "Canada renewed its demand that Venezuela lift restrictions on opposition parties."
    assert _types(extractor, text) == {"REQUEST"}


def test_extractor_future_act_with_unless_clause_is_a_threat(extractor: EventExtractor) -> None:
    text = "Kenya said it will withdraw its troops from Somalia unless the government pays them."
    assert "THREATEN" in _types(extractor, text)


def test_extractor_troops_arriving_are_not_a_visit(extractor: EventExtractor) -> None:
    text = "Ghanaian peacekeeping troops arrived in Mali on Monday."
    assert "CONSULT" not in _types(extractor, text)


def test_extractor_apology_is_support_and_lifting_a_blockade_is_retreat(
    extractor: EventExtractor,
) -> None:
    assert "SUPPORT" in _types(extractor, "Peru apologized to Chile for the border incident.")
    assert "RETREAT" in _types(extractor, "Egypt lifted its blockade on Libyan trucks on Sunday.")


def test_extractor_remaining_open_to_dialogue_is_agree(extractor: EventExtractor) -> None:
    evs = _events(extractor, "Brazil remains open to dialogue with Argentina, the minister said.")
    agree = [e for e in evs if e["type"] == "AGREE"]
    assert agree and agree[0]["actors"] == ["BRA"] and agree[0]["recipients"] == ["ARG"]


def test_extractor_meeting_in_the_capital_of_one_side_is_a_visit(
    extractor: EventExtractor,
) -> None:
    evs = _events(extractor, "The foreign ministers of Spain and Morocco met in Rabat on Monday.")
    consult = [e for e in evs if e["type"] == "CONSULT"]
    assert consult and consult[0]["mode"] == "visit"
    assert consult[0]["actors"] == ["ESP"] and consult[0]["recipients"] == ["MAR"]
