"""Queues and routes: one queue per kind of work so CPU-heavy processing and reprocessing never
starve polling and fetching (Socorro keeps reprocessing on its own queue for the same reason)."""

from __future__ import annotations

from kombu import Queue

POLL_QUEUE = "communique.poll"
FETCH_QUEUE = "communique.fetch"
PROCESS_QUEUE = "communique.process"
REPROCESS_QUEUE = "communique.reprocess"
MAINTENANCE_QUEUE = "communique.maintenance"

ALL_QUEUES: tuple[str, ...] = (
    POLL_QUEUE,
    FETCH_QUEUE,
    PROCESS_QUEUE,
    REPROCESS_QUEUE,
    MAINTENANCE_QUEUE,
)

TASK_QUEUES = tuple(Queue(name, routing_key=name) for name in ALL_QUEUES)

TASK_ROUTES = {
    "communique.poll_feed": {"queue": POLL_QUEUE},
    "communique.schedule_polls": {"queue": POLL_QUEUE},
    "communique.fetch_article": {"queue": FETCH_QUEUE},
    "communique.process_article": {"queue": PROCESS_QUEUE},
    "communique.reprocess": {"queue": REPROCESS_QUEUE},
    "communique.reprocess_article": {"queue": REPROCESS_QUEUE},
    "communique.reconcile": {"queue": MAINTENANCE_QUEUE},
}
