"""Adaptive poll intervals and OPML import/export (pure)."""

from __future__ import annotations

import random

import pytest

from pipeline.errors import ConfigError
from pipeline.models import FeedSpec
from pipeline.opml import parse_opml, to_opml
from pipeline.schedule import IntervalPolicy, next_interval

NO_JITTER = IntervalPolicy(jitter=0.0)


def test_next_interval_speeds_up_busy_feeds_within_bounds() -> None:
    interval = 300.0
    for _ in range(10):
        interval = next_interval(interval, base_s=300, new_entries=20, failures=0, policy=NO_JITTER)
    assert interval == NO_JITTER.min_s


def test_next_interval_backs_off_quiet_feeds_up_to_eight_times_base() -> None:
    interval = 300.0
    for _ in range(30):
        interval = next_interval(interval, base_s=300, new_entries=0, failures=0, policy=NO_JITTER)
    assert interval == 8 * 300


def test_next_interval_backs_off_failing_feeds_exponentially_to_the_cap() -> None:
    values = [
        next_interval(300, base_s=300, new_entries=0, failures=n, policy=NO_JITTER)
        for n in (1, 2, 3, 10)
    ]
    assert values[:3] == [600, 1200, 2400]
    assert values[3] == NO_JITTER.max_s


def test_next_interval_respects_retry_after_floor() -> None:
    value = next_interval(300, base_s=300, new_entries=0, failures=1, retry_after_s=5000,
                          policy=NO_JITTER)  # fmt: skip
    assert value == 5000


def test_next_interval_jitter_spreads_feeds() -> None:
    rng = random.Random(7)
    values = {next_interval(600, base_s=600, new_entries=2, failures=0, rng=rng) for _ in range(50)}
    assert len(values) > 10
    assert all(540 <= v <= 660 for v in values)


OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="World">
    <outline text="BBC World" type="rss" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
    <outline text="BBC World again" type="rss" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
    <outline text="Local file" type="rss" xmlUrl="file:///etc/passwd"/>
  </outline>
  <outline title="UN News" xmlUrl="https://news.un.org/feed/subscribe/en/news/all/rss.xml"/>
</body></opml>"""


def test_parse_opml_reads_nested_outlines_once_and_refuses_bad_schemes() -> None:
    feeds = parse_opml(OPML, existing_ids=["un-news"])
    assert [f.url for f in feeds] == [
        "https://feeds.bbci.co.uk/news/world/rss.xml",
        "https://news.un.org/feed/subscribe/en/news/all/rss.xml",
    ]
    assert feeds[0].id == "bbc-world"
    assert feeds[1].id == "un-news-2"  # unique against ids already registered


def test_parse_opml_refuses_entity_declarations() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>'
    with pytest.raises(ConfigError):
        parse_opml(bomb)
    with pytest.raises(ConfigError):
        parse_opml(b"<opml><body><outline")


def test_opml_round_trip() -> None:
    feeds = [FeedSpec(id="a", url="https://a.example/rss", publisher="A & B")]
    again = parse_opml(to_opml(feeds))
    assert [(f.url, f.publisher) for f in again] == [("https://a.example/rss", "A & B")]
