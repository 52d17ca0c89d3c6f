"""Feed registry validation and the beat schedule derived from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from workers.registry import load_feeds
from workers.schedules import beat_schedule
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


def test_beat_schedule_polls_each_enabled_feed_at_its_interval(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n"
        "  - {id: a, url: 'https://a.example/rss', poll_interval: 120}\n"
        "  - {id: b, url: 'https://b.example/rss', enabled: false}\n"
    )
    schedule = beat_schedule(Settings(feeds_file=path))
    assert schedule["poll:a"]["task"] == "communique.poll_feed"
    assert schedule["poll:a"]["schedule"] == 120.0
    assert schedule["poll:a"]["args"] == ("a",)
    assert "poll:b" not in schedule
    assert "communique-reconcile" in schedule


def test_beat_schedule_survives_a_broken_registry(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds: [ {id: 1")
    schedule = beat_schedule(Settings(feeds_file=path))
    assert list(schedule) == ["communique-reconcile"]
