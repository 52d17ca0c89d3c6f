"""Feed registry validation and the beat schedule derived from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from workers.registry import load_feeds
from workers.schedules import beat_schedule, registry_feeds
from workers.settings import PROJECT_ROOT, Settings


def test_load_feeds_shipped_registry_is_valid() -> None:
    feeds = load_feeds(PROJECT_ROOT / "config" / "feeds.yaml")
    assert len(feeds) >= 10
    assert len({f.id for f in feeds}) == len(feeds)
    assert all(f.url.startswith("https://") for f in feeds)


def test_load_feeds_names_the_bad_entry(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n  - id: ok\n    url: https://a.example/rss\n  - id: Bad Id\n    url: x\n"
    )
    with pytest.raises(ConfigError, match="feed #2"):
        load_feeds(path)


def test_load_feeds_rejects_duplicate_ids(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n  - {id: a, url: 'https://a.example/rss'}\n  - {id: a, url: 'https://b.example/'}\n"
    )
    with pytest.raises(ConfigError, match="duplicate"):
        load_feeds(path)


def test_beat_schedule_ticks_the_dispatcher_and_the_reconciler() -> None:
    schedule = beat_schedule(Settings(dispatch_every_s=7))
    assert schedule["communique-schedule-polls"]["task"] == "communique.schedule_polls"
    assert schedule["communique-schedule-polls"]["schedule"] == 7.0
    assert schedule["communique-reconcile"]["task"] == "communique.reconcile"


def test_registry_feeds_survive_a_broken_registry(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds: [ {id: 1")
    assert registry_feeds(Settings(feeds_file=path)) == []
