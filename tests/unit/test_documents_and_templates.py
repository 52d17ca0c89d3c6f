"""Pure document builders, ids and template rendering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.errors import ConfigError
from pipeline.ids import article_id, mention_id
from pipeline.index.documents import article_document, article_from_document, processing_update
from pipeline.index.templates import Capabilities, load_template
from pipeline.index.writer import IndexAction
from pipeline.models import Article, Note
from pipeline.nlp.types import Entities
from pipeline.process import ProcessedArticle
from workers.settings import PROJECT_ROOT

NOW = datetime(2024, 2, 23, 1, 2, 3, tzinfo=UTC)


def test_article_id_is_deterministic_and_url_specific() -> None:
    assert article_id("https://a.example/x") == article_id("https://a.example/x")
    assert article_id("https://a.example/x") != article_id("https://a.example/y")
    assert mention_id("a_1", "CONSULT", 0) == mention_id("a_1", "CONSULT", 0)
    assert mention_id("a_1", "CONSULT", 0) != mention_id("a_1", "CONSULT", 0, occurrence=1)
    assert mention_id("a_1", "CONSULT", 0) != mention_id("a_1", "AGREE", 0)


def test_article_document_is_json_ready_with_status() -> None:
    article = Article(
        id="a_1",
        url="https://a.example/x",
        canonical_url="https://a.example/x",
        text="Body",
        published=NOW,
        notes=(Note("bad_date", "odd", "text"),),
    )
    doc = article_document(article)
    assert doc["status"] == "fetched"
    assert doc["published"] == "2024-02-23T01:02:03+00:00"
    assert doc["notes"] == [{"code": "bad_date", "message": "odd", "stage": "text"}]


def test_article_document_round_trips_and_drops_processing_notes() -> None:
    article = Article(
        id="a_1", url="https://a.example/x", canonical_url="https://a.example/x", text="Body",
        published=NOW, feed_ids=("f",), sources=("https://a.example/x",),
        notes=(Note("bad_date", "odd", "text"),),
    )  # fmt: skip
    doc = article_document(article)
    doc["notes"].append({"code": "truncated", "message": "cut", "stage": "nlp"})
    assert article_from_document(doc) == article


def test_processing_update_sorts_entity_facets_and_records_the_run() -> None:
    article = Article(id="a_1", url="u", canonical_url="u", text="t")
    processed = ProcessedArticle(
        article=article,
        extractor_version="v1",
        diplomatic=True,
        entities=Entities(countries=("USA", "JPN", "USA")),
        notes=(Note("truncated", "cut", "nlp"),),
    )
    update = processing_update(processed, run_version=7, processed_at=NOW)
    assert update["status"] == "processed" and update["run_version"] == 7
    assert update["event_count"] == 0 and update["mention_ids"] == []
    assert update["entities"]["countries"] == ["JPN", "USA"]
    assert update["entities"]["persons"] == []
    assert update["notes"] == [{"code": "truncated", "message": "cut", "stage": "nlp"}]


@pytest.mark.parametrize("analysis_common, analyzer", [(True, "english"), (False, "standard")])
def test_load_template_picks_analyzer_by_capability(analysis_common: bool, analyzer: str) -> None:
    body = load_template(PROJECT_ROOT / "config", "articles", Capabilities(analysis_common))
    assert body["mappings"]["properties"]["text"]["analyzer"] == analyzer
    assert "_comment" not in body


def test_events_template_has_the_facets_of_the_extract_schema() -> None:
    props = load_template(PROJECT_ROOT / "config", "events", Capabilities())["mappings"][
        "properties"
    ]
    for facet in ("type", "mode", "actors", "recipients", "factuality", "contexts"):
        assert props[facet]["type"] == "keyword"
    assert props["quad"]["type"] == "integer"
    assert props["location"]["properties"]["point"]["type"] == "geo_point"
    assert props["persons"]["properties"]["role"]["fields"]["keyword"]["type"] == "keyword"
    assert props["evidence"]["properties"]["text"]["type"] == "text"
    assert props["date"]["type"] == "date"


def test_load_template_reports_missing_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError):
        load_template(tmp_path, "articles", Capabilities())


def test_index_action_carries_external_version() -> None:
    action = IndexAction("i", "1", {"a": 1}, version=5, version_type="external").to_bulk()
    assert action["version"] == 5 and action["version_type"] == "external"
    assert IndexAction("i", "1", {"a": 1}, op="update").to_bulk()["doc"] == {"a": 1}


def test_sortable_version_orders_numerically() -> None:
    from pipeline.index.documents import sortable_version

    assert sortable_version("nlp-0.9.0") < sortable_version("nlp-0.10.0")
    assert sortable_version("nlp-1.0.0") > sortable_version("nlp-0.99.99")


def test_is_current_wants_the_same_rules_or_a_later_release() -> None:
    from pipeline.index.documents import is_current

    assert is_current("nlp-0.2.0+abc", "nlp-0.2.0+abc")
    assert not is_current("nlp-0.2.0+abc", "nlp-0.2.0+fff")  # a rule edit: reprocess
    assert not is_current("nlp-0.1.9+fff", "nlp-0.2.0+abc")
    assert is_current("nlp-0.10.0+000", "nlp-0.9.0+fff")  # never undo a newer release
