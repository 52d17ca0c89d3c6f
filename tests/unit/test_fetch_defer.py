"""``fetch_article`` deferred by a busy host carries the host's reservation in its message."""

from __future__ import annotations

import time
from typing import Any

import pytest

from workers.hosts import HostBusy, Reservation
from workers.tasks.fetch import _defer, fetch_article

PAYLOAD = {"url": "https://slow.example/a", "feed_id": "f", "title": "T", "published": None}


class Published:
    """Stands in for ``fetch_article.apply_async``: records each deferred message."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, *, args: tuple[Any, ...], kwargs: dict[str, Any], countdown: float) -> None:
        self.calls.append({"args": args, "kwargs": kwargs, "countdown": countdown})


class GivingUp:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def give_up(self, subject: str, payload: dict[str, Any], reason: str, error: str) -> Any:
        self.reasons.append(reason)
        return {"status": "dead_lettered", "reason": reason}


@pytest.fixture()
def published(monkeypatch: pytest.MonkeyPatch) -> Published:
    recorder = Published()
    monkeypatch.setattr(fetch_article, "apply_async", recorder)
    return recorder


def test_defer_carries_the_reservation_and_comes_back_exactly_at_its_slot(
    published: Published,
) -> None:
    busy = HostBusy("slow.example", 2.25, Reservation(1_000, 1_500))
    since = time.time() - 3
    result = _defer(GivingUp(), busy, PAYLOAD, since, 2)  # type: ignore[arg-type]
    (call,) = published.calls
    assert call["args"] == ("https://slow.example/a", "f")
    assert call["countdown"] == 2.25  # no random spread: the slot is its own
    assert call["kwargs"] == {"title": "T", "published": None, "deferred_since": since,
                              "deferrals": 3, "reservation": [1_000, 1_500]}  # fmt: skip
    assert result["reservation"] == [1_000, 1_500] and result["status"] == "deferred"


def test_defer_without_a_reservation_sends_none(published: Published) -> None:
    _defer(GivingUp(), HostBusy("slow.example", 0.5), PAYLOAD, None, 0)  # type: ignore[arg-type]
    (call,) = published.calls
    assert call["kwargs"]["reservation"] is None and call["countdown"] == 0.5
    assert call["kwargs"]["deferred_since"] > 0 and call["kwargs"]["deferrals"] == 1


def test_defer_past_the_host_wait_bound_dead_letters_and_publishes_nothing(
    published: Published,
) -> None:
    task = GivingUp()
    busy = HostBusy("slow.example", 1.0, Reservation(1_000, 1_500))
    result = _defer(task, busy, PAYLOAD, time.time() - 7200, 40)  # type: ignore[arg-type]
    assert result["reason"] == "host_busy" and task.reasons == ["host_busy"]
    assert published.calls == []


def test_reservation_message_round_trip() -> None:
    held = Reservation(123, 456)
    assert Reservation.from_message(held.to_message()) == held
    assert Reservation.from_message(None) is None
    assert Reservation.from_message([]) is None
    assert Reservation.from_message([1, 2, 3]) is None
