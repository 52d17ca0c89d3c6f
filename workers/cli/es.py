"""`communique es`: index templates, aliases and document counts."""

from __future__ import annotations

import typer
from rich.table import Table

from workers.cli.common import console
from workers.resources import setup_indices
from workers.settings import get_settings

es_app = typer.Typer(help="Elasticsearch templates and indices.", no_args_is_help=True)


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
        console.print(f"[yellow]{alias} is older than template v{version}: migrate it[/yellow]")


@es_app.command("status")
def es_status() -> None:
    """Document counts per alias."""
    from pipeline.index.templates import INDEX_KINDS
    from workers.resources import es_client

    settings = get_settings()
    es = es_client()
    table = Table("alias", "documents")
    for kind in INDEX_KINDS:
        alias = settings.index_name(kind)
        try:
            count = es.count(index=alias)["count"]
        except Exception as exc:
            count = f"unavailable ({type(exc).__name__})"
        table.add_row(alias, str(count))
    console.print(table)
