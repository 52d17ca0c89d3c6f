"""`pipeline/` is a pure library: no Celery, Redis, workers, or environment reads."""

from __future__ import annotations

import ast
from pathlib import Path

from workers.settings import PROJECT_ROOT

FORBIDDEN_IMPORTS = ("celery", "kombu", "redis", "workers")


def _pipeline_files() -> list[Path]:
    return sorted((PROJECT_ROOT / "pipeline").rglob("*.py"))


def test_pipeline_never_imports_the_application_or_brokers() -> None:
    offenders = []
    for path in _pipeline_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN_IMPORTS:
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)} imports {name}")
    assert not offenders, offenders


def test_pipeline_never_reads_the_environment() -> None:
    offenders = []
    for path in _pipeline_files():
        source = path.read_text()
        for needle in ("os.environ", "os.getenv", "getenv("):
            if needle in source:
                offenders.append(f"{path.relative_to(PROJECT_ROOT)} uses {needle}")
    assert not offenders, offenders
