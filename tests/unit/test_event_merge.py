"""Merging mentions into events: pure, deterministic, order-independent."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import UTC, datetime

from pipeline.events.blocking import block_keys, compatible, date_window
from pipeline.events.mention import Mention, mention_from_document, outlets_of
from pipeline.events.merge import cluster, merge
from pipeline.ids import event_id
from pipeline.index.event_documents import event_document, mention_document
from pipeline.index.templates import Capabilities, load_template
from pipeline.models import Article
from pipeline.nlp.types import Evidence, Location, PersonRef, Quote
from workers.settings import PROJECT_ROOT

NOW = datetime(2024, 3, 1, tzinfo=UTC)
RIO = Location("Rio de Janeiro", "BRA", -22.9, -43.2)
BALI = Location("Bali", "IDN", -8.4, 115.2)


def mention(mid: str, article: str, **fields: object) -> Mention:
    base = Mention(
        id=mid,
        article_id=article,
        type="CONSULT",
        mode="multilateral",
        cameo_root="04",
        quad=1,
        score=4.0,
        actors=("JPN", "USA", "KOR"),
        recipients=(),
        persons=(PersonRef("Antony Blinken", "USA", "secretary of state"),),
        location=RIO,
        date="2024-02-22",
        date_precision="day",
        factuality="asserted",
        occasion="G20 foreign ministers' meeting",
        evidence=Evidence(f"sentence of {mid}", 0, 10),
        confidence=0.8,
        extractor_version="nlp-0.1.0",
        source=f"source of {article}",
        published="2024-02-23T00:00:00+00:00",
        article_url=f"https://{article}.example/x",
        outlets=(f"{article}.example",),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def snapshot(mentions: list[Mention]) -> list[tuple[str, tuple[str, ...]]]:
    return [(e.id, tuple(m.id for m in e.mentions)) for e in merge(mentions)]


def test_merge_is_order_independent() -> None:
    mentions = [
        mention("m1", "a1"),
        mention("m2", "a2", actors=("USA", "JPN"), location=None, date=None, date_precision=None),
        mention("m3", "a3", published="2024-02-22T10:00:00+00:00"),
        mention("m4", "a4", date="2024-02-26", published="2024-02-27T00:00:00+00:00"),
        mention("m5", "a5", type="AGREE", actors=("JPN", "USA")),
        mention("m6", "a6", type="AGREE", actors=("JPN", "USA"), date="2024-02",
                date_precision="month"),
        mention("m7", "a7", actors=(), recipients=()),
    ]  # fmt: skip
    expected = snapshot(mentions)
    rng = random.Random(7)
    for _ in range(50):
        shuffled = mentions[:]
        rng.shuffle(shuffled)
        assert snapshot(shuffled) == expected
    assert snapshot(mentions + mentions[:3]) == expected  # redelivered mentions change nothing


def test_syndicated_and_reworded_reports_of_one_meeting_merge() -> None:
    original = mention("m1", "kyodo")
    syndicated = replace(original, id="m2", article_id="japantoday", outlets=("japantoday.com",))
    reworded = mention(
        "m3", "yonhap", actors=("KOR", "USA"), persons=(PersonRef("Cho Tae-yul", "KOR", None),),
        occasion="G20 meeting", date=None, date_precision=None, location=None,
    )  # fmt: skip
    (event,) = merge([reworded, syndicated, original])
    assert {m.id for m in event.mentions} == {"m1", "m2", "m3"}
    doc = event_document(event)
    assert (doc["num_mentions"], doc["num_articles"], doc["num_sources"]) == (3, 3, 3)
    assert doc["location"]["place"] == "Rio de Janeiro"
    assert doc["location"]["point"] == {"lat": -22.9, "lon": -43.2}
    assert (doc["date"], doc["date_precision"]) == ("2024-02-22", "day")
    assert {p["name"] for p in doc["persons"]} == {"Antony Blinken", "Cho Tae-yul"}
    assert doc["id"] == event_id("m1")  # from the earliest mention (publication, then id)
    assert doc["first_seen"] == doc["last_seen"] == "2024-02-23T00:00:00+00:00"


def test_the_seed_meetings_never_merge() -> None:
    rio = mention("m1", "seed-000")
    bali = mention(
        "m2", "seed-001", location=BALI, date="2022-07-08",
        published="2022-07-08T00:00:00+00:00", persons=(PersonRef("Park Jin", "KOR", None),),
    )  # fmt: skip
    assert not compatible(rio, bali)
    assert len(merge([rio, bali])) == 2
    # nor do their undated statements, two years apart
    undated = {"date": None, "date_precision": None, "type": "ACCUSE", "recipients": ("PRK",)}
    assert len(merge([replace(rio, **undated), replace(bali, **undated)])) == 2  # type: ignore[arg-type]


def test_a_mention_without_participants_stays_a_mention() -> None:
    lone = mention("m1", "a1", actors=(), recipients=())
    assert block_keys(lone) == ()
    assert merge([lone]) == []
    doc = mention_document(lone, indexed_at=NOW)
    assert doc["mergeable"] is False and doc["block_keys"] == []


def test_mentions_of_one_article_and_of_opposite_polarity_stay_apart() -> None:
    assert len(merge([mention("m1", "a1"), mention("m2", "a1")])) == 2
    assert len(merge([mention("m1", "a1"), mention("m2", "a2", factuality="negated")])) == 2


def test_other_places_and_other_occasions_stay_apart() -> None:
    assert not compatible(mention("m1", "a1"), mention("m2", "a2", location=BALI))
    assert not compatible(mention("m1", "a1"), mention("m2", "a2", occasion="NATO summit"))
    assert compatible(mention("m1", "a1"), mention("m2", "a2", occasion="G20"))


def test_complete_linkage_does_not_chain_a_week_of_meetings() -> None:
    days = [mention(f"m{d}", f"a{d}", date=f"2024-02-{d:02d}", location=None) for d in (20, 22, 24)]
    assert [len(e.mentions) for e in merge(days)] in ([2, 1], [1, 2])


def test_block_keys_cover_the_months_a_window_spills_into() -> None:
    leap = mention("m1", "a1", date="2024-02-29", actors=("USA",))
    assert date_window(leap) == (datetime(2024, 2, 28).date(), datetime(2024, 3, 1).date())
    assert block_keys(leap) == ("CONSULT|USA|2024-02", "CONSULT|USA|2024-03")
    year = mention("m2", "a2", date="2023", date_precision="year", actors=("USA",))
    assert len(block_keys(year)) == 12
    # compatible mentions always share a key, so key lookups find every candidate
    for a, b in itertools.combinations([leap, year, mention("m3", "a3", date="2024-03-01")], 2):
        if compatible(a, b):
            assert set(block_keys(a)) & set(block_keys(b))


def test_mention_document_round_trips() -> None:
    full = mention(
        "m1", "a1", quotes=(Quote("We agree", "Antony Blinken"),), sentences=(Evidence("s", 1, 2),),
        contexts=("diplomatic",), feed_ids=("kyodo",), rule="consult.meet", bodies=("UNICEF",),
    )  # fmt: skip
    doc = mention_document(full, indexed_at=NOW)
    assert mention_from_document(doc) == full
    assert doc["participants"] == ["JPN", "KOR", "USA"]
    assert doc["quad_class"] == "verbal cooperation"
    assert "CONSULT|USA|2024-02" in doc["block_keys"]


def test_event_document_is_deterministic_and_counts_sources() -> None:
    # a2 is a syndicated copy on a1's outlet
    mentions = [mention("m1", "a1"), replace(mention("m2", "a2"), outlets=("a1.example",))]
    docs = [event_document(e) for e in merge(mentions)]
    assert docs == [event_document(e) for e in merge(list(reversed(mentions)))]
    (doc,) = docs
    assert (doc["num_mentions"], doc["num_articles"], doc["num_sources"]) == (2, 2, 1)
    assert doc["mention_ids"] == ["m1", "m2"] and doc["article_ids"] == ["a1", "a2"]
    assert [e["mention_id"] for e in doc["evidence"]] == ["m1", "m2"]


def test_cluster_ignores_duplicates_and_unmergeable_mentions() -> None:
    clusters = cluster([mention("m1", "a1"), mention("m1", "a1"), mention("m2", "a2", actors=())])
    assert [[m.id for m in c] for c in clusters] == [["m1"]]


def test_event_and_mention_templates_make_names_searchable_on_any_server() -> None:
    for kind in ("mentions", "events"):
        props = load_template(PROJECT_ROOT / "config", kind, Capabilities())["mappings"][
            "properties"
        ]
        for obj, name in (("persons", "name"), ("location", "place"), ("quotes", "speaker")):
            spec = props[obj]["properties"][name]
            assert spec["type"] == "text"
            assert spec["fields"]["keyword"]["type"] == "keyword"
            assert spec["fields"]["lower"]["normalizer"] == "lowercase"
        assert props["occasion"]["fields"]["lower"]["normalizer"] == "lowercase"
        assert props["location"]["properties"]["point"]["type"] == "geo_point"
        for facet in ("type", "mode", "actors", "recipients", "participants", "factuality"):
            assert props[facet]["type"] == "keyword"
    events = load_template(PROJECT_ROOT / "config", "events", Capabilities())["mappings"]
    for count in ("num_mentions", "num_articles", "num_sources"):
        assert events["properties"][count]["type"] == "integer"


def test_outlets_are_the_hosts_of_every_copy() -> None:
    article = Article(
        id="a1", url="https://www.kyodonews.net/x", canonical_url="https://kyodonews.net/x",
        text="t", sources=("https://www.kyodonews.net/x", "https://japantoday.com/y"),
    )  # fmt: skip
    assert outlets_of(article) == ("japantoday.com", "kyodonews.net")
