"""`communique es`: index templates, aliases, document counts and migrations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from workers.cli.common import console, fail
from workers.resources import setup_indices
from workers.settings import get_settings

es_app = typer.Typer(help="Elasticsearch templates and indices.", no_args_is_help=True)

MINIMAL_ANALYZER_NOTE = (
    "this server has no analysis-common module: full text uses the `standard` analyzer "
    "(no English stemming); search still matches names, places and type names through "
    "lower-cased keyword sub-fields and query-time expansion"
)


@es_app.command("setup")
def es_setup() -> None:
    """Put index templates, create versioned indices behind aliases."""
    report = setup_indices(get_settings())
    console.print(f"text analyzer: {report.capabilities.text_analyzer}")
    for alias, index in report.aliases.items():
        console.print(f"{alias} → {index}")
    for index in report.created_indices:
        console.print(f"created {index}")
    for alias, version in report.outdated.items():
        kind = alias.removeprefix(f"{get_settings().index_prefix}-")
        console.print(f"[yellow]{alias} is older than template v{version}: `es migrate {kind}`")


@es_app.command("status")
def es_status() -> None:
    """Document counts per alias, the index behind it, and the server's text analyzer."""
    from pipeline.index.templates import INDEX_KINDS, detect_capabilities
    from workers.resources import es_client

    settings = get_settings()
    es = es_client()
    table = Table("alias", "index", "documents")
    for kind in INDEX_KINDS:
        alias = settings.index_name(kind)
        try:
            index = ",".join(sorted(es.indices.get_alias(name=alias)))
            count = str(es.count(index=alias)["count"])
        except Exception as exc:
            index, count = "-", f"unavailable ({type(exc).__name__})"
        table.add_row(alias, index, count)
    console.print(table)
    try:
        capabilities = detect_capabilities(es)
    except Exception as exc:
        fail(f"Elasticsearch at {settings.es_url} is unavailable: {exc}")
        return
    if not capabilities.analysis_common:
        console.print(f"[yellow]note:[/] {MINIMAL_ANALYZER_NOTE}")


def _phase_bars(bar: Progress) -> Callable[[str, int, int | None], None]:
    """A migration progress callback drawing one bar per phase."""
    tasks: dict[str, TaskID] = {}

    def show(phase: str, done: int, total: int | None) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase, total=total)
        bar.update(tasks[phase], completed=done, total=total)

    return show


@es_app.command("migrate")
def es_migrate(
    kinds: Annotated[
        list[str] | None, typer.Argument(help="Index kinds (default: every kind)")
    ] = None,
    drop_old: Annotated[
        bool, typer.Option("--drop-old", help="Delete the previous index once the alias moved")
    ] = False,
    no_copy: Annotated[
        bool,
        typer.Option(
            "--no-copy",
            help="Swap onto an empty index (documents are rebuilt by `communique reprocess`)",
        ),
    ] = False,
) -> None:
    """Move each alias onto its current template version: copy, catch up, swap (no downtime)."""
    from pipeline.index.migrate import MigrationError, migrate_index
    from pipeline.index.templates import INDEX_KINDS
    from workers.resources import es_client

    settings = get_settings()
    unknown = sorted(set(kinds or ()) - set(INDEX_KINDS))
    if unknown:
        fail(f"unknown index kind {', '.join(unknown)} (known: {', '.join(INDEX_KINDS)})")
    for kind in kinds or INDEX_KINDS:
        with Progress(
            TextColumn(f"{kind} [progress.description]{{task.description}}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            try:
                report = migrate_index(
                    es_client(),
                    settings.config_dir,
                    settings.index_prefix,
                    kind,
                    progress=_phase_bars(bar),
                    drop_old=drop_old,
                    copy=not no_copy,
                )
            except MigrationError as exc:
                fail(f"{kind}: {exc}")
                return
        if report.up_to_date:
            console.print(f"{report.alias} → {report.target}: up to date")
        elif no_copy:
            console.print(
                f"{report.alias}: {report.source} → {report.target} (empty; rebuild with "
                "`communique reprocess`)"
            )
        else:
            console.print(
                f"{report.alias}: {report.source} → {report.target}; copied {report.copied}, "
                f"caught up {report.caught_up}, settled {report.settled}, "
                f"deleted {report.deleted}"
            )
        for index in report.dropped:
            console.print(f"dropped {index}")
        if not drop_old and not report.up_to_date:
            console.print(f"kept {report.source} (`communique es drop-old {kind}` removes it)")


@es_app.command("drop-old")
def es_drop_old(kind: Annotated[str, typer.Argument(help="Index kind")]) -> None:
    """Delete the versioned indices of KIND that its alias no longer points at."""
    from pipeline.index.migrate import drop_old_indices
    from pipeline.index.templates import INDEX_KINDS
    from workers.resources import es_client

    if kind not in INDEX_KINDS:
        fail(f"unknown index kind {kind} (known: {', '.join(INDEX_KINDS)})")
    dropped = drop_old_indices(es_client(), get_settings().index_prefix, kind)
    console.print("\n".join(f"dropped {i}" for i in dropped) or "nothing to drop")
