"""`communique kibana-setup`: check, then import the saved objects of config/kibana into Kibana."""

from __future__ import annotations

from typing import Annotated

import typer

from workers.cli.common import console, err, fail
from workers.settings import get_settings


def kibana_setup(
    url: Annotated[str, typer.Option(help="Kibana base URL")] = "http://127.0.0.1:5601",
    check_only: Annotated[
        bool, typer.Option("--check-only", help="Check the objects against the templates only")
    ] = False,
) -> None:
    """Import communique's data views, searches, visualizations and dashboard into Kibana.

    Idempotent: objects keep their ids and overwrite older copies.
    """
    import httpx

    from workers.connections import http_auth_headers, tls_context
    from workers.kibana import check_rendered, import_saved_objects, render_saved_objects

    settings = get_settings()
    body = render_saved_objects(settings.config_dir, settings.index_prefix)
    problems = check_rendered(settings.config_dir, settings.index_prefix, body)
    for problem in problems:
        err.print(f"{problem}")
    if problems:
        fail(f"{len(problems)} problems in config/kibana; nothing imported")
    count = body.count(b"\n")
    if check_only:
        console.print(f"{count} saved objects checked against the index templates: no problems")
        return
    try:
        answer = import_saved_objects(
            url,
            body,
            auth_headers=http_auth_headers(settings),
            verify=tls_context(settings.es_ca_file),
        )
    except httpx.HTTPError as exc:
        fail(f"Kibana at {url} refused the import: {exc}")
        return
    errors = answer.get("errors") or []
    for error in errors:
        err.print(f"{error.get('type')} {error.get('id')}: {error.get('error')}")
    if errors or not answer.get("success", False):
        fail(f"Kibana imported {answer.get('successCount', 0)} of {count} objects")
    console.print(f"imported {answer.get('successCount', 0)} saved objects into {url}")
