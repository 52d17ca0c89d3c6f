"""Per-host politeness across every worker process: a concurrency cap and a minimum gap.

Both live in Redis so they hold across processes and machines. A slot is a LEASE with an owner:
a member of the host's sorted set whose score is the lease's deadline (Redis server time). Every
acquisition first reaps the leases whose deadline passed, so a worker killed while holding a
slot (kill -9, OOM) blocks a host for at most one lease — a retrying or deferred task can never
keep a dead holder's slot alive, as a shared counter with a refreshed expiry did.

The minimum gap is served FIFO by RESERVATIONS. The host keeps a "next free time" (``NEXT_KEY``,
Redis server time in ms, expiring when it is reached). A request without a reservation passes
only when now >= next free, and moves next free to now + gap. Otherwise a caller that can wait
for a slot (a deferred fetch, ``reserve=True``) is given the slot at next free, and next free
advances by the gap; so N requests arriving at once are granted in arrival order, one gap apart,
and nobody without that reservation (another fetch, a poll) can take it. The holder carries the
reservation in its deferred message and, at or after its slot, passes without the gap check
(the concurrency cap still applies). Polls do not reserve (``reserve=False``): they wait for next
free, i.e. behind the reserved fetches, and are rescheduled by the dispatcher as before.

A reservation is honoured only until ``until_ms``: its slot plus ``late_ms`` (half a gap). One
that comes back later (a queue backlog, a worker that died with it and a redelivery) is VOID and
is treated as a request without one: it passes if the host is free, else it reserves again at
the back of the queue. Hence two starts to one host are never closer than gap - late_ms (half
the gap) — the one exception is below — and a lost deferred message simply leaves its slot
unused (the host idles one gap). A holder that finds every lease taken at its slot keeps its
slot and its place: it is deferred until a lease may free, with ``until_ms`` moved to that
retry plus ``late_ms``. Such a holder passes only by taking a lease that was just released, so
the exception is bounded by the cap itself (at most ``max_inflight`` requests in flight, and the
cap fills only when requests last longer than the gap).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import redis

if TYPE_CHECKING:
    from workers.settings import Settings

LEASES_KEY = "communique:host:{host}:leases"
NEXT_KEY = "communique:host:{host}:next"
LEASE_MARGIN_S = 5.0
#: how late (a fraction of the gap) a reservation is still honoured; also the most by which
#: two reserved starts can come closer than the gap
LATE_FRACTION = 0.5

# Atomic; Redis' own clock, so the hosts' clocks need not agree. Reaps expired leases, then:
# a valid reservation (ARGV[6] slot, ARGV[7] until) passes at/after its slot if a lease is free;
# anything else passes only when now >= next free (KEYS[2]) and a lease is free, else reserves
# the next free slot when ARGV[5] == '1'. Answer {code, wait_ms, slot_ms, until_ms}: code 1
# taken, 0 the gap is not over (slot_ms 0: no reservation), 2 every lease is taken.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local cap, lease = tonumber(ARGV[2]), tonumber(ARGV[3])
local gap, reserve = tonumber(ARGV[4]), ARGV[5] == '1'
local slot, untl, late = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local full = redis.call('ZCARD', KEYS[1]) >= cap
local function retry_ms()
  -- a live holder usually frees its lease within a request's time: retry within a gap
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.min(math.max(500, gap), math.max(50, tonumber(first[2]) - now))
end
local function take()
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease)
  return {1, 0, 0, 0}
end
if gap > 0 and slot > 0 and now <= untl then
  if now < slot then return {0, slot - now, slot, untl} end
  if full then
    local w = retry_ms()
    return {2, w, slot, now + w + late}
  end
  return take()
end
if gap > 0 then
  local nf = tonumber(redis.call('GET', KEYS[2]) or '0')
  if now < nf then
    if not reserve then return {0, nf - now, 0, 0} end
    redis.call('SET', KEYS[2], nf + gap, 'PX', nf + gap - now)
    return {0, nf - now, nf, nf + late}
  end
end
if full then return {2, retry_ms(), 0, 0} end
if gap > 0 then redis.call('SET', KEYS[2], now + gap, 'PX', gap) end
return take()
"""


