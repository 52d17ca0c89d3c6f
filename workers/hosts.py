"""Per-host politeness across every worker process: a concurrency cap and a minimum gap.

Both live in Redis so they hold across processes and machines. A slot is a LEASE with an owner:
a member of the host's sorted set whose score is the lease's deadline (Redis server time). Every
acquisition first reaps the leases whose deadline passed, so a worker killed while holding a
slot (kill -9, OOM) blocks the host for at most one lease — a retrying or deferred task can never
keep a dead holder's slot alive, as a shared counter with a refreshed expiry did.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import redis

LEASES_KEY = "communique:host:{host}:leases"
GATE_KEY = "communique:host:{host}:gate"
LEASE_MARGIN_S = 5.0

# Atomic: reap expired leases, respect the minimum gap, then take a lease if one is free.
# Returns {1} when taken, {0, wait_ms} when the gap is not over, {0, -1, ms_to_first_expiry}
# when every slot is leased. Redis' own clock, so the hosts' clocks need not agree.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local gap_ms = tonumber(ARGV[4])
if gap_ms > 0 then
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl > 0 then return {0, ttl} end
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, -1, math.max(0, tonumber(first[2]) - now)}
end
local lease_ms = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + lease_ms, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease_ms)
if gap_ms > 0 then redis.call('SET', KEYS[2], 1, 'PX', gap_ms) end
return {1}
"""


def host_of(url: str) -> str:
    """The host a URL's request goes to (lower case, no port)."""
    return (urlparse(url).hostname or "").lower()


class HostBusy(Exception):
    """The host's slots or rate are exhausted; try again after ``wait_s``."""

    def __init__(self, host: str, wait_s: float):
        super().__init__(f"host {host} busy, retry in {wait_s:.1f}s")
        self.host = host
        self.wait_s = wait_s


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
) -> Iterator[None]:
    """Hold one of the host's slots (a lease of ``lease_s``) for a request, or raise ``HostBusy``.

    ``lease_s`` must exceed the longest request (see ``lease_for``): a live holder's lease
    never runs out under it.
    """
    host = host_of(url)
    if not host:
        yield
        return
    key = LEASES_KEY.format(host=host)
    owner = _owner()
    gap_ms = max(0, int(min_interval_s * 1000))
    answer = r.eval(  # type: ignore[no-untyped-call]
        _ACQUIRE, 2, key, GATE_KEY.format(host=host),
        owner, max_inflight, max(1, int(lease_s * 1000)), gap_ms,
    )  # fmt: skip
    if int(answer[0]) != 1:
        if int(answer[1]) >= 0:  # the minimum gap is not over yet
            raise HostBusy(host, max(0.05, int(answer[1]) / 1000))
        # every slot is leased: a live holder usually frees it within a request's time
        raise HostBusy(host, min(max(0.5, min_interval_s), max(0.05, int(answer[2]) / 1000)))
    try:
        yield
    finally:
        r.zrem(key, owner)
