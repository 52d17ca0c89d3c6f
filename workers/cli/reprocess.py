"""`communique reprocess`: rerun extraction on a selection, with progress until done.

``communique reprocess --older-than-version nlp-0.2.0`` records a run in Redis, calls the
``communique.reprocess`` task (which fans the selection out on the reprocess queue) and shows a
progress bar until every article has an outcome; ``--no-wait`` returns at once with the run id
for ``communique reprocess status RUN``.
"""

from __future__ import annotations

import time
import uuid
from datetime import date
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline.index.selection import Selection
from workers.cli.common import console, fail

reprocess_app = typer.Typer(
    help="Reprocess stored articles on the reprocess queue (never starves live ingestion).",
    invoke_without_command=True,
)

POLL_S = 0.5


def _check_date(name: str, value: str | None) -> None:
    if value is None:
        return
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        fail(f"--{name} {value!r} is not an ISO date (YYYY-MM-DD)")


def _follow(run_id: str) -> None:
    from workers.resources import redis_client
    from workers.state import progress

    with Progress(
        TextColumn("reprocess"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("reprocess", total=None, detail="selecting")
        while True:
            state = progress.read(redis_client(), run_id)
            if state is None:
                fail(f"run {run_id} vanished from Redis")
                return
            detail = f"skipped {state.skipped} failed {state.failed}"
            total = state.total if state.state == "running" else None
            bar.update(task, total=total, completed=state.done, detail=detail)
            if state.finished:
                break
            time.sleep(POLL_S)
    _print_status(run_id)


def _print_status(run_id: str) -> None:
    from workers.resources import redis_client
    from workers.state import progress

    state = progress.read(redis_client(), run_id)
    if state is None:
        fail(f"no reprocess run {run_id!r} (unknown, or older than a week)")
        return
    table = Table("run", "selection", "state", "total", "processed", "skipped", "failed")
    label = "finished" if state.finished else state.state
    table.add_row(
        run_id,
        state.selection,
        label,
        *map(str, (state.total, state.processed, state.skipped, state.failed)),
    )
    console.print(table)


@reprocess_app.callback()
def reprocess(
    ctx: typer.Context,
    ids: Annotated[list[str] | None, typer.Option("--id", help="Article id (repeatable)")] = None,
    query: Annotated[str | None, typer.Option(help="Full-text selection of articles")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after (ISO date)")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before (ISO date)")] = None,
    older_than_version: Annotated[
        str | None,
        typer.Option(
            help="Only articles processed by an older release, or by this release with other "
            "rules (a different +hash)"
        ),
    ] = None,
    outdated: Annotated[
        bool, typer.Option(help="Only articles not processed by the installed extractor")
    ] = False,
    everything: Annotated[bool, typer.Option("--all", help="Every stored article")] = False,
    wait: Annotated[bool, typer.Option(help="Show progress until the run is done")] = True,
) -> None:
    """Reprocess one article, a list, a query's results, a date range or older versions."""
    if ctx.invoked_subcommand is not None:
        return
    if outdated:
        from pipeline.nlp import EXTRACTOR_VERSION

        older_than_version = EXTRACTOR_VERSION
    selection = Selection(tuple(ids or ()), query, since, until, older_than_version)
    if selection.describe() == "all articles" and not everything:
        fail(
            "choose a selection (--id, --query, --since/--until, --older-than-version, "
            "--outdated) or --all"
        )
    _check_date("since", since)
    _check_date("until", until)
    if since and until and since[:10] > until[:10]:
        fail(f"--since {since} is after --until {until}")

    from workers.resources import redis_client
    from workers.state import progress
    from workers.tasks import reprocess as reprocess_task

    run_id = uuid.uuid4().hex[:12]
    progress.start(redis_client(), run_id, selection.describe())
    reprocess_task.apply_async(
        kwargs={
            "ids": list(selection.ids) or None,
            "query": query,
            "since": since,
            "until": until,
            "older_than_version": older_than_version,
            "run_id": run_id,
        }
    )
    console.print(f"reprocess run {run_id}: {selection.describe()}")
    if wait:
        _follow(run_id)
    else:
        console.print(f"follow it with: communique reprocess status {run_id}")


@reprocess_app.command("status")
def status(
    run_id: Annotated[str, typer.Argument(help="Run id printed by `communique reprocess`")],
    wait: Annotated[bool, typer.Option(help="Follow with a progress bar until done")] = False,
) -> None:
    """Progress of a reprocessing run."""
    if wait:
        _follow(run_id)
    else:
        _print_status(run_id)
