"""Kibana saved objects shipped in ``config/kibana/``: data views, searches, Lens, map, dashboard.

``{prefix}`` in the file becomes the configured index prefix, so a second deployment with
another prefix gets its own objects. Checked offline against the index templates
(``pipeline.index.kibana_check``) and imported through Kibana's saved-objects import API.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import httpx

from pipeline.index.kibana_check import check_saved_objects
from pipeline.index.kibana_fields import Problem, flatten_mapping, parse_ndjson
from pipeline.index.templates import INDEX_KINDS, Capabilities, alias_name, load_template


def render_saved_objects(config_dir: Path, prefix: str) -> bytes:
    """The ndjson body with the index prefix filled in."""
    text = (config_dir / "kibana" / "saved_objects.ndjson").read_text()
    return text.replace("{prefix}", prefix).encode()


def template_fields(config_dir: Path, prefix: str) -> dict[str, dict[str, str]]:
    """Data view id (the alias) → flattened field types of its index template."""
    capabilities = Capabilities()  # the analyzer does not change any field's type
    return {
        alias_name(prefix, kind): flatten_mapping(
            load_template(config_dir, kind, capabilities)["mappings"]["properties"]
        )
        for kind in INDEX_KINDS
    }


def check_rendered(config_dir: Path, prefix: str, body: bytes) -> list[Problem]:
    """Problems Kibana's import (or its rendering) would hit, checked against our templates."""
    objects, problems = parse_ndjson(body.decode())
    fields = template_fields(config_dir, prefix)
    return problems + check_saved_objects(objects, fields.get)


def import_saved_objects(
    kibana_url: str,
    body: bytes,
    *,
    auth_headers: dict[str, str] | None = None,
    verify: ssl.SSLContext | bool = True,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """POST the objects to Kibana (overwriting older copies); Kibana's JSON answer.

    ``auth_headers`` carry the Elasticsearch credentials (Kibana checks them against its
    cluster); ``verify`` is the TLS context for an https:// Kibana.
    """
    with httpx.Client(
        base_url=kibana_url, timeout=30, transport=transport, verify=verify
    ) as client:
        response = client.post(
            "/api/saved_objects/_import",
            params={"overwrite": "true"},
            headers={"kbn-xsrf": "communique", **(auth_headers or {})},
            files={"file": ("communique.ndjson", body, "application/ndjson")},
        )
        response.raise_for_status()
        return response.json()
