"""Operations on live work: poll a feed now, reconcile (reprocessing: workers/cli/reprocess.py)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from workers.cli.common import console, fail


def poll(feed_id: str) -> None:
    """Enqueue a poll of one feed now."""
    from workers.tasks import poll_feed

    result = poll_feed.apply_async(args=(feed_id,))
    console.print(f"enqueued poll of {feed_id} (task {result.id})")


def delete_article(
    article_id: Annotated[str, typer.Argument(help="Article id (a_…)")],
) -> None:
    """Delete an article and its mentions; its events are recomputed (no stale counts)."""
    from workers.store import default_store

    outcome = default_store().delete_article(article_id)
    if outcome is None:
        fail(f"no article {article_id!r} in the index")
        return
    console.print(f"{article_id}: deleted; {outcome.events} events recomputed")


def reconcile(
    dry_run: Annotated[bool, typer.Option(help="Report only; enqueue nothing")] = False,
    min_age: Annotated[
        float,
        typer.Option(help="Entries in no queue younger than this (s) count as in flight"),
    ] = 60.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Compare ledger, index and dead letters; re-enqueue what is in neither."""
    from dataclasses import asdict

    from workers.tasks.maintenance import reconcile_once

    report = reconcile_once(enqueue=not dry_run, min_age_s=min_age)
    if as_json:
        print(json.dumps(asdict(report)))
        return
    table = Table(
        "ledger entries", "indexed", "dead-lettered", "in flight", "queued",
        "unacked (oldest s)", "missing (lost)", "re-enqueued",
    )  # fmt: skip
    table.add_row(
        *map(
            str,
            (
                report.ledger_entries,
                report.indexed,
                report.dead_lettered,
                report.in_flight,
                report.queued,
                f"{report.unacked} ({report.oldest_unacked_s:.0f})",
                report.missing,
                report.reenqueued,
            ),
        )
    )
    console.print(table)
    if report.missing_ids:
        console.print(f"missing: {', '.join(report.missing_ids[:20])}")
