"""The runtime feed registry, dispatcher bookkeeping and host politeness on the real Redis."""

from __future__ import annotations

import time

import pytest
import redis

from pipeline.models import FeedSpec
from workers import feedstore
from workers.hosts import HostBusy, host_slot

pytestmark = pytest.mark.integration


def test_feedstore_add_pause_resume_remove(r: redis.Redis) -> None:
    feed = FeedSpec(id="a", url="https://a.example/rss", poll_interval_s=120)
    feedstore.add(r, feed)
    assert feedstore.get(r, "a") == feed
    assert feedstore.due(r) == ["a"]  # a new feed is due at once
    feedstore.set_enabled(r, "a", False)
    assert feedstore.due(r) == [] and feedstore.next_due(r, "a") is None
    feedstore.schedule(r, "a", time.time() - 1)  # a paused feed cannot be rescheduled
    assert feedstore.due(r) == []
    feedstore.set_enabled(r, "a", True)
    assert feedstore.due(r) == ["a"]
    assert feedstore.remove(r, "a") and feedstore.get(r, "a") is None


def test_feedstore_sync_keeps_runtime_pause(r: redis.Redis) -> None:
    feeds = [FeedSpec(id="a", url="https://a.example/rss"), FeedSpec(id="b", url="https://b/")]
    assert feedstore.sync_from_file(r, feeds) == (2, 0)
    feedstore.set_enabled(r, "a", False)
    changed = [FeedSpec(id="a", url="https://a.example/rss2"), feeds[1]]
    assert feedstore.sync_from_file(r, changed) == (0, 1)
    stored = feedstore.get(r, "a")
    assert stored is not None and stored.url == "https://a.example/rss2" and not stored.enabled


def test_feedstore_due_orders_by_time(r: redis.Redis) -> None:
    now = time.time()
    feedstore.add(r, FeedSpec(id="late", url="https://l/"), due_at=now + 3600)
    feedstore.add(r, FeedSpec(id="early", url="https://e/"), due_at=now - 5)
    assert feedstore.due(r, now=now) == ["early"]


def test_feedstore_claim_lets_one_dispatcher_take_a_due_feed(r: redis.Redis) -> None:
    now = time.time()
    feedstore.add(r, FeedSpec(id="a", url="https://a/"), due_at=now - 1)
    assert feedstore.claim(r, "a", now=now, until=now + 60)
    assert not feedstore.claim(r, "a", now=now, until=now + 60)  # already leased
    assert feedstore.next_due(r, "a") == pytest.approx(now + 60)
    assert not feedstore.claim(r, "gone", now=now, until=now + 60)


def test_feedstore_sync_marks_the_registry_seeded(r: redis.Redis) -> None:
    assert not feedstore.is_seeded(r)  # an empty Redis: the dispatcher must re-seed
    feedstore.sync_from_file(r, [FeedSpec(id="a", url="https://a/")])
    assert feedstore.is_seeded(r)


def test_host_slot_caps_concurrency_per_host(r: redis.Redis) -> None:
    url = "https://busy.example/feed"
    with host_slot(r, url, max_inflight=1, min_interval_s=0, lease_s=30):
        with (
            pytest.raises(HostBusy),
            host_slot(r, url, max_inflight=1, min_interval_s=0, lease_s=30),
        ):
            pass
        # another host is unaffected
        with host_slot(r, "https://other.example/", max_inflight=1, min_interval_s=0, lease_s=30):
            pass
    with host_slot(r, url, max_inflight=1, min_interval_s=0, lease_s=30):
        pass


def test_host_slot_enforces_minimum_gap(r: redis.Redis) -> None:
    url = "https://polite.example/a"
    with host_slot(r, url, max_inflight=5, min_interval_s=5, lease_s=30):
        pass
    with (
        pytest.raises(HostBusy) as info,
        host_slot(r, url, max_inflight=5, min_interval_s=5, lease_s=30),
    ):
        pass
    assert 0 < info.value.wait_s <= 5


def test_host_slot_of_a_dead_holder_expires_after_one_lease(r: redis.Redis) -> None:
    """A holder killed mid-request never releases; its lease ends on its own, however often
    others try meanwhile (a refreshed shared counter never expired: issue 7)."""
    url = "https://killed.example/a"
    dead = host_slot(r, url, max_inflight=1, min_interval_s=0, lease_s=1.0)
    dead.__enter__()  # entered and never exited: the process died holding the slot
    started = time.monotonic()
    while True:
        try:
            with host_slot(r, url, max_inflight=1, min_interval_s=0, lease_s=1.0):
                break
        except HostBusy as busy:
            assert busy.wait_s <= 1.0
            time.sleep(0.05)  # tries keep coming while the lease runs
    assert 0.8 <= time.monotonic() - started <= 2.0
