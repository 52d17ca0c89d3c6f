"""`communique deadletters`: browse and retry dead letters."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from workers.cli.common import console, err, fail

deadletters_app = typer.Typer(help="Browse and retry dead letters.", no_args_is_help=True)


@deadletters_app.command("list")
def deadletters_list(
    all_: Annotated[bool, typer.Option("--all", help="Include resolved ones")] = False,
) -> None:
    """Dead letters, newest first."""
    from workers import deadletters
    from workers.resources import redis_client

    table = Table("id", "task", "reason", "attempts", "subject", "when")
    records = deadletters.list_all(redis_client(), include_resolved=all_)
    for rec in records:
        table.add_row(
            rec["id"], rec["task"], rec["reason"], str(rec["attempts"]),
            rec["subject"][:60], rec["created_at"][:19],
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(records)} dead letters")


@deadletters_app.command("show")
def deadletters_show(record_id: str) -> None:
    """One dead letter in full (JSON)."""
    from workers import deadletters
    from workers.resources import redis_client

    record = deadletters.get(redis_client(), record_id)
    if record is None:
        fail(f"no dead letter {record_id}")
    print(json.dumps(record, indent=2, ensure_ascii=False))


@deadletters_app.command("retry")
def deadletters_retry(
    record_ids: Annotated[list[str] | None, typer.Argument(help="Ids (default: all)")] = None,
) -> None:
    """Re-enqueue dead letters with their original payload."""
    from workers import deadletters
    from workers.app import app as celery_app
    from workers.resources import redis_client

    r = redis_client()
    records = (
        [rec for rid in record_ids if (rec := deadletters.get(r, rid))]
        if record_ids
        else deadletters.list_all(r)
    )
    for rec in records:
        if rec["reason"] == "no_link":
            err.print(f"skipped {rec['id']}: the feed entry has no link to fetch")
            continue
        celery_app.send_task(rec["task"], kwargs=rec["payload"])
        deadletters.mark_resolved(r, rec["id"])
        console.print(f"re-enqueued {rec['id']} ({rec['task']} {rec['subject'][:60]})")
    console.print(f"{len(records)} dead letters retried")
