"""Ledger, dead letters and feed state against the real Redis."""

from __future__ import annotations

import pytest
import redis

from workers import deadletters, feedstate, ledger

pytestmark = pytest.mark.integration


def test_ledger_advances_only_when_marked(r: redis.Redis) -> None:
    assert ledger.unseen(r, "f", ["a", "b"]) == ["a", "b"]
    ledger.mark_seen(r, "f", "a", article_id="a_1", url="https://x/a")
    assert ledger.unseen(r, "f", ["a", "b"]) == ["b"]
    assert ledger.unseen(r, "f", ["a"]) == []  # what the poller asks: "a" is seen
    assert ledger.entries(r)["a_1"]["url"] == "https://x/a"
    # the same story from another feed keeps the first ledger record for the article
    ledger.mark_seen(r, "g", "a", article_id="a_1", url="https://x/a?utm=1")
    assert ledger.entries(r)["a_1"]["feed_id"] == "f"


def test_dead_letter_is_one_record_per_task_and_subject(r: redis.Redis) -> None:
    for attempt in (1, 2):
        deadletters.put(
            r, task="communique.fetch_article", subject="https://x/a", reason="no_text",
            error="empty", payload={"url": "https://x/a", "feed_id": "f"}, attempts=attempt,
        )  # fmt: skip
    records = deadletters.list_all(r)
    assert len(records) == 1
    assert records[0]["attempts"] == 2 and records[0]["reason"] == "no_text"
    deadletters.mark_resolved(r, records[0]["id"])
    assert deadletters.list_all(r) == []
    assert len(deadletters.list_all(r, include_resolved=True)) == 1


def test_feed_state_round_trips(r: redis.Redis) -> None:
    state = feedstate.load(r, "f")
    assert state.consecutive_failures == 0 and state.etag is None
    state.etag = '"abc"'
    state.consecutive_failures = 3
    feedstate.save(r, state)
    again = feedstate.load(r, "f")
    assert again.etag == '"abc"' and again.consecutive_failures == 3
    assert "etag" not in again.to_document()
