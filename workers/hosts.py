"""Per-host politeness across every worker process: a concurrency cap and a minimum gap.

Both live in Redis so they hold across processes and machines. Slots expire on their own, so a
worker killed while holding one cannot block a host for longer than the lease.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import redis

INFLIGHT_KEY = "communique:host:{host}:inflight"
GATE_KEY = "communique:host:{host}:gate"


def host_of(url: str) -> str:
    """The host a URL's request goes to (lower case, no port)."""
    return (urlparse(url).hostname or "").lower()


class HostBusy(Exception):
    """The host's slots or rate are exhausted; try again after ``wait_s``."""

    def __init__(self, host: str, wait_s: float):
        super().__init__(f"host {host} busy, retry in {wait_s:.1f}s")
        self.host = host
        self.wait_s = wait_s


@contextmanager
def host_slot(
    r: redis.Redis,
    url: str,
    *,
    max_inflight: int,
    min_interval_s: float,
    lease_s: int,
) -> Iterator[None]:
    """Hold one of the host's slots for the duration of a request, or raise ``HostBusy``."""
    host = host_of(url)
    if not host:
        yield
        return
    gate = GATE_KEY.format(host=host)
    inflight = INFLIGHT_KEY.format(host=host)
    if min_interval_s > 0 and not r.set(gate, 1, px=max(1, int(min_interval_s * 1000)), nx=True):
        ttl_ms = r.pttl(gate)
        raise HostBusy(host, max(0.05, (ttl_ms if ttl_ms and ttl_ms > 0 else 100) / 1000))
    pipe = r.pipeline(transaction=True)
    pipe.incr(inflight)
    pipe.expire(inflight, lease_s)
    count, _ = pipe.execute()
    if int(count) > max_inflight:
        r.decr(inflight)
        raise HostBusy(host, max(0.5, min_interval_s))
    try:
        yield
    finally:
        r.decr(inflight)
