"""`communique services`: local Redis and Elasticsearch without Docker."""

from __future__ import annotations

import typer
from rich.table import Table

from workers.cli.common import console, fail
from workers.settings import get_settings

services_app = typer.Typer(
    help="Local Redis and Elasticsearch without Docker.", no_args_is_help=True
)


@services_app.command("up")
def services_up() -> None:
    """Start Redis and Elasticsearch unless they already answer (idempotent)."""
    from workers import services

    try:
        for line in services.up(get_settings()):
            console.print(line)
    except services.ServiceError as exc:
        fail(str(exc))


@services_app.command("down")
def services_down() -> None:
    """Stop the services that `services up` started."""
    from workers import services

    for line in services.down(get_settings()):
        console.print(line)


@services_app.command("status")
def services_status() -> None:
    """Say what runs where."""
    from workers import services

    table = Table("service", "address", "state")
    rows = services.status(get_settings())
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if any(state == "down" for _, _, state in rows):
        raise typer.Exit(1)
