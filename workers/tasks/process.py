"""``communique.process_article`` and ``communique.reprocess_article``: one body, two queues.

Load the article through the store, call :func:`pipeline.process.process_article`, save the
mentions (a stale run loses, see ``workers/store.py``), recompute the events they touch.
Reprocessing runs the same body on its own queue so a backfill never starves live ingestion.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

import pipeline.process as processing
from pipeline.errors import SkipArticle
from pipeline.index.documents import article_from_document, is_current
from pipeline.process import Extractor, ProcessedArticle
from workers.app import app
from workers.base import CommuniqueTask
from workers.resources import extractor, redis_client
from workers.state import progress
from workers.store import RecomputeOutcome, SaveOutcome, default_store

log = logging.getLogger("communique.process")


class ProcessingStore(Protocol):
    """What processing needs from the store (``workers.store.Store``; a fake in unit tests)."""

    def article_document(self, article_id: str) -> dict[str, Any] | None:
        """The stored article document, or None."""
        ...

    def save_processed(
        self, processed: ProcessedArticle, *, run_version: int, processed_at: datetime
    ) -> SaveOutcome:
        """Replace the article's mentions unless a newer run did."""
        ...

    def recompute_events(self, keys: Iterable[str]) -> RecomputeOutcome:
        """Recompute the events of ``keys``."""
        ...


def process_one(
    store: ProcessingStore,
    extract: Extractor,
    article_id: str,
    extractor_version: str | None = None,
) -> dict[str, Any]:
    """Process one stored article; skip it when already processed by ``extractor_version`` or
    newer (what makes a repeated reprocessing selection a no-op)."""
    started = datetime.now(UTC)
    run_version = time.time_ns() // 1_000_000  # a later run carries a larger version
    doc = store.article_document(article_id)
    if doc is None:
        raise SkipArticle("article not in the index", subject=article_id, reason="missing_article")
    done_by = doc.get("extractor_version") or ""
    if (
        extractor_version
        and doc.get("status") == "processed"
        and is_current(done_by, extractor_version)
    ):
        return {"status": "skipped", "reason": "up_to_date", "article_id": article_id}
    processed = processing.process_article(article_from_document(doc), extract)
    saved = store.save_processed(processed, run_version=run_version, processed_at=started)
    if saved.stale:
        return {"status": "skipped", "reason": "newer_run", "article_id": article_id}
    recomputed = store.recompute_events(saved.keys)
    return {
        "status": "processed",
        "article_id": article_id,
        "mentions": saved.mentions,
        "rejected_mentions": saved.rejected,
        "events": recomputed.events,
    }


def _run(
    task: CommuniqueTask, article_id: str, extractor_version: str | None, run_id: str | None
) -> dict[str, Any]:
    payload = {"article_id": article_id, "extractor_version": extractor_version, "run_id": run_id}
    result = task.guarded(
        article_id,
        payload,
        lambda: process_one(default_store(), extractor(), article_id, extractor_version),
    )
    if run_id:  # a retry raised before this line: only final outcomes are counted
        status = result.get("status")
        progress.record(redis_client(), run_id, "failed" if status == "dead_letter" else status)
    return result


@app.task(bind=True, base=CommuniqueTask, name="communique.process_article")
def process_article(
    self: CommuniqueTask,
    article_id: str,
    extractor_version: str | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Extract the mentions of ``article_id`` and recompute its events (live queue)."""
    return _run(self, article_id, extractor_version, run_id)


@app.task(bind=True, base=CommuniqueTask, name="communique.reprocess_article")
def reprocess_article(
    self: CommuniqueTask,
    article_id: str,
    extractor_version: str | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Same as ``process_article`` on the reprocess queue, counted in the run's progress."""
    return _run(self, article_id, extractor_version, run_id)
