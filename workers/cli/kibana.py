"""`communique kibana-setup`: import the saved objects of config/kibana into Kibana."""

from __future__ import annotations

from typing import Annotated

import typer

from workers.cli.common import console, err, fail
from workers.settings import get_settings


def kibana_setup(
    url: Annotated[str, typer.Option(help="Kibana base URL")] = "http://127.0.0.1:5601",
) -> None:
    """Import communique's data views and saved searches into Kibana."""
    import httpx

    from workers.connections import http_auth_headers, tls_context
    from workers.kibana import import_saved_objects, render_saved_objects

    settings = get_settings()
    try:
        answer = import_saved_objects(
            url,
            render_saved_objects(settings.config_dir, settings.index_prefix),
            auth_headers=http_auth_headers(settings),
            verify=tls_context(settings.es_ca_file),
        )
    except httpx.HTTPError as exc:
        fail(f"Kibana at {url} refused the import: {exc}")
        return
    console.print(f"imported {answer.get('successCount', 0)} saved objects into {url}")
    for error in answer.get("errors", []):
        err.print(f"{error.get('id')}: {error.get('error')}")
