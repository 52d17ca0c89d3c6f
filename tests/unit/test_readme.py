"""The README's configuration table is the code's (no drift)."""

from __future__ import annotations

from typer.testing import CliRunner

from workers.cli import app
from workers.settings import PROJECT_ROOT


def test_readme_configuration_table_matches_settings() -> None:
    result = CliRunner().invoke(app, ["config", "--markdown"])
    assert result.exit_code == 0
    readme = (PROJECT_ROOT / "README.md").read_text()
    for line in result.stdout.strip().splitlines():
        assert line in readme, f"README lacks: {line}"


def test_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
