"""Beat schedule: the feed dispatcher and the reconciler.

Per-feed timing lives in the runtime registry (``workers.feedstore``), seeded from
``config/feeds.yaml``; beat only ticks the dispatcher, so adding, pausing or re-timing a feed
never needs a beat restart.
"""

from __future__ import annotations

import logging
from typing import Any

from pipeline.errors import ConfigError
from pipeline.models import FeedSpec
from workers.registry import load_feeds
from workers.settings import Settings

log = logging.getLogger(__name__)

RECONCILE_EVERY_S = 900


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """The two periodic tasks: dispatch due polls, reconcile."""
    return {
        "communique-schedule-polls": {
            "task": "communique.schedule_polls",
            "schedule": float(settings.dispatch_every_s),
            "options": {"expires": settings.dispatch_every_s * 3},
        },
        "communique-reconcile": {
            "task": "communique.reconcile",
            "schedule": float(RECONCILE_EVERY_S),
            "options": {"expires": RECONCILE_EVERY_S},
        },
    }


def registry_feeds(settings: Settings) -> list[FeedSpec]:
    """Feeds of the registry file; a broken file is logged loudly and yields none, so workers
    keep draining queued work instead of crash-looping."""
    try:
        return load_feeds(settings.feeds_file)
    except ConfigError as exc:
        log.error("feed registry unusable: %s", exc)
        return []
