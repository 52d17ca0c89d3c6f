"""Structural checks of Kibana saved objects, without a Kibana.

Kibana cannot run on the machines that build communique, so ``communique kibana-setup`` (and
the tests) check what can be checked offline before importing:

* every line parses and carries what the import API requires (``type``, ``id``, ``attributes``
  with a ``title``, ``references``, a migration version not newer than the target Kibana);
* every reference resolves to an object in the file (or to an allowed external id), and every
  reference *name* used inside an object (Lens layers, map layers, dashboard panels, controls,
  search sources, filters) is declared in its ``references``;
* Lens, map and dashboard states have the shape Kibana 8.x exports (``formBased`` layers whose
  ``columnOrder`` matches their columns, visualization accessors naming existing columns, grid
  panels inside the 48 columns and not overlapping, ...);
* every field a data view, search, Lens column, map layer or control uses exists in the index
  mapping behind its data view, with a compatible type (aggregatable where aggregated, a date
  where a date histogram runs, a ``geo_point`` under a map layer).

What this cannot see: whether Kibana renders the panels as intended, KQL query semantics, and
migrations Kibana runs on import.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from pipeline.index.kibana_fields import (
    RECORDS,
    CheckContext,
    Problem,
    declared_references,
    filter_reference_names,
    json_attribute,
    version_tuple,
)

#: Lens operation → what its source field must be
OPERATION_NEEDS = {
    "date_histogram": "date",
    "terms": "aggregatable",
    "range": "numeric",
    "unique_count": "aggregatable",
    "max": "numeric_or_date",
    "min": "numeric_or_date",
    "average": "numeric",
    "sum": "numeric",
    "median": "numeric",
    "percentile": "numeric",
    "standard_deviation": "numeric",
    "last_value": "exists",
    "count": "exists",
}


def _check_common(ctx: CheckContext, obj: dict[str, Any]) -> bool:
    oid = str(obj.get("id", "?"))
    missing = [k for k in ("type", "id", "attributes", "references") if k not in obj]
    if missing:
        ctx.add(oid, f"lacks {', '.join(missing)}")
        return False
    if not isinstance(obj["attributes"], dict) or not obj["attributes"].get("title"):
        ctx.add(oid, "attributes.title is required")
    versions = dict(obj.get("migrationVersion") or {})
    if obj.get("typeMigrationVersion"):
        versions[obj["type"]] = obj["typeMigrationVersion"]
    if obj["type"] not in versions:
        ctx.add(oid, "no migrationVersion for its type (Kibana would run every migration)")
    for kind, version in versions.items():
        if version_tuple(version) > ctx.kibana_version:
            ctx.add(oid, f"{kind} migration version {version} is newer than the target Kibana")
    return True


def _check_index_pattern(ctx: CheckContext, obj: dict[str, Any]) -> None:
    attrs, oid = obj["attributes"], obj["id"]
    if ctx.fields_of(oid) is None and oid not in ctx.external_ids:
        ctx.add(oid, "no index mapping is known for this data view")
    if attrs.get("timeFieldName"):
        ctx.field(oid, oid, attrs["timeFieldName"], "date", "timeFieldName")
    formats = (
        json_attribute(obj, "fieldFormatMap", ctx.problems) if "fieldFormatMap" in attrs else {}
    )
    for field, spec in (formats or {}).items():
        ctx.field(oid, oid, field, "exists", "fieldFormatMap")
        if not isinstance(spec, dict) or "id" not in spec:
            ctx.add(oid, f"fieldFormatMap[{field}] needs an id")
    declared_references(ctx, obj, set())


def _search_source(ctx: CheckContext, obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj["attributes"].get("kibanaSavedObjectMeta") or {}
    raw = meta.get("searchSourceJSON", "{}")
    try:
        return json.loads(raw)
    except ValueError as exc:
        ctx.add(obj["id"], f"searchSourceJSON is not JSON: {exc}")
        return {}


def _check_search(ctx: CheckContext, obj: dict[str, Any]) -> None:
    oid, attrs = obj["id"], obj["attributes"]
    source = _search_source(ctx, obj)
    used = {source["indexRefName"]} if "indexRefName" in source else set()
    filters = list(filter_reference_names(source.get("filter", []), ""))
    used |= {name for name, _ in filters if name}
    refs = declared_references(ctx, obj, used)
    view = refs.get(source.get("indexRefName", ""))
    if not isinstance(attrs.get("columns"), list):
        ctx.add(oid, "attributes.columns must be a list")
    for column in attrs.get("columns") or []:
        if column != "_source":
            ctx.field(oid, view, column, "exists", "column")
    for sort in attrs.get("sort") or []:
        ctx.field(oid, view, sort[0], "aggregatable", "sort")
    for name, key in filters:
        if key:
            ctx.field(oid, refs.get(name), key, "exists", "filter")


def _check_dashboard_references(ctx: CheckContext, obj: dict[str, Any], panels: list[Any]) -> None:
    used: set[str] = set()
    for panel in panels:
        if "panelRefName" in panel:
            used.add(f"{panel['panelIndex']}:{panel['panelRefName']}")
    controls = obj["attributes"].get("controlGroupInput")
    if controls:
        for cid, control in json.loads(controls.get("panelsJSON", "{}")).items():
            if control.get("type") == "optionsListControl":
                used.add(f"controlGroup_{cid}:optionsListDataView")
            elif control.get("type") == "rangeSliderControl":
                used.add(f"controlGroup_{cid}:rangeSliderDataView")
    source = _search_source(ctx, obj)
    filters = list(
        filter_reference_names(
            source.get("filter", []), "kibanaSavedObjectMeta.searchSourceJSON.filter"
        )
    )
    used |= {name for name, _ in filters if name}
    refs = declared_references(ctx, obj, used)
    for name, key in filters:
        if key:
            ctx.field(obj["id"], refs.get(name), key, "exists", "dashboard filter")
    if controls:
        for cid, control in json.loads(controls.get("panelsJSON", "{}")).items():
            field = control.get("explicitInput", {}).get("fieldName")
            if field:
                view = refs.get(f"controlGroup_{cid}:optionsListDataView") or refs.get(
                    f"controlGroup_{cid}:rangeSliderDataView"
                )
                ctx.field(obj["id"], view, field, "aggregatable", f"control {cid}")


def _check_grid(ctx: CheckContext, oid: str, panels: list[dict[str, Any]]) -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in panels:
        grid = panel.get("gridData") or {}
        if not {"x", "y", "w", "h", "i"} <= set(grid):
            ctx.add(oid, f"panel {panel.get('panelIndex')} gridData needs x, y, w, h, i")
            continue
        if grid["x"] < 0 or grid["x"] + grid["w"] > 48:
            ctx.add(oid, f"panel {grid['i']} leaves the 48-column grid")
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                if (x, y) in cells:
                    ctx.add(oid, f"panels {cells[(x, y)]} and {grid['i']} overlap")
                    return
                cells[(x, y)] = grid["i"]


def _by_value_object(
    dashboard: dict[str, Any], panel: dict[str, Any], embedded: dict[str, Any]
) -> dict[str, Any]:
    """A by-value panel as an object; Kibana keeps its references on the dashboard, prefixed
    with ``<panelIndex>:`` (exports may also repeat them inside the panel)."""
    prefix = f"{panel['panelIndex']}:"
    references = list(embedded.get("references") or [])
    for ref in dashboard["references"]:
        if ref.get("name", "").startswith(prefix):
            references.append({**ref, "name": ref["name"].removeprefix(prefix)})
    return {
        "type": panel["type"],
        "id": f"{dashboard['id']}/{panel['panelIndex']}",
        "attributes": embedded,
        "references": references,
    }


def _check_dashboard(ctx: CheckContext, obj: dict[str, Any]) -> None:
    oid = obj["id"]
    panels = json_attribute(obj, "panelsJSON", ctx.problems)
    if not isinstance(panels, list):
        ctx.add(oid, "panelsJSON must be a list")
        return
    json_attribute(obj, "optionsJSON", ctx.problems)
    for panel in panels:
        missing = {"panelIndex", "gridData", "type", "embeddableConfig"} - set(panel)
        if missing:
            ctx.add(oid, f"panel {panel.get('panelIndex')} lacks {', '.join(sorted(missing))}")
            continue
        embedded = panel["embeddableConfig"].get("attributes")
        check = BY_VALUE_CHECKS.get(panel["type"])
        if "panelRefName" not in panel and embedded is not None and check:
            check(ctx, _by_value_object(obj, panel, embedded))
    _check_grid(ctx, oid, panels)
    _check_dashboard_references(ctx, obj, panels)


LENS_VISUALIZATION_ACCESSORS = {
    "lnsXY": ("xAccessor", "splitAccessor", "accessors"),
    "lnsPie": ("primaryGroups", "secondaryGroups", "metrics"),
    "lnsDatatable": ("columns",),
    "lnsTagcloud": ("tagAccessor", "valueAccessor"),
    "lnsMetric": ("metricAccessor", "breakdownByAccessor"),
}


def _accessors(visualization: dict[str, Any], vis_type: str) -> Iterator[tuple[str, str]]:
    """(layer id, column id) of every column a Lens visualization names."""
    layers = visualization.get("layers", [visualization])
    for layer in layers:
        if layer.get("layerType", "data") != "data":
            continue
        for key in LENS_VISUALIZATION_ACCESSORS.get(vis_type, ()):
            value = layer.get(key)
            values = value if isinstance(value, list) else [value] if value else []
            for item in values:
                yield layer.get("layerId", ""), item["columnId"] if isinstance(item, dict) else item


def _check_lens_column(
    ctx: CheckContext, oid: str, view: str | None, cid: str, column: dict[str, Any], ids: set[str]
) -> None:
    missing = {"label", "dataType", "operationType", "isBucketed"} - set(column)
    if missing:
        ctx.add(oid, f"column {cid} lacks {', '.join(sorted(missing))}")
        return
    operation = column["operationType"]
    field = column.get("sourceField")
    need = OPERATION_NEEDS.get(operation)
    if need and not field:
        ctx.add(oid, f"column {cid} ({operation}) needs a sourceField")
    elif need and field != RECORDS:
        ctx.field(oid, view, field, need, f"{operation} column {cid}")
    params = column.get("params") or {}
    order = (params.get("orderBy") or {}).get("columnId")
    if order and order not in ids:
        ctx.add(oid, f"column {cid} is ordered by unknown column {order}")
    if params.get("sortField"):
        ctx.field(oid, view, params["sortField"], "date", f"column {cid} sortField")


def _check_lens(ctx: CheckContext, obj: dict[str, Any]) -> None:
    oid, attrs = obj["id"], obj["attributes"]
    state = attrs.get("state") or {}
    missing = {"datasourceStates", "visualization", "query", "filters"} - set(state)
    if missing or not attrs.get("visualizationType"):
        ctx.add(oid, f"Lens state lacks {', '.join(sorted(missing)) or 'visualizationType'}")
        return
    layers = state["datasourceStates"].get("formBased", {}).get("layers")
    if not isinstance(layers, dict) or not layers:
        ctx.add(oid, "Lens 8.6+ keeps its layers under datasourceStates.formBased.layers")
        return
    used = {f"indexpattern-datasource-layer-{layer}" for layer in layers}
    filters = list(filter_reference_names(state.get("filters", []), ""))
    used |= {name for name, _ in filters if name}
    refs = declared_references(ctx, obj, used)
    for layer_id, layer in layers.items():
        view = refs.get(f"indexpattern-datasource-layer-{layer_id}")
        columns = layer.get("columns") or {}
        if set(layer.get("columnOrder", [])) != set(columns):
            ctx.add(oid, f"layer {layer_id}: columnOrder does not list exactly its columns")
        for cid, column in columns.items():
            _check_lens_column(ctx, oid, view, cid, column, set(columns))
    for layer_id, cid in _accessors(state["visualization"], attrs["visualizationType"]):
        if layer_id not in layers or cid not in layers[layer_id].get("columns", {}):
            ctx.add(oid, f"visualization names column {cid} missing from layer {layer_id}")
    for name, key in filters:
        if key:
            ctx.field(oid, refs.get(name), key, "exists", "Lens filter")


#: 8.x layer types; VECTOR, VECTOR_TILE and TILE are the names before 8.1 (renamed on import)
MAP_LAYER_TYPES = frozenset(
    {"EMS_VECTOR_TILE", "GEOJSON_VECTOR", "MVT_VECTOR", "HEATMAP", "BLENDED_VECTOR"}
    | {"RASTER_TILE", "LAYER_GROUP", "VECTOR", "VECTOR_TILE", "TILE"}
)


def _style_fields(style: dict[str, Any]) -> Iterator[str]:
    for prop in (style.get("properties") or {}).values():
        field = ((prop or {}).get("options") or {}).get("field") or {}
        if field.get("origin") == "source" and field.get("name") != "doc_count":
            yield field["name"]


def _check_map(ctx: CheckContext, obj: dict[str, Any]) -> None:
    oid = obj["id"]
    layers = json_attribute(obj, "layerListJSON", ctx.problems)
    json_attribute(obj, "mapStateJSON", ctx.problems)
    if not isinstance(layers, list):
        return
    used = {
        layer.get("sourceDescriptor", {}).get("indexPatternRefName")
        for layer in layers
        if layer.get("sourceDescriptor", {}).get("indexPatternRefName")
    }
    refs = declared_references(ctx, obj, used)
    for layer in layers:
        source = layer.get("sourceDescriptor") or {}
        if layer.get("type") not in MAP_LAYER_TYPES or "id" not in layer or "type" not in source:
            ctx.add(oid, f"map layer {layer.get('id')} has no known type or no sourceDescriptor")
            continue
        view = refs.get(source.get("indexPatternRefName", ""))
        if source.get("geoField"):
            ctx.field(oid, view, source["geoField"], "geo", f"map layer {layer['id']} geoField")
        for field in source.get("tooltipProperties") or []:
            ctx.field(oid, view, field, "exists", f"map layer {layer['id']} tooltip")
        if source.get("sortField"):
            ctx.field(oid, view, source["sortField"], "aggregatable", "map sortField")
        for field in _style_fields(layer.get("style") or {}):
            ctx.field(oid, view, field, "aggregatable", f"map layer {layer['id']} style")


#: panel types whose by-value state is checked like the saved object of the same type
BY_VALUE_CHECKS: dict[str, Callable[[CheckContext, dict[str, Any]], None]] = {
    "lens": _check_lens,
    "map": _check_map,
    "search": _check_search,
}


def check_saved_objects(
    objects: list[dict[str, Any]],
    fields_of: Callable[[str], dict[str, str] | None],
    *,
    external_ids: frozenset[str] = frozenset(),
    kibana_version: str = "8.7.0",
) -> list[Problem]:
    """Every problem found in ``objects`` (empty when the file is importable as far as we know).

    ``fields_of(data_view_id)`` gives the flattened mapping behind a data view (None: unknown,
    not checked); ``external_ids`` may be referenced without being in the file.
    """
    ctx = CheckContext(objects, fields_of, external_ids, kibana_version)
    checks: dict[str, Callable[[CheckContext, dict[str, Any]], None]] = {
        "index-pattern": _check_index_pattern,
        "search": _check_search,
        "lens": _check_lens,
        "map": _check_map,
        "dashboard": _check_dashboard,
    }
    seen: set[tuple[str, str]] = set()
    for obj in objects:
        if not _check_common(ctx, obj):
            continue
        key = (obj["type"], obj["id"])
        if key in seen:
            ctx.add(obj["id"], "duplicate type and id")
        seen.add(key)
        check = checks.get(obj["type"])
        if check is None:
            ctx.add(obj["id"], f"type {obj['type']} is not checked by this tool")
            continue
        check(ctx, obj)
    return ctx.problems
