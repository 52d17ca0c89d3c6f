"""Kibana saved objects: valid ndjson, references resolve, prefix substituted, import request."""

from __future__ import annotations

import json

import httpx

from pipeline.index.templates import INDEX_KINDS
from workers.kibana import import_saved_objects, render_saved_objects
from workers.settings import PROJECT_ROOT


def test_saved_objects_reference_only_shipped_data_views() -> None:
    objects = [
        json.loads(line)
        for line in render_saved_objects(PROJECT_ROOT / "config", "acme").decode().splitlines()
    ]
    views = {o["id"] for o in objects if o["type"] == "index-pattern"}
    assert views == {f"acme-{kind}" for kind in INDEX_KINDS}
    for obj in objects:
        for ref in obj["references"]:
            assert ref["id"] in views
    assert all("{prefix}" not in json.dumps(o) for o in objects)


def test_import_saved_objects_posts_multipart_with_xsrf_header() -> None:
    seen: dict[str, object] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["path"] = request.url.path
        seen["overwrite"] = request.url.params.get("overwrite")
        seen["xsrf"] = request.headers.get("kbn-xsrf")
        seen["body"] = request.read()
        return httpx.Response(200, json={"success": True, "successCount": 9})

    answer = import_saved_objects(
        "http://kibana.test", b'{"a": 1}\n', transport=httpx.MockTransport(handler)
    )
    assert answer["successCount"] == 9
    assert seen["path"] == "/api/saved_objects/_import"
    assert seen["overwrite"] == "true" and seen["xsrf"] == "communique"
    assert b'{"a": 1}' in seen["body"]  # type: ignore[operator]
