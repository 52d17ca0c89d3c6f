"""``communique.process_article`` and reprocessing: events from stored articles.

Reprocessing runs the same code on its own queue (``communique.reprocess``) so a large backfill
never starves live ingestion. Event writes carry an external version (the processing start time
in ms): a stale run that finishes after a newer one is rejected by Elasticsearch (409).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from elasticsearch import NotFoundError
from elasticsearch.helpers import scan

from pipeline.errors import MappingError, SkipArticle, TransientIndexingError
from pipeline.index.documents import event_documents, processing_update, sortable_version
from pipeline.index.writer import IndexAction, bulk_write
from pipeline.nlp import EXTRACTOR_VERSION
from pipeline.nlp.types import ArticleInput
from pipeline.timeutil import parse_datetime
from workers.app import app
from workers.base import CommuniqueTask
from workers.resources import es_client, extractor
from workers.settings import get_settings

log = logging.getLogger("communique.process")


def run_processing(article_id: str) -> dict[str, Any]:
    """Extract events of one stored article and index them (shared by live and reprocess)."""
    settings = get_settings()
    es = es_client()
    articles = settings.index_name("articles")
    events_index = settings.index_name("events")
    started = datetime.now(UTC)
    version = time.time_ns() // 1_000_000  # newer runs carry larger versions
    try:
        article = es.get(index=articles, id=article_id)["_source"]
    except NotFoundError as exc:
        raise SkipArticle(
            "article not in the index", subject=article_id, reason="missing_article"
        ) from exc
    result = extractor().extract(
        ArticleInput(
            id=article_id,
            text=article.get("text") or "",
            title=article.get("title"),
            published=parse_datetime(article.get("published")),
            source=article.get("source"),
            url=article.get("url"),
        )
    )
    result_dict = result.to_dict()
    result_dict["entities"] = result.entities.to_dict()
    events = [event.to_index_dict() for event in result.events]
    docs = event_documents(article, events, indexed_at=started)
    actions = [
        IndexAction(events_index, eid, doc, version=version, version_type="external")
        for eid, doc in docs
    ]
    # events of an earlier run that this run no longer yields are removed (search + delete:
    # delete_by_query is not in the minimal server)
    keep = {eid for eid, _ in docs}
    stale_ids = [
        hit["_id"]
        for hit in scan(
            es,
            index=events_index,
            query={"query": {"term": {"article_id": article_id}}, "_source": False},
        )
        if hit["_id"] not in keep
    ]
    actions += [IndexAction(events_index, sid, op="delete") for sid in stale_ids]
    outcome = bulk_write(es, actions)
    if outcome.retryable:
        raise TransientIndexingError(
            f"{len(outcome.retryable)} event writes need a retry: {outcome.retryable[0].reason}",
            subject=article_id,
        )
    update = processing_update(
        result_dict, extractor_version=EXTRACTOR_VERSION, processed_at=started
    )
    if outcome.failed:
        update["notes"] = [
            *update["notes"],
            *(
                {"code": "event_rejected", "message": f.reason, "stage": "index"}
                for f in outcome.failed
            ),
        ]
    es.update(index=articles, id=article_id, doc=update)
    if outcome.failed and not outcome.indexed:
        raise MappingError(
            f"every event was rejected: {outcome.failed[0].reason}", subject=article_id
        )
    return {
        "status": "processed",
        "article_id": article_id,
        "events": len(docs),
        "stale_run": bool(outcome.stale),
        "rejected_events": len(outcome.failed),
    }


@app.task(bind=True, base=CommuniqueTask, name="communique.process_article")
def process_article(
    self: CommuniqueTask, article_id: str, extractor_version: str | None = None
) -> dict[str, Any]:
    """Extract and index the events of ``article_id`` (live queue)."""
    return self.guarded(article_id, {"article_id": article_id}, lambda: run_processing(article_id))


@app.task(bind=True, base=CommuniqueTask, name="communique.reprocess_article")
def reprocess_article(
    self: CommuniqueTask, article_id: str, extractor_version: str | None = None
) -> dict[str, Any]:
    """Same as ``process_article`` on the reprocess queue."""
    return self.guarded(article_id, {"article_id": article_id}, lambda: run_processing(article_id))


def reprocess_query(
    *,
    ids: list[str] | None = None,
    query: str | None = None,
    since: str | None = None,
    until: str | None = None,
    older_than_version: str | None = None,
) -> dict[str, Any]:
    """The Elasticsearch query selecting articles to reprocess."""
    filters: list[dict[str, Any]] = []
    if ids:
        filters.append({"ids": {"values": ids}})
    if query:
        filters.append({"simple_query_string": {"query": query, "fields": ["title", "text"]}})
    if since or until:
        span = {k: v for k, v in (("gte", since), ("lte", until)) if v}
        filters.append({"range": {"published": span}})
    if older_than_version:
        filters.append(
            {
                "bool": {
                    "should": [
                        {"bool": {"must_not": {"exists": {"field": "extractor_version_key"}}}},
                        {
                            "range": {
                                "extractor_version_key": {
                                    "lt": sortable_version(older_than_version)
                                }
                            }
                        },
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}


@app.task(bind=True, base=CommuniqueTask, name="communique.reprocess")
def reprocess(
    self: CommuniqueTask,
    ids: list[str] | None = None,
    query: str | None = None,
    since: str | None = None,
    until: str | None = None,
    older_than_version: str | None = None,
) -> dict[str, Any]:
    """Enqueue ``reprocess_article`` for every article matching the selection."""
    es = es_client()
    selection = reprocess_query(
        ids=ids, query=query, since=since, until=until, older_than_version=older_than_version
    )
    count = 0
    for hit in scan(
        es,
        index=get_settings().index_name("articles"),
        query={"query": selection, "_source": False},
    ):
        reprocess_article.apply_async(args=(hit["_id"], EXTRACTOR_VERSION))
        count += 1
    log.info("reprocess enqueued %d articles", count)
    return {"status": "enqueued", "articles": count}
