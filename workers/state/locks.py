"""Named Redis locks, taken in sorted order so two holders of overlapping sets cannot deadlock.

Used by the store to serialize writes of one article and recomputation of the events of one
block key across every worker process and machine. Locks expire (``timeout_s``) so a killed
worker cannot wedge a key; waiting longer than ``wait_s`` is a transient error (task retried).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import redis
from redis.lock import Lock

from pipeline.errors import TransientIndexingError


class KeyLocks:
    """Locks on string keys under one namespace (the index prefix keeps tests apart)."""

    def __init__(
        self,
        client: redis.Redis,
        namespace: str,
        *,
        timeout_s: float = 120.0,
        wait_s: float = 300.0,
    ) -> None:
        self._redis = client
        self._namespace = namespace
        self._timeout_s = timeout_s
        self._wait_s = wait_s

    @contextmanager
    def hold(self, keys: Iterable[str]) -> Iterator[None]:
        """Hold every lock in ``keys`` for the duration of the block."""
        held: list[Lock] = []
        try:
            for key in sorted(set(keys)):
                lock = self._redis.lock(
                    f"{self._namespace}:{key}",
                    timeout=self._timeout_s,
                    blocking_timeout=self._wait_s,
                )
                if not lock.acquire():
                    raise TransientIndexingError(f"lock busy for {self._wait_s:.0f}s", subject=key)
                held.append(lock)
            yield
        finally:
            for lock in reversed(held):
                # expired while held: the next holder already owns it
                with contextlib.suppress(redis.exceptions.LockError):
                    lock.release()
