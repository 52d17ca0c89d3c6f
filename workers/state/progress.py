"""Progress of a reprocessing run in Redis: one hash per run id, counters updated atomically.

``state`` is ``selecting`` until the fan-out task knows ``total``, then ``running``; a run is
finished when ``processed + skipped + failed == total``. Entries expire after a week.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

KEY_PREFIX = "communique:reprocess:"
TTL_S = 7 * 24 * 3600
OUTCOMES = ("processed", "skipped", "failed")


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of one run."""

    run_id: str
    state: str
    total: int
    processed: int
    skipped: int
    failed: int
    selection: str = ""

    @property
    def done(self) -> int:
        """Articles finished, whatever the outcome."""
        return self.processed + self.skipped + self.failed

    @property
    def finished(self) -> bool:
        """True once every selected article has an outcome."""
        return self.state == "running" and self.done >= self.total


def _key(run_id: str) -> str:
    return f"{KEY_PREFIX}{run_id}"


def start(client: redis.Redis, run_id: str, selection: str) -> None:
    """Record a new run before its fan-out task is enqueued."""
    key = _key(run_id)
    client.hset(key, mapping={"state": "selecting", "total": 0, "selection": selection})
    client.expire(key, TTL_S)


def set_total(client: redis.Redis, run_id: str, total: int) -> None:
    """The fan-out has enqueued ``total`` articles."""
    client.hset(_key(run_id), mapping={"state": "running", "total": total})


def record(client: redis.Redis, run_id: str, outcome: str) -> None:
    """One article of the run finished with ``outcome`` (see ``OUTCOMES``)."""
    client.hincrby(_key(run_id), outcome if outcome in OUTCOMES else "failed", 1)


def read(client: redis.Redis, run_id: str) -> Progress | None:
    """The run's progress (None: unknown or expired run id)."""
    raw = client.hgetall(_key(run_id))
    if not raw:
        return None
    values = {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
        for k, v in raw.items()
    }
    return Progress(
        run_id=run_id,
        state=values.get("state", "selecting"),
        total=int(values.get("total", 0)),
        processed=int(values.get("processed", 0)),
        skipped=int(values.get("skipped", 0)),
        failed=int(values.get("failed", 0)),
        selection=values.get("selection", ""),
    )
