"""The tree stays ruff-clean: lint rules and formatting (pyproject.toml's [tool.ruff])."""

from __future__ import annotations

import subprocess
import sys

from tests.support import REPO_ROOT

TREES = ["pipeline", "workers", "tests", "benchmarks", "scripts"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *TREES],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_finds_nothing() -> None:
    done = _ruff("check", "--no-cache")
    assert done.returncode == 0, f"ruff check:\n{done.stdout}{done.stderr}"


def test_the_code_is_formatted() -> None:
    done = _ruff("format", "--check", "--no-cache")
    assert done.returncode == 0, f"ruff format --check (run `ruff format`):\n{done.stdout}"
