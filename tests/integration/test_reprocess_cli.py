"""Reprocessing progress in the real Redis, and the CLI's clear errors on bad input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from typer.testing import CliRunner

from workers.cli import app
from workers.resources import close_clients
from workers.settings import get_settings
from workers.state import progress

pytestmark = pytest.mark.integration


@pytest.fixture()
def cli_env(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, prefix: str, r: redis.Redis
) -> Iterator[None]:
    monkeypatch.setenv("COMMUNIQUE_REDIS_URL", redis_url)
    monkeypatch.setenv("COMMUNIQUE_INDEX_PREFIX", prefix)
    get_settings.cache_clear()  # clients are cached per URL: the new settings get their own
    yield
    get_settings.cache_clear()
    close_clients()


def test_progress_counts_outcomes_until_the_run_is_finished(r: redis.Redis) -> None:
    progress.start(r, "run1", "older_than_version=nlp-0.2.0")
    progress.record(r, "run1", "processed")  # an article can finish before the total is known
    assert not progress.read(r, "run1").finished  # type: ignore[union-attr]
    progress.set_total(r, "run1", 3)
    progress.record(r, "run1", "skipped")
    progress.record(r, "run1", "dead_letter")  # anything else counts as failed
    state = progress.read(r, "run1")
    assert state is not None and state.finished
    assert (state.total, state.processed, state.skipped, state.failed) == (3, 1, 1, 1)
    assert progress.read(r, "unknown") is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["reprocess"], "choose a selection"),
        (["reprocess", "--since", "2024-13-01"], "not an ISO date"),
        (["reprocess", "--since", "2024-03-01", "--until", "2024-02-01"], "is after"),
        (["reprocess", "status", "nope"], "no reprocess run"),
        (["delete-article", "a_missing"], "no article"),
    ],
)
def test_cli_bad_input_is_a_clear_error_not_a_traceback(
    cli_env: None, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_cli_status_shows_a_finished_run(cli_env: None, r: redis.Redis) -> None:
    progress.start(r, "run2", "ids=a_1")
    progress.set_total(r, "run2", 1)
    progress.record(r, "run2", "processed")
    result = CliRunner().invoke(app, ["reprocess", "status", "run2"])
    assert result.exit_code == 0 and "finished" in result.output
