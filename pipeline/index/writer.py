"""Bulk writes with per-item outcomes: nothing is silently dropped.

Every action ends in exactly one bucket: indexed, stale (409 against a newer external version:
the newer result wins and that is success), retryable (429/5xx per item: the caller retries the
task) or failed (the document cannot fit the mapping: dead-letter it, never loop on it).
Connection-level failures raise ``TransientIndexingError`` so the task is retried un-acked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ApiError, TransportError
from elasticsearch.helpers import streaming_bulk

from pipeline.errors import TransientIndexingError

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class IndexAction:
    """One bulk action; ``version`` with ``version_type='external'`` makes stale writes lose."""

    index: str
    id: str
    document: dict[str, Any] | None = None
    op: str = "index"  # index | create | update | delete
    version: int | None = None
    version_type: str | None = None
    #: optimistic concurrency: write only if the document is still at this sequence number
    if_seq_no: int | None = None
    if_primary_term: int | None = None

    def to_bulk(self) -> dict[str, Any]:
        """The action dict understood by ``elasticsearch.helpers``."""
        action: dict[str, Any] = {"_op_type": self.op, "_index": self.index, "_id": self.id}
        if self.op == "update":
            action["doc"] = self.document
        elif self.op != "delete":
            action["_source"] = self.document
        if self.version is not None:
            action["version"] = self.version
            action["version_type"] = self.version_type or "external"
        if self.if_seq_no is not None:
            action["if_seq_no"] = self.if_seq_no
            action["if_primary_term"] = self.if_primary_term
        return action


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """One action that did not succeed, with the server's reason."""

    id: str
    status: int
    reason: str


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """Per-item result of a bulk write."""

    indexed: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    retryable: tuple[ItemFailure, ...] = ()
    failed: tuple[ItemFailure, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing needs a retry or a dead letter."""
        return not self.retryable and not self.failed


def _reason(info: dict[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, dict):
        return f"{error.get('type', 'error')}: {error.get('reason', '')}"[:500]
    return str(error)[:500]


def bulk_write(
    es: Any, actions: Iterable[IndexAction], *, refresh: bool | str = False, max_retries: int = 3
) -> BulkOutcome:
    """Write ``actions``; 429s are retried in place (``max_retries``) before being reported."""
    indexed: list[str] = []
    stale: list[str] = []
    retryable: list[ItemFailure] = []
    failed: list[ItemFailure] = []
    try:
        for ok, item in streaming_bulk(
            es,
            (a.to_bulk() for a in actions),
            raise_on_error=False,
            raise_on_exception=True,
            max_retries=max_retries,
            initial_backoff=1,
            max_backoff=8,
            refresh=refresh,
            yield_ok=True,
        ):
            op, info = next(iter(item.items()))
            doc_id = str(info.get("_id"))
            status = int(info.get("status", 0))
            if ok:
                indexed.append(doc_id)
            elif status == 409:
                stale.append(doc_id)
            elif op == "delete" and status == 404:
                indexed.append(doc_id)  # already gone: the goal state holds
            elif status in RETRYABLE_STATUSES:
                retryable.append(ItemFailure(doc_id, status, _reason(info)))
            else:
                failed.append(ItemFailure(doc_id, status, _reason(info)))
    except (TransportError, ApiError) as exc:
        # the whole request failed (connection refused, 503 on _bulk): retry the task un-acked
        raise TransientIndexingError(f"bulk request failed: {exc}") from exc
    return BulkOutcome(tuple(indexed), tuple(stale), tuple(retryable), tuple(failed))
