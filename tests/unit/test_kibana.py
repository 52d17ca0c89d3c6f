"""Kibana saved objects, checked without a Kibana (none can run here).

The shipped file must pass every offline check against our index templates; the checker must
accept Elastic's own exports (../shared/kibana-examples) and reject each kind of breakage; our
Lens, map and dashboard states must use only the keys real 8.x exports use; and the import
request must be what Kibana's saved-objects API expects, sent to a local HTTP server.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from typer.testing import CliRunner

from pipeline.index.kibana_check import check_saved_objects
from pipeline.index.kibana_fields import flatten_mapping, parse_ndjson
from pipeline.index.templates import INDEX_KINDS
from tests.support import require_shared
from workers.cli import app
from workers.kibana import check_rendered, render_saved_objects, template_fields
from workers.settings import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "config"
PREFIX = "acme"


def shipped() -> list[dict[str, Any]]:
    objects, problems = parse_ndjson(render_saved_objects(CONFIG, PREFIX).decode())
    assert problems == []
    return objects


def by_id(objects: list[dict[str, Any]], object_id: str) -> dict[str, Any]:
    return next(o for o in objects if o["id"] == object_id)


def problems_of(objects: list[dict[str, Any]]) -> list[str]:
    return [str(p) for p in check_saved_objects(objects, template_fields(CONFIG, PREFIX).get)]


# --- the shipped objects -------------------------------------------------------------------


def test_shipped_objects_pass_every_check_against_the_templates() -> None:
    body = render_saved_objects(CONFIG, PREFIX)
    assert b"{prefix}" not in body
    assert [str(p) for p in check_rendered(CONFIG, PREFIX, body)] == []


def test_shipped_objects_cover_every_index_and_the_dashboard() -> None:
    objects = shipped()
    views = {o["id"] for o in objects if o["type"] == "index-pattern"}
    assert views == {f"{PREFIX}-{kind}" for kind in INDEX_KINDS}
    formats = json.loads(by_id(objects, f"{PREFIX}-mentions")["attributes"]["fieldFormatMap"])
    assert formats["article_url"]["id"] == "url" and formats["evidence.text"]["id"] == "string"
    dashboard = by_id(objects, f"{PREFIX}-dashboard-overview")
    panel_types = sorted(r["type"] for r in dashboard["references"] if ":panel_" in r["name"])
    assert panel_types == ["lens"] * 9 + ["map", "search"]
    controls = json.loads(dashboard["attributes"]["controlGroupInput"]["panelsJSON"]).values()
    fields = {c["explicitInput"].get("fieldName") for c in controls}
    assert fields == {"type", "location.country", None}  # None: the time slider
    assert {c["type"] for c in controls} == {"optionsListControl", "timeSlider"}
    lens_titles = {o["attributes"]["title"] for o in objects if o["type"] == "lens"}
    assert {"Events over time by type", "Quad-class balance", "Feed health"} <= lens_titles


# --- the checker rejects each kind of breakage ----------------------------------------------


def _lens(objects: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return by_id(objects, f"{PREFIX}-lens-{key}")


def _layer(lens: dict[str, Any]) -> dict[str, Any]:
    layers = lens["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
    return next(iter(layers.values()))


def _terms_column(lens: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in _layer(lens)["columns"].values() if c["operationType"] == "terms")


def _edit_json_attr(obj: dict[str, Any], key: str, edit: Callable[[Any], None]) -> None:
    value = json.loads(obj["attributes"][key])
    edit(value)
    obj["attributes"][key] = json.dumps(value)


def _drop_view(objects: list[dict[str, Any]]) -> None:
    objects.remove(by_id(objects, f"{PREFIX}-feeds"))


def _undeclared_panel(objects: list[dict[str, Any]]) -> None:
    by_id(objects, f"{PREFIX}-dashboard-overview")["references"].pop(0)


def _aggregate_text(objects: list[dict[str, Any]]) -> None:
    _terms_column(_lens(objects, "top-persons"))["sourceField"] = "persons.name"


def _missing_field(objects: list[dict[str, Any]]) -> None:
    _terms_column(_lens(objects, "top-actors"))["sourceField"] = "actor"


def _column_order(objects: list[dict[str, Any]]) -> None:
    _layer(_lens(objects, "quad-classes"))["columnOrder"].pop()


def _accessor(objects: list[dict[str, Any]]) -> None:
    vis = _lens(objects, "events-over-time")["attributes"]["state"]["visualization"]
    vis["layers"][0]["xAccessor"] = "no-such-column"


def _geo_field(objects: list[dict[str, Any]]) -> None:
    def edit(layers: list[dict[str, Any]]) -> None:
        layers[1]["sourceDescriptor"]["geoField"] = "location.place.keyword"

    _edit_json_attr(by_id(objects, f"{PREFIX}-map-event-places"), "layerListJSON", edit)


def _overlap(objects: list[dict[str, Any]]) -> None:
    def edit(panels: list[dict[str, Any]]) -> None:
        panels[1]["gridData"]["x"] = 20

    _edit_json_attr(by_id(objects, f"{PREFIX}-dashboard-overview"), "panelsJSON", edit)


def _too_new(objects: list[dict[str, Any]]) -> None:
    _lens(objects, "top-feeds")["migrationVersion"] = {"lens": "8.9.0"}


def _control_on_text(objects: list[dict[str, Any]]) -> None:
    dashboard = by_id(objects, f"{PREFIX}-dashboard-overview")["attributes"]["controlGroupInput"]
    controls = json.loads(dashboard["panelsJSON"])
    next(iter(controls.values()))["explicitInput"]["fieldName"] = "evidence.text"
    dashboard["panelsJSON"] = json.dumps(controls)


def _no_title(objects: list[dict[str, Any]]) -> None:
    del by_id(objects, f"{PREFIX}-search-events")["attributes"]["title"]


def _histogram_on_keyword(objects: list[dict[str, Any]]) -> None:
    layer = _layer(_lens(objects, "events-over-time"))
    date = next(c for c in layer["columns"].values() if c["operationType"] == "date_histogram")
    date["sourceField"] = "type"


BREAKAGES = {
    "a referenced data view is missing": (_drop_view, "is not in the file"),
    "a panel reference is not declared": (_undeclared_panel, "is used but not declared"),
    "terms on a text field": (_aggregate_text, "'persons.name' must be aggregatable"),
    "a field absent from the template": (_missing_field, "'actor' must be aggregatable"),
    "columnOrder out of step": (_column_order, "columnOrder does not list exactly"),
    "an accessor to no column": (_accessor, "no-such-column missing from layer"),
    "a map on a keyword": (_geo_field, "must be a geo_point"),
    "overlapping panels": (_overlap, "overlap"),
    "a migration newer than 8.7": (_too_new, "newer than the target Kibana"),
    "a control on a text field": (_control_on_text, "'evidence.text' must be aggregatable"),
    "an object without a title": (_no_title, "attributes.title is required"),
    "a date histogram on a keyword": (_histogram_on_keyword, "'type' must be a date"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_checker_rejects(name: str) -> None:
    breakage, expected = BREAKAGES[name]
    objects = copy.deepcopy(shipped())
    breakage(objects)
    problems = problems_of(objects)
    assert any(expected in p for p in problems), problems


def test_checker_reports_lines_that_are_not_json() -> None:
    _, problems = parse_ndjson('{"type": "search"}\nnot json\n[1]\n')
    assert [p.object_id for p in problems] == ["line 2", "line 3"]


# --- Elastic's own exports: the checker accepts them; ours use only their keys ---------------


def example(name: str) -> list[dict[str, Any]]:
    objects, problems = parse_ndjson(require_shared("kibana-examples", name).read_text())
    assert problems == []
    return objects


def ecs_logs_fields() -> dict[str, str]:
    """Fields of logs-* from the example composable template and its ECS components."""
    templates = require_shared("kibana-examples", "templates")
    fields: dict[str, str] = {}
    for path in sorted(templates.glob("*.json")):
        mapping = json.loads(path.read_text())["template"]["mappings"]
        fields.update(flatten_mapping(mapping.get("properties", {})))
    return fields


def test_checker_accepts_elastics_own_exports() -> None:
    lens_87 = example("kibana-8.7.0-lens-missing-fields.ndjson")
    assert check_saved_objects(lens_87, lambda _: None, external_ids=frozenset({"metrics-*"})) == []
    ssh = example("system-ssh-logins-dashboard.ndjson")
    fields = {"logs-*": ecs_logs_fields()}
    found = check_saved_objects(
        ssh, fields.get, external_ids=frozenset({"logs-*"}), kibana_version="8.10.2"
    )
    assert [str(p) for p in found] == []
    nginx = example("nginx-overview-map.ndjson")
    external = frozenset(r["id"] for o in nginx for r in o["references"])
    assert check_saved_objects(nginx, lambda _: None, external_ids=external) == []


def _keys(node: Any, path: str = "") -> Iterator[str]:
    """Every key path in a JSON tree, with ids (uuids, column and layer ids) generalised."""
    if isinstance(node, dict):
        for key, value in node.items():
            generic = "*" if len(key) >= 20 and key.count("-") >= 4 else key
            yield f"{path}.{generic}"
            yield from _keys(value, f"{path}.{generic}")
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item, f"{path}[]")


def _lens_states(objects: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for obj in objects:
        if obj["type"] == "lens":
            yield obj["attributes"]["state"]
        if obj["type"] == "dashboard":
            for panel in json.loads(obj["attributes"]["panelsJSON"]):
                attributes = panel["embeddableConfig"].get("attributes", {})
                if panel["type"] == "lens" and attributes:
                    yield attributes["state"]


def test_lens_states_use_the_structure_of_real_exports() -> None:
    real = example("kibana-8.7.0-lens-missing-fields.ndjson")
    real += example("system-ssh-logins-dashboard.ndjson")
    known = {k for state in _lens_states(real) for k in _keys(state, "state")}
    # what every 8.x state has; datatable/pie visualizations are not in the examples, so only
    # the datasource part and the XY visualization are compared key by key
    ours = [s for s in _lens_states(shipped())]
    for state in ours:
        assert {"datasourceStates", "visualization", "query", "filters"} <= set(state)
    unknown = {
        key
        for state in ours
        for key in _keys(state, "state")
        if key.startswith("state.datasourceStates")
        and key not in known
        and ".params." not in key  # operation params differ per operation (terms, max, ...)
    }
    assert unknown == set()
    xy_keys = {k for s in ours if "preferredSeriesType" in s["visualization"] for k in _keys(s)}
    xy_unknown = {k for k in xy_keys if k.startswith(".visualization") and f"state{k}" not in known}
    assert xy_unknown == set()


def test_map_and_dashboard_use_the_structure_of_real_exports() -> None:
    nginx = example("nginx-overview-map.ndjson")
    real_map = next(o for o in nginx if o["type"] == "map")
    ours = shipped()
    our_map = by_id(ours, f"{PREFIX}-map-event-places")
    real_state = set(json.loads(real_map["attributes"]["mapStateJSON"]))
    assert set(json.loads(our_map["attributes"]["mapStateJSON"])) == real_state
    real_layers = json.loads(real_map["attributes"]["layerListJSON"])
    real_layer_keys = {key for layer in real_layers for key in layer}
    for layer in json.loads(our_map["attributes"]["layerListJSON"]):
        assert set(layer) <= real_layer_keys
    real_dashboard = next(o for o in nginx if o["type"] == "dashboard")
    real_panel_keys = {k for p in json.loads(real_dashboard["attributes"]["panelsJSON"]) for k in p}
    dashboard = by_id(ours, f"{PREFIX}-dashboard-overview")
    for panel in json.loads(dashboard["attributes"]["panelsJSON"]):
        assert set(panel) <= real_panel_keys
    assert set(dashboard) == set(real_dashboard) | {"references", "migrationVersion"}


# --- the import request, against a local server playing Kibana --------------------------------


class FakeKibana(BaseHTTPRequestHandler):
    """Answers POST /api/saved_objects/_import the way Kibana 8.7 does, recording requests."""

    received: list[dict[str, Any]]
    answer: dict[str, Any] | None = None

    def do_POST(self) -> None:
        url = urlparse(self.path)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
        )
        parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
        upload = parts.get("file")
        objects = [json.loads(line) for line in upload.get_payload(decode=True).splitlines()]
        self.received.append(
            {
                "path": url.path,
                "query": parse_qs(url.query),
                "xsrf": self.headers.get("kbn-xsrf"),
                "content_type": self.headers["Content-Type"],
                "filename": upload.get_filename(),
                "objects": objects,
            }
        )
        answer = self.answer or {
            "success": True,
            "successCount": len(objects),
            "successResults": [{"type": o["type"], "id": o["id"]} for o in objects],
        }
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture()
def kibana(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, type[FakeKibana]]]:
    handler = type("Handler", (FakeKibana,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("COMMUNIQUE_INDEX_PREFIX", PREFIX)
    from workers.settings import get_settings

    get_settings.cache_clear()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()
    get_settings.cache_clear()


def test_kibana_setup_posts_a_well_formed_import_twice(
    kibana: tuple[str, type[FakeKibana]],
) -> None:
    url, handler = kibana
    runner = CliRunner()
    for _ in range(2):  # idempotent: same ids, overwrite
        result = runner.invoke(app, ["kibana-setup", "--url", url])
        assert result.exit_code == 0, result.output
        assert "imported 22 saved objects" in result.output
    first, second = handler.received
    assert first["path"] == "/api/saved_objects/_import"
    assert first["query"] == {"overwrite": ["true"]}
    assert first["xsrf"] == "communique"
    assert first["content_type"].startswith("multipart/form-data; boundary=")
    assert first["filename"].endswith(".ndjson")
    assert first["objects"] == shipped() == second["objects"]


def test_kibana_setup_fails_clearly_when_kibana_reports_errors(
    kibana: tuple[str, type[FakeKibana]],
) -> None:
    url, handler = kibana
    handler.answer = {
        "success": False,
        "successCount": 21,
        "errors": [{"id": "x", "type": "lens", "error": {"type": "missing_references"}}],
    }
    result = CliRunner().invoke(app, ["kibana-setup", "--url", url])
    assert result.exit_code == 1
    assert "missing_references" in result.output
    assert "Traceback" not in result.output


def test_kibana_setup_without_kibana_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["kibana-setup", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "refused the import" in result.output


def test_docker_compose_one_shot_runs_kibana_setup_once_kibana_is_healthy() -> None:
    import yaml

    services = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())["services"]
    one_shot = services["kibana-setup"]
    assert one_shot["command"] == ["communique", "kibana-setup", "--url", "http://kibana:5601"]
    assert one_shot["depends_on"]["kibana"]["condition"] == "service_healthy"
    assert one_shot["restart"] == "no"
