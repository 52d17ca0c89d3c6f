"""Celery tasks. Names are explicit and stable (``communique.<name>``) so a rename of a Python
function never orphans messages already queued."""

from workers.tasks.fetch import fetch_article
from workers.tasks.maintenance import reconcile
from workers.tasks.poll import poll_feed, schedule_polls
from workers.tasks.process import process_article, reprocess_article
from workers.tasks.reprocess import reprocess

__all__ = [
    "fetch_article",
    "poll_feed",
    "process_article",
    "reconcile",
    "reprocess",
    "reprocess_article",
    "schedule_polls",
]
