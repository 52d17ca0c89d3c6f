"""The ``communique`` command line (typer + rich: typed options, readable tables, progress).

One module per command group; this package only assembles them. ``communique run`` is the main
job: local Redis and Elasticsearch if missing, index templates, then a Celery worker on every
queue and beat on ``config/feeds.yaml`` until Ctrl-C.
"""

from __future__ import annotations

import typer

from workers.cli.config import show_config
from workers.cli.deadletters import deadletters_app
from workers.cli.es import es_app
from workers.cli.extract import extract
from workers.cli.feeds import feeds_app
from workers.cli.kibana import kibana_setup
from workers.cli.operations import delete_article, poll, reconcile
from workers.cli.reprocess import reprocess_app
from workers.cli.run import run
from workers.cli.search import search
from workers.cli.services import services_app

app = typer.Typer(
    name="communique",
    help="Diplomatic events from news feeds: ingestion worker, extraction and operations.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(services_app, name="services")
app.add_typer(es_app, name="es")
app.add_typer(deadletters_app, name="deadletters")
app.add_typer(feeds_app, name="feeds")
app.add_typer(reprocess_app, name="reprocess")
app.command()(run)
app.command()(poll)
app.command()(reconcile)
app.command("delete-article")(delete_article)
app.command()(search)
app.command("config")(show_config)
app.command("kibana-setup")(kibana_setup)
app.command("extract")(extract)


def main() -> None:
    """Console-script entry point."""
    app()