@dataclass(frozen=True)
class Reservation:
    """A reserved slot of one host: pass at ``slot_ms`` (Redis time), honoured until
    ``until_ms``. Travels in the deferred message as ``[slot_ms, until_ms]``."""

    slot_ms: int
    until_ms: int

    def to_message(self) -> list[int]:
        """The JSON-safe form a task message carries."""
        return [self.slot_ms, self.until_ms]

    @classmethod
    def from_message(cls, value: Sequence[int] | None) -> Reservation | None:
        """The reservation of a message (None when it carries none, or an unreadable one: the
        request then simply competes as a new one)."""
        if not value or len(value) != 2:
            return None
        return cls(int(value[0]), int(value[1]))


def host_of(url: str) -> str:
    """The host a URL's request goes to (lower case, no port)."""
    return (urlparse(url).hostname or "").lower()


class HostBusy(Exception):
    """The host's slots or rate are exhausted; try again after ``wait_s``, presenting
    ``reservation`` (if any): the slot kept for this caller."""

    def __init__(self, host: str, wait_s: float, reservation: Reservation | None = None):
        super().__init__(f"host {host} busy, retry in {wait_s:.1f}s")
        self.host = host
        self.wait_s = wait_s
        self.reservation = reservation


def lease_for(fetch_deadline_s: float) -> float:
    """The lease of one request: its total deadline plus a margin for the lease's own calls."""
    return fetch_deadline_s + LEASE_MARGIN_S


def _owner() -> str:
    """A lease owner: machine, process and a unique part (one process may hold several)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@contextmanager
def host_slot(
    r: redis.Redis,
    url: str,
    *,
    max_inflight: int,
    min_interval_s: float,
    lease_s: float,
    reservation: Reservation | None = None,
    reserve: bool = False,
) -> Iterator[None]:
    """Hold one of the host's slots (a lease of ``lease_s``) for a request, or raise ``HostBusy``.

    ``lease_s`` must exceed the longest request (see ``lease_for``): a live holder's lease
    never runs out under it. ``reservation`` is the one an earlier ``HostBusy`` handed out;
    with ``reserve`` a caller turned away by the gap is handed one (module docstring).
    """
    host = host_of(url)
    if not host:
        yield
        return
    key = LEASES_KEY.format(host=host)
    owner = _owner()
    gap_ms = max(0, int(min_interval_s * 1000))
    held = reservation or Reservation(0, 0)
    answer = r.eval(  # type: ignore[no-untyped-call]
        _ACQUIRE, 2, key, NEXT_KEY.format(host=host),
        owner, max_inflight, max(1, int(lease_s * 1000)), gap_ms, "1" if reserve else "0",
        held.slot_ms, held.until_ms, int(gap_ms * LATE_FRACTION),
    )  # fmt: skip
    code, wait_ms, slot_ms, until_ms = (int(x) for x in answer)
    if code != 1:
        kept = Reservation(slot_ms, until_ms) if slot_ms > 0 else None
        # the wait to a reserved slot is exact; otherwise a short floor against busy loops
        raise HostBusy(host, max(0.01 if kept else 0.05, wait_ms / 1000), kept)
    try:
        yield
    finally:
        r.zrem(key, owner)


@contextmanager
def configured_slot(
    r: redis.Redis,
    url: str,
    settings: Settings,
    *,
    reservation: Reservation | None = None,
    reserve: bool = False,
) -> Iterator[None]:
    """``host_slot`` with the configured cap, minimum gap and lease: what every request takes
    (fetches with ``reserve``, polls without)."""
    with host_slot(
        r,
        url,
        max_inflight=settings.host_max_concurrency,
        min_interval_s=settings.host_min_interval_s,
        lease_s=lease_for(settings.fetch_deadline_s),
        reservation=reservation,
        reserve=reserve,
    ):
        yield
