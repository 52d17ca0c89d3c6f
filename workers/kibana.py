"""Kibana saved objects shipped in ``config/kibana/``: data views and saved searches.

``{prefix}`` in the file becomes the configured index prefix, so a second deployment with
another prefix gets its own objects. Imported through Kibana's saved-objects import API.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import httpx


def render_saved_objects(config_dir: Path, prefix: str) -> bytes:
    """The ndjson body with the index prefix filled in."""
    text = (config_dir / "kibana" / "saved_objects.ndjson").read_text()
    return text.replace("{prefix}", prefix).encode()


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
