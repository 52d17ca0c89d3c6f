"""Templates, aliases and the bulk writer against the real Elasticsearch."""

from __future__ import annotations

import json
import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from pipeline.index.templates import (
    INDEX_KINDS,
    SetupReport,
    apply_templates,
    delete_prefix,
    detect_capabilities,
)
from pipeline.index.writer import IndexAction, bulk_write
from workers.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration


def test_root_endpoint_answers_as_elasticsearch(es: Elasticsearch) -> None:
    info = es.info()
    assert info["version"]["number"].split(".")[0] == "8"
    assert info["tagline"] == "You Know, for Search"


def test_apply_templates_creates_versioned_indices_behind_aliases(
    es: Elasticsearch, prefix: str
) -> None:
    aliases = es.indices.get_alias(name=f"{prefix}-articles")
    assert list(aliases) == [f"{prefix}-articles-v1"]
    mapping = es.indices.get_mapping(index=f"{prefix}-events")
    props = next(iter(mapping.values()))["mappings"]["properties"]
    assert props["location"]["properties"]["point"]["type"] == "geo_point"
    assert props["actors"]["type"] == "keyword"
    # idempotent: a second run creates nothing and keeps the alias where it was
    report = apply_templates(es, PROJECT_ROOT / "config", prefix)
    assert report.created_indices == ()
    assert report.aliases[f"{prefix}-articles"] == f"{prefix}-articles-v1"


def test_workers_setting_up_at_the_same_moment_all_succeed(es: Elasticsearch) -> None:
    """`communique run` starts several workers that each set up the indices at once."""
    prefix = f"test-race-{uuid.uuid4().hex[:8]}"
    barrier = threading.Barrier(4)

    def setup() -> SetupReport:
        barrier.wait()
        return apply_templates(es, PROJECT_ROOT / "config", prefix)

    try:
        with ThreadPoolExecutor(4) as pool:
            reports = list(pool.map(lambda _: setup(), range(4)))
        created = sorted(index for report in reports for index in report.created_indices)
        assert len(created) == len(INDEX_KINDS) == len(set(created))  # each made by one worker
        for kind in INDEX_KINDS:  # and every worker ends with the same write index
            assert len({report.aliases[f"{prefix}-{kind}"] for report in reports}) == 1
    finally:
        delete_prefix(es, prefix)


def test_capabilities_reflect_the_minimal_server(es: Elasticsearch, prefix: str) -> None:
    caps = detect_capabilities(es)
    mapping = es.indices.get_mapping(index=f"{prefix}-articles")
    analyzer = next(iter(mapping.values()))["mappings"]["properties"]["text"]["analyzer"]
    assert analyzer == caps.text_analyzer
    if not caps.analysis_common:
        assert analyzer == "standard"


def test_bulk_write_isolates_a_bad_item(es: Elasticsearch, prefix: str) -> None:
    index = f"{prefix}-events"
    outcome = bulk_write(
        es,
        [
            IndexAction(index, "good-1", {"type": "CONSULT", "actors": ["JPN", "USA"]}),
            IndexAction(index, "bad-1", {"type": "AGREE", "date": "not a date at all"}),
            IndexAction(index, "good-2", {"type": "AGREE", "quad": 1}),
        ],
        refresh="wait_for",
    )
    assert sorted(outcome.indexed) == ["good-1", "good-2"]
    assert [f.id for f in outcome.failed] == ["bad-1"]
    assert outcome.failed[0].status == 400
    assert "parse" in outcome.failed[0].reason
    assert es.count(index=index)["count"] == 2


def test_bulk_write_stale_external_version_loses(es: Elasticsearch, prefix: str) -> None:
    index = f"{prefix}-events"
    newer = IndexAction(index, "e1", {"type": "CONSULT"}, version=200, version_type="external")
    stale = IndexAction(index, "e1", {"type": "ACCUSE"}, version=100, version_type="external")
    assert bulk_write(es, [newer], refresh="wait_for").indexed == ("e1",)
    outcome = bulk_write(es, [stale], refresh="wait_for")
    assert outcome.stale == ("e1",) and outcome.ok
    assert es.get(index=index, id="e1")["_source"]["type"] == "CONSULT"


def test_facets_and_geo_queries_work_on_the_minimal_server(es: Elasticsearch, prefix: str) -> None:
    index = f"{prefix}-events"
    bulk_write(
        es,
        [
            IndexAction(index, "a", {"type": "CONSULT", "actors": ["JPN", "USA", "KOR"],
                                     "location": {"place": "Bali",
                                                  "point": {"lat": -8.4, "lon": 115.2}},
                                     "date": "2022-07"}),
            IndexAction(index, "b", {"type": "ACCUSE", "actors": ["USA"], "date": "2024-02-22"}),
        ],
        refresh="wait_for",
    )  # fmt: skip
    response = es.search(
        index=index,
        size=0,
        aggs={
            "types": {"terms": {"field": "type"}},
            "by_month": {"date_histogram": {"field": "date", "calendar_interval": "month"}},
        },
        query={"term": {"actors": "USA"}},
    )
    buckets = {b["key"]: b["doc_count"] for b in response["aggregations"]["types"]["buckets"]}
    assert buckets == {"CONSULT": 1, "ACCUSE": 1}
    near_bali = es.search(
        index=index,
        query={"geo_distance": {"distance": "50km", "location.point": {"lat": -8.5, "lon": 115.3}}},
    )
    assert [h["_id"] for h in near_bali["hits"]["hits"]] == ["a"]


def test_bulk_write_to_an_unreachable_server_is_transient() -> None:
    from elasticsearch import Elasticsearch as Client

    from pipeline.errors import TransientIndexingError

    # a port nothing listens on: the whole request fails, so the task must retry un-acked
    down = Client("http://127.0.0.1:9", request_timeout=2, max_retries=0)
    with pytest.raises(TransientIndexingError):
        bulk_write(down, [IndexAction("x", "1", {"a": 1})])


def test_apply_templates_adds_new_fields_to_live_indices(
    es: Elasticsearch, prefix: str, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config" / "elasticsearch", config / "elasticsearch")
    events = config / "elasticsearch" / "events.json"
    body = json.loads(events.read_text())
    body["mappings"]["properties"]["brand_new_facet"] = {"type": "keyword"}
    events.write_text(json.dumps(body))
    apply_templates(es, config, prefix)
    mapping = es.indices.get_mapping(index=f"{prefix}-events")
    props = next(iter(mapping.values()))["mappings"]["properties"]
    assert props["brand_new_facet"]["type"] == "keyword"
