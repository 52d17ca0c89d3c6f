"""pipeline/ stays mypy-clean under pyproject.toml's [tool.mypy] settings (strict)."""

from __future__ import annotations

from mypy import api

from tests.support import REPO_ROOT


def test_pipeline_is_mypy_clean() -> None:
    stdout, stderr, status = api.run(
        ["--config-file", str(REPO_ROOT / "pyproject.toml"), str(REPO_ROOT / "pipeline")]
    )
    assert status == 0, f"mypy found errors in pipeline/:\n{stdout}{stderr}"
    assert "Success: no issues found" in stdout
