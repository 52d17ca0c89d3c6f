"""Index templates from ``config/elasticsearch/``: versioned indices behind aliases.

Readers and writers only ever use the alias (``<prefix>-articles``); the concrete index is
``<prefix>-articles-v<version>``, so a mapping change is "create v2, copy, swap the alias".
Optional server features are capabilities: the ``english`` analyzer is used only when the
``analysis-common`` module is installed (it is not in the minimal integ-test-zip server).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elasticsearch import BadRequestError

from pipeline.errors import ConfigError

INDEX_KINDS: tuple[str, ...] = ("articles", "mentions", "events", "deadletters", "feeds")


@dataclass(frozen=True)
class Capabilities:
    """Optional server modules that change how templates are rendered."""

    analysis_common: bool = False
    modules: frozenset[str] = frozenset()

    @property
    def text_analyzer(self) -> str:
        """The analyzer used on full-text fields."""
        return "english" if self.analysis_common else "standard"


@dataclass(frozen=True)
class SetupReport:
    """What ``apply_templates`` did, for the CLI and logs."""

    capabilities: Capabilities
    templates: tuple[str, ...] = ()
    created_indices: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    #: alias → template version its live index is older than (needs `es migrate`/reprocessing)
    outdated: dict[str, int] = field(default_factory=dict)


def alias_name(prefix: str, kind: str) -> str:
    """Alias that readers and writers use."""
    return f"{prefix}-{kind}"


def detect_capabilities(es: Any) -> Capabilities:
    """Ask the server which modules it has (``GET _nodes/plugins``)."""
    info = es.nodes.info(metric="plugins")
    modules: set[str] = set()
    for node in info.get("nodes", {}).values():
        modules.update(m["name"] for m in node.get("modules", []))
        modules.update(p["name"] for p in node.get("plugins", []))
    return Capabilities(analysis_common="analysis-common" in modules, modules=frozenset(modules))


def _render(node: Any, analyzer: str) -> Any:
    if isinstance(node, dict):
        return {k: _render(v, analyzer) for k, v in node.items() if k != "_comment"}
    if isinstance(node, list):
        return [_render(v, analyzer) for v in node]
    if node == "{{text_analyzer}}":
        return analyzer
    return node


def load_template(config_dir: Path, kind: str, capabilities: Capabilities) -> dict[str, Any]:
    """The rendered template body (``version``, ``settings``, ``mappings``) for ``kind``."""
    path = config_dir / "elasticsearch" / f"{kind}.json"
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read index template: {exc}", subject=str(path)) from exc
    for key in ("version", "settings", "mappings"):
        if key not in raw:
            raise ConfigError(f"index template lacks '{key}'", subject=str(path))
    rendered: dict[str, Any] = _render(copy.deepcopy(raw), capabilities.text_analyzer)
    return rendered


def put_template(
    es: Any, config_dir: Path, prefix: str, kind: str, capabilities: Capabilities
) -> dict[str, Any]:
    """Put ``kind``'s composable template (matching ``<alias>-v*``); the rendered body."""
    body = load_template(config_dir, kind, capabilities)
    version = int(body["version"])
    alias = alias_name(prefix, kind)
    es.indices.put_index_template(
        name=f"{alias}-template",
        index_patterns=[f"{alias}-v*"],
        template={"settings": body["settings"], "mappings": body["mappings"]},
        version=version,
        priority=100,
        meta={"managed_by": "communique", "text_analyzer": capabilities.text_analyzer},
    )
    return body


def index_version(index: str) -> int | None:
    """The template version in a concrete index name (``...-v3`` → 3)."""
    match = re.search(r"-v(\d+)$", index)
    return int(match.group(1)) if match else None


def apply_templates(
    es: Any, config_dir: Path, prefix: str, kinds: tuple[str, ...] = INDEX_KINDS
) -> SetupReport:
    """Put every composable template, create missing versioned indices and their aliases.

    Idempotent: an existing alias is left pointing where it points (a newer version is adopted
    by ``communique es migrate``, not by a worker restart). Kinds whose live index is older
    than the template are listed in ``pending_migrations``.
    """
    capabilities = detect_capabilities(es)
    templates: list[str] = []
    created: list[str] = []
    aliases: dict[str, str] = {}
    outdated: dict[str, int] = {}
    for kind in kinds:
        body = put_template(es, config_dir, prefix, kind, capabilities)
        version = int(body["version"])
        alias = alias_name(prefix, kind)
        templates.append(f"{alias}-template")
        if es.indices.exists_alias(name=alias):
            current = sorted(es.indices.get_alias(name=alias).keys())
            aliases[alias] = ",".join(current)
            if any((index_version(index) or 0) < version for index in current):
                # a new template version may change field types: the old index keeps its
                # mapping until `es migrate` copies it, instead of failing setup on a conflict
                outdated[alias] = version
                continue
            # additive mapping changes (new fields) reach live indices at once; a conflicting
            # change raises here and needs a new template version and `es migrate`
            es.indices.put_mapping(index=alias, properties=body["mappings"]["properties"])
            continue
        index = f"{alias}-v{version}"
        if _create_index(es, index, alias):
            created.append(index)
        else:
            es.indices.put_alias(index=index, name=alias, is_write_index=True)
        aliases[alias] = index
    return SetupReport(capabilities, tuple(templates), tuple(created), aliases, outdated)


def _create_index(es: Any, index: str, alias: str) -> bool:
    """Create ``index`` as the write index of ``alias``; False when it already exists.

    Every worker of ``communique run`` sets up at start, at the same moment: another may
    create the index between our check and our create, which is the same outcome.
    """
    if es.indices.exists(index=index):
        return False
    try:
        es.indices.create(index=index, aliases={alias: {"is_write_index": True}})
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise
        return False
    return True


def delete_prefix(es: Any, prefix: str) -> None:
    """Remove every index and template under ``prefix`` (test clean-up, `es reset`)."""
    for kind in INDEX_KINDS:
        alias = alias_name(prefix, kind)
        indices = es.indices.get(
            index=f"{alias}-v*", ignore_unavailable=True, allow_no_indices=True
        )
        for index in indices:
            es.indices.delete(index=index, ignore_unavailable=True)
        if es.indices.exists_index_template(name=f"{alias}-template"):
            es.indices.delete_index_template(name=f"{alias}-template")
