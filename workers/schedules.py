"""Beat schedule derived from the feed registry (``config/feeds.yaml``)."""

from __future__ import annotations

import logging
from typing import Any

from pipeline.errors import ConfigError
from workers.registry import load_feeds
from workers.settings import Settings

log = logging.getLogger(__name__)

RECONCILE_EVERY_S = 900


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """One periodic poll per enabled feed, plus the periodic reconciler."""
    schedule: dict[str, dict[str, Any]] = {
        "communique-reconcile": {
            "task": "communique.reconcile",
            "schedule": float(RECONCILE_EVERY_S),
            "options": {"expires": RECONCILE_EVERY_S},
        }
    }
    try:
        feeds = load_feeds(settings.feeds_file)
    except ConfigError as exc:
        # a broken registry must not stop workers from draining queued work: log loudly
        log.error("feed registry unusable, no polls scheduled: %s", exc)
        return schedule
    for feed in feeds:
        if not feed.enabled:
            continue
        schedule[f"poll:{feed.id}"] = {
            "task": "communique.poll_feed",
            "schedule": float(feed.poll_interval_s),
            "args": (feed.id,),
            # a poll still queued after one interval is superseded by the next one
            "options": {"expires": feed.poll_interval_s},
        }
    return schedule
