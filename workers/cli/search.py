"""`communique search`: full-text search over the indices."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from workers.cli.common import console
from workers.settings import get_settings


def search(
    text: Annotated[str, typer.Argument(help="Full-text query")],
    kind: Annotated[str, typer.Option(help="articles or events")] = "articles",
    size: Annotated[int, typer.Option(help="Hits to show")] = 10,
) -> None:
    """Search articles or events by full text."""
    from workers.resources import es_client

    settings = get_settings()
    fields = ["title^2", "text"] if kind == "articles" else ["evidence.text", "occasion"]
    response = es_client().search(
        index=settings.index_name(kind),
        query={"simple_query_string": {"query": text, "fields": fields}},
        size=size,
    )
    table = Table("id", "title / type", "published / date")
    for hit in response["hits"]["hits"]:
        src = hit["_source"]
        label = src.get("title") if kind == "articles" else f"{src.get('type')} {src.get('actors')}"
        when = src.get("published") if kind == "articles" else src.get("date")
        table.add_row(hit["_id"], str(label)[:80], str(when))
    console.print(table)
    console.print(f"{response['hits']['total']['value']} hits")
