"""Shared parts of the Kibana saved-object checks: problems, mappings, references, fields.

See ``pipeline.index.kibana_check`` for what is checked and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

AGGREGATABLE = frozenset(
    {
        *("keyword", "constant_keyword", "wildcard", "date", "date_nanos", "boolean", "ip"),
        *("geo_point", "version", "long", "integer", "short", "byte", "double", "float"),
        *("half_float", "scaled_float", "unsigned_long"),
    }
)
NUMERIC = frozenset(
    {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float"}
    | {"unsigned_long"}
)
DATES = frozenset({"date", "date_nanos"})
GEO = frozenset({"geo_point", "geo_shape"})
RECORDS = "___records___"
NEED_WORDS = {
    "exists": "exist",
    "aggregatable": "be aggregatable",
    "numeric": "be numeric",
    "numeric_or_date": "be numeric or a date",
    "date": "be a date",
    "geo": "be a geo_point or geo_shape",
}


def flatten_mapping(properties: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"a.b": "keyword", "title.raw": "keyword", ...}`` from an index mapping's properties."""
    fields: dict[str, str] = {}
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        if "properties" in spec:
            fields.update(flatten_mapping(spec["properties"], f"{path}."))
            continue
        if spec.get("enabled") is False:
            continue
        fields[path] = spec.get("type", "object")
        for sub, sub_spec in (spec.get("fields") or {}).items():
            fields[f"{path}.{sub}"] = sub_spec.get("type", "object")
    return fields


@dataclass(frozen=True)
class Problem:
    """One thing Kibana would reject or render wrong."""

    object_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.object_id}: {self.message}"


def parse_ndjson(text: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Objects, and a problem per line that is not a JSON object."""
    objects: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            problems.append(Problem(f"line {number}", f"not JSON: {exc}"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(f"line {number}", "not a JSON object"))
            continue
        objects.append(obj)
    return objects, problems


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def json_attribute(obj: dict[str, Any], key: str, problems: list[Problem]) -> Any:
    raw = obj.get("attributes", {}).get(key)
    if not isinstance(raw, str):
        problems.append(Problem(obj.get("id", "?"), f"attributes.{key} must be a JSON string"))
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        problems.append(Problem(obj["id"], f"attributes.{key} is not JSON: {exc}"))
        return None


class CheckContext:
    """State shared by the per-type checks of one file."""

    def __init__(
        self,
        objects: list[dict[str, Any]],
        fields_of: Callable[[str], dict[str, str] | None],
        external_ids: frozenset[str],
        kibana_version: str,
    ) -> None:
        self.objects = objects
        self.fields_of = fields_of
        self.external_ids = external_ids
        self.kibana_version = version_tuple(kibana_version)
        self.problems: list[Problem] = []
        self.ids = {(o.get("type"), o.get("id")) for o in objects}

    def add(self, object_id: str, message: str) -> None:
        self.problems.append(Problem(object_id, message))

    def field(self, oid: str, view_id: str | None, field: str, need: str, where: str) -> None:
        """Check that ``field`` exists in the data view's mapping with the ``need``ed type."""
        if view_id is None:
            self.add(oid, f"{where}: no data view for field {field!r}")
            return
        fields = self.fields_of(view_id)
        if fields is None:
            return  # an external data view (not shipped, not checkable)
        kind = fields.get(field)
        ok = {
            "exists": kind is not None,
            "aggregatable": kind in AGGREGATABLE,
            "numeric": kind in NUMERIC,
            "numeric_or_date": kind in NUMERIC | DATES,
            "date": kind in DATES,
            "geo": kind in GEO,
        }[need]
        if not ok:
            found = f"type {kind}" if kind else "absent"
            wanted = NEED_WORDS.get(need, need)
            self.add(oid, f"{where}: field {field!r} must {wanted} in {view_id} ({found})")


def declared_references(
    ctx: CheckContext, obj: dict[str, Any], used_names: set[str]
) -> dict[str, str]:
    """Reference name → id; unresolved ids and undeclared names become problems."""
    oid = obj["id"]
    declared: dict[str, str] = {}
    for ref in obj.get("references", []):
        if not {"name", "type", "id"} <= set(ref):
            ctx.add(oid, f"reference {ref} lacks name, type or id")
            continue
        declared[ref["name"]] = ref["id"]
        if (ref["type"], ref["id"]) not in ctx.ids and ref["id"] not in ctx.external_ids:
            ctx.add(oid, f"reference {ref['name']} → {ref['type']} {ref['id']} is not in the file")
    for name in sorted(used_names - set(declared)):
        ctx.add(oid, f"reference name {name!r} is used but not declared")
    return declared


def filter_reference_names(filters: list[dict[str, Any]], prefix: str) -> Iterator[tuple[str, str]]:
    """(reference name, field) of each filter stored by reference."""
    for number, flt in enumerate(filters or []):
        meta = flt.get("meta", {})
        name = meta.get("indexRefName") or (f"{prefix}[{number}].meta.index" if prefix else None)
        yield name or meta.get("index", ""), meta.get("key", "")
