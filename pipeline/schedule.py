"""Adaptive poll intervals: busy feeds are polled sooner, quiet or failing ones later.

Pure arithmetic so the policy is testable without a clock; the caller adds the result to "now".
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IntervalPolicy:
    """Bounds and factors of the adaptive interval (seconds)."""

    min_s: int = 60
    max_s: int = 6 * 3600
    speed_up: float = 0.5  # many new entries: poll twice as often
    slow_down: float = 1.5  # nothing new: back off gently
    busy_entries: int = 5  # this many new entries in one poll counts as busy
    failure_base: float = 2.0  # failures back off exponentially
    jitter: float = 0.1  # ±10 % so thousands of feeds never poll in lock-step


def next_interval(
    current_s: float,
    *,
    base_s: float,
    new_entries: int,
    failures: int,
    retry_after_s: float | None = None,
    policy: IntervalPolicy = IntervalPolicy(),
    rng: random.Random | None = None,
) -> int:
    """The next interval for a feed after a poll.

    ``current_s`` is the interval used for this poll (0 for a first poll), ``base_s`` the
    configured interval, ``failures`` the consecutive failures *including* this poll (0 on
    success). A ``Retry-After`` from the server is a floor.
    """
    current = current_s if current_s > 0 else base_s
    if failures > 0:
        interval = base_s * policy.failure_base ** min(failures, 16)
    elif new_entries >= policy.busy_entries:
        interval = current * policy.speed_up
    elif new_entries == 0:
        interval = current * policy.slow_down
    else:
        interval = current + (base_s - current) * 0.5  # drift back towards the configured rate
    # a busy feed may go below its configured interval, a quiet one up to 8× it
    upper = min(policy.max_s, max(base_s * 8, policy.min_s)) if failures == 0 else policy.max_s
    interval = max(policy.min_s, min(upper, interval))
    if retry_after_s:
        interval = max(interval, min(policy.max_s, retry_after_s))
    spread = (rng or random).uniform(-policy.jitter, policy.jitter)
    return int(max(policy.min_s, interval * (1 + spread)))
