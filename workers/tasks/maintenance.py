"""``communique.reconcile``: every entry ever enqueued ends indexed or dead-lettered.

Compares the poller's ledger with the ``articles`` index, the dead letters and the broker's fetch
messages. An entry in none of them is lost (a Redis restart without persistence, a crash between
fetch and store) and is re-enqueued as soon as it is older than ``min_age_s`` (a short grace for
a message being handed from the queue to a worker); one whose message waits delivered but unacked
is reported with its age (``unacked``, ``oldest_unacked_s``), so a stuck redelivery shows.
Runs periodically from beat and on demand from the CLI.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from workers import brokerview, deadletters, ledger
from workers.app import app
from workers.base import CommuniqueTask
from workers.resources import redis_client
from workers.store import default_store
from workers.tasks.fetch import ALIASES_KEY

log = logging.getLogger("communique.reconcile")

#: entries in no queue younger than this may be between the queue and a worker's unacked set
DEFAULT_MIN_AGE_S = 60.0


@dataclass
class Reconciliation:
    """Counts of one reconciliation run."""

    ledger_entries: int = 0
    indexed: int = 0
    dead_lettered: int = 0
    missing: int = 0
    in_flight: int = 0
    queued: int = 0
    unacked: int = 0
    oldest_unacked_s: float = 0.0
    reenqueued: int = 0
    missing_ids: list[str] = field(default_factory=list)


def _age_s(entry: dict[str, Any]) -> float:
    try:
        return (datetime.now(UTC) - datetime.fromisoformat(entry["at"])).total_seconds()
    except (KeyError, ValueError):
        return float("inf")


def reconcile_once(*, enqueue: bool = True, min_age_s: float = DEFAULT_MIN_AGE_S) -> Reconciliation:
    """Find ledger entries neither indexed, dead-lettered nor pending; re-enqueue them if asked.

    ``in_flight`` = ``queued`` + ``unacked`` + entries in no queue younger than ``min_age_s``.
    """
    from workers.tasks.fetch import fetch_article

    r = redis_client()
    entries = ledger.entries(r)
    broker = brokerview.fetch_messages(r)
    report = Reconciliation(ledger_entries=len(entries))
    dead_subjects = {rec["subject"] for rec in deadletters.list_all(r, include_resolved=True)}
    aliases = r.hgetall(ALIASES_KEY)  # syndicated copies live on as their original
    found = default_store().stored_article_ids({aliases.get(aid, aid) for aid in entries})
    for aid, entry in entries.items():
        if aliases.get(aid, aid) in found:
            report.indexed += 1
        elif entry["url"] in dead_subjects or not entry["url"]:
            report.dead_lettered += 1
        elif entry["url"] in broker.queued:
            report.queued += 1
            report.in_flight += 1
        elif entry["url"] in broker.unacked_age_s:
            report.unacked += 1
            report.in_flight += 1
            age = broker.unacked_age_s[entry["url"]]
            report.oldest_unacked_s = round(max(report.oldest_unacked_s, age), 1)
        elif _age_s(entry) < min_age_s:
            report.in_flight += 1
        else:
            report.missing += 1
            report.missing_ids.append(aid)
            if enqueue:
                fetch_article.apply_async(args=(entry["url"], entry["feed_id"]))
                report.reenqueued += 1
    return report


@app.task(bind=True, base=CommuniqueTask, name="communique.reconcile", max_retries=0)
def reconcile(self: CommuniqueTask) -> dict[str, Any]:
    """Periodic reconciliation (see module docstring)."""
    report = reconcile_once(enqueue=True)
    log.info("reconciliation: %s", {k: v for k, v in asdict(report).items() if k != "missing_ids"})
    return {k: v for k, v in asdict(report).items() if k != "missing_ids"}
