"""FIFO per-host politeness by reservations (``workers.hosts``) on the real Redis.

Its own Redis db and host names, and only its own keys are removed: other test sessions on the
same server flush db 13 whenever they start.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
import redis

from tests.integration.stack import REDIS_BASE
from workers.hosts import LATE_FRACTION, HostBusy, Reservation, host_slot

pytestmark = pytest.mark.integration

HOSTS_REDIS_DB = 9
GAP_S = 0.3
LATE_S = GAP_S * LATE_FRACTION


@pytest.fixture()
def hr() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(f"{REDIS_BASE}/{HOSTS_REDIS_DB}", decode_responses=True)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_BASE} is not available ({exc}); `communique services up`")
    yield client
    client.close()


@pytest.fixture()
def url(hr: redis.Redis) -> Iterator[str]:
    """A host no other test touches; its keys are deleted afterwards."""
    host = f"fair-{uuid.uuid4().hex[:10]}.example"
    yield f"https://{host}/page"
    for key in hr.scan_iter(f"communique:host:{host}:*"):
        hr.delete(key)


def _redis_now(r: redis.Redis) -> float:
    seconds, micros = r.time()
    return float(seconds) + micros / 1e6


def _try(
    r: redis.Redis,
    url: str,
    *,
    reservation: Reservation | None = None,
    reserve: bool = True,
    cap: int = 5,
) -> HostBusy | None:
    """One request: None when it passed (its lease released at once), else its HostBusy."""
    try:
        with host_slot(r, url, max_inflight=cap, min_interval_s=GAP_S, lease_s=30,
                       reservation=reservation, reserve=reserve):  # fmt: skip
            return None
    except HostBusy as busy:
        return busy


def _reserve(r: redis.Redis, url: str, cap: int = 5) -> HostBusy:
    busy = _try(r, url, cap=cap)
    assert busy is not None and busy.reservation is not None, busy
    return busy


def test_a_burst_is_granted_in_arrival_order_one_gap_apart(hr: redis.Redis, url: str) -> None:
    """Six requests at once: the first passes, the others reserve consecutive slots; coming
    back in REVERSE order, each still passes only at its own slot, so the grants follow the
    order of arrival, a gap apart."""
    assert _try(hr, url) is None
    arrivals = [_reserve(hr, url) for _ in range(5)]
    slots = [b.reservation.slot_ms for b in arrivals if b.reservation]
    assert [b - a for a, b in pairwise(slots)] == [int(GAP_S * 1000)] * 4
    assert [b.wait_s for b in arrivals] == sorted(b.wait_s for b in arrivals)
    granted: list[tuple[float, int]] = []
    lock = threading.Lock()

    def holder(n: int, busy: HostBusy) -> None:
        reservation = busy.reservation
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # early arrivals are told the rest of their wait
            answer = _try(hr, url, reservation=reservation)
            if answer is None:
                with lock:
                    granted.append((_redis_now(hr), n))
                return
            assert answer.reservation is not None  # never loses its slot on time
            reservation = answer.reservation
            time.sleep(answer.wait_s)

    threads = [threading.Thread(target=holder, args=(n, b)) for n, b in enumerate(arrivals)]
    for thread in reversed(threads):  # the last to arrive tries first
        thread.start()
    for thread in threads:
        thread.join()
    assert [n for _, n in sorted(granted)] == list(range(5))
    times = sorted(t for t, _ in granted)
    assert all(b - a >= GAP_S - LATE_S for a, b in pairwise(times)), times


def test_a_request_without_reservation_cannot_take_a_reserved_slot(
    hr: redis.Redis, url: str
) -> None:
    """A poll (no reservation, reserve=False) is refused up to the end of the reserved queue,
    even at the very slot a holder reserved; it passes only after the last reserved slot."""
    assert _try(hr, url) is None
    held = _reserve(hr, url).reservation
    assert held is not None
    poll = _try(hr, url, reserve=False)
    assert poll is not None and poll.reservation is None
    assert poll.wait_s == pytest.approx(2 * GAP_S, abs=0.05)  # behind the reserved slot
    time.sleep(max(0.0, held.slot_ms / 1000 - _redis_now(hr)))
    poll = _try(hr, url, reserve=False)  # at the reserved slot: still not the poll's
    assert poll is not None and poll.reservation is None
    assert _try(hr, url, reservation=held) is None  # the holder's slot
    time.sleep(poll.wait_s)
    assert _try(hr, url, reserve=False) is None  # the queue is over


def test_a_late_reservation_is_void_and_a_lost_one_leaves_its_slot_unused(
    hr: redis.Redis, url: str
) -> None:
    """A reservation presented after ``until_ms`` no longer passes without the gap: while
    others hold later slots it reserves again at the back; its holder never stole a slot."""
    assert _try(hr, url) is None
    late = _reserve(hr, url).reservation
    lost = _reserve(hr, url).reservation  # its message is lost: never presented
    assert late is not None and lost is not None
    assert late.until_ms == late.slot_ms + int(LATE_S * 1000)
    time.sleep(max(0.0, late.until_ms / 1000 - _redis_now(hr)) + 0.02)
    again = _try(hr, url, reservation=late)
    assert again is not None and again.reservation is not None
    assert again.reservation.slot_ms == lost.slot_ms + int(GAP_S * 1000)  # at the back
    # the lost slot simply passes unused; the re-reserved one is honoured at its time
    time.sleep(again.wait_s)
    assert _try(hr, url, reservation=again.reservation) is None
    # late with nobody queued: it competes as a new request and passes when the host is free
    time.sleep(GAP_S + LATE_S + 0.05)
    assert _try(hr, url, reservation=late) is None


def test_an_early_holder_keeps_its_slot(hr: redis.Redis, url: str) -> None:
    assert _try(hr, url) is None
    held = _reserve(hr, url).reservation
    early = _try(hr, url, reservation=held)
    assert early is not None and early.reservation == held
    assert 0 < early.wait_s <= GAP_S


def test_a_holder_blocked_by_the_cap_keeps_its_place(hr: redis.Redis, url: str) -> None:
    """Cap 1: at its slot the holder finds the lease taken, is deferred keeping its slot (its
    honour window moved past the retry), and passes when the lease is released, before a
    request that reserved after it; the cap is never exceeded."""
    holding = host_slot(hr, url, max_inflight=1, min_interval_s=GAP_S, lease_s=30)
    holding.__enter__()
    first = _reserve(hr, url, cap=1).reservation
    assert first is not None
    time.sleep(max(0.0, first.slot_ms / 1000 - _redis_now(hr)))
    blocked = _try(hr, url, reservation=first, cap=1)
    assert blocked is not None and blocked.reservation is not None
    assert blocked.reservation.slot_ms == first.slot_ms  # the same place
    assert blocked.reservation.until_ms > first.until_ms
    second = _reserve(hr, url, cap=1).reservation  # reserved after it
    assert second is not None and second.slot_ms > first.slot_ms
    time.sleep(LATE_S + 0.05)  # past the first honour window: only the extension holds
    assert _redis_now(hr) * 1000 > first.until_ms
    still = _try(hr, url, reservation=blocked.reservation, cap=1)  # the lease is still held
    assert still is not None and still.reservation is not None
    assert still.reservation.slot_ms == first.slot_ms
    holding.__exit__(None, None, None)
    assert _try(hr, url, reservation=still.reservation, cap=1) is None
    assert _try(hr, url, reserve=False, cap=1) is not None  # nor did it free the queue
    time.sleep(max(0.0, second.slot_ms / 1000 - _redis_now(hr)))
    assert _try(hr, url, reservation=second, cap=1) is None


def test_a_deferred_fetch_carries_its_reserved_slot_through_its_message(
    hr: redis.Redis, url: str, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetch task on the real Redis and Elasticsearch: turned away by the gap, it publishes
    its next attempt with the host's reservation; coming back early, it keeps that same slot.
    Only publishing is recorded instead of sent (the broker is not under test here)."""
    from workers import resources
    from workers.settings import get_settings
    from workers.tasks.fetch import fetch_article

    monkeypatch.setenv("COMMUNIQUE_REDIS_URL", f"{REDIS_BASE}/{HOSTS_REDIS_DB}")
    monkeypatch.setenv("COMMUNIQUE_INDEX_PREFIX", prefix)
    monkeypatch.setenv("COMMUNIQUE_HOST_MIN_INTERVAL_S", "5")
    get_settings.cache_clear()
    resources.close_clients()
    published: list[dict[str, object]] = []
    ids: list[str] = []
    monkeypatch.setattr(fetch_article, "apply_async", lambda **message: published.append(message))
    try:
        with host_slot(hr, url, max_inflight=2, min_interval_s=5, lease_s=30):
            pass  # someone else's request: the host's next free time is 5 s away
        first = _run_fetch(fetch_article, ids, (url, "f"), {})
        assert first["status"] == "deferred" and first["reservation"] is not None
        slot, until = first["reservation"]
        (message,) = published
        assert message["kwargs"]["reservation"] == [slot, until]  # type: ignore[index]
        assert 4.0 < float(message["countdown"]) <= 5.0  # type: ignore[arg-type]
        again = _run_fetch(fetch_article, ids, (url, "f"), message["kwargs"])  # type: ignore[arg-type]
        assert again["status"] == "deferred" and again["reservation"] == [slot, until]
        assert again["deferrals"] == 2
    finally:
        for task_id in ids:  # the redelivery counters of these attempts
            for key in hr.scan_iter(f"communique:deliveries:{task_id}:*"):
                hr.delete(key)
        get_settings.cache_clear()
        resources.close_clients()


def _run_fetch(
    task: Any, ids: list[str], args: tuple[str, str], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """Run one attempt of the task in this process under its own task id, as a worker would."""
    ids.append(str(uuid.uuid4()))
    return dict(task.apply(args=args, kwargs=kwargs, task_id=ids[-1]).get())
