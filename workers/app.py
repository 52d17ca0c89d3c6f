"""The Celery application: at-least-once configuration from ../shared/docs/reliability.md.

- acks_late + reject_on_worker_lost: a task is acked only after it ran; a child killed mid-task
  is redelivered (the Task base caps redeliveries and dead-letters the poison message).
- visibility_timeout is set in all three places and is larger than the hard time limit and the
  largest retry backoff (checked by Settings and asserted in tests/unit/test_celery_config.py).
- prefetch 1: processing is CPU-bound; a worker must not hoard messages it cannot run.
- network clients are per process (workers/resources.py): the main process closes the ones
  it used at start, so a pool process forked later never shares a socket with it.
- after a broker connection loss the previous connection's unacked messages are restored at
  once (workers/redelivery.py) instead of after the visibility timeout.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery
from celery.signals import worker_ready

from workers.connections import celery_broker_options
from workers.routing import PROCESS_QUEUE, TASK_QUEUES, TASK_ROUTES
from workers.settings import Settings, get_settings


def celery_config(settings: Settings) -> dict[str, Any]:
    """The Celery configuration derived from settings (pure: easy to assert in tests)."""
    transport = {
        "visibility_timeout": settings.visibility_timeout_s,
        # kombu scans for expired unacked messages only every interval × throttle (10 × 10 s
        # by default): throttle 1 makes the interval the bound on taking back a lost worker's
        # tasks (visibility timeout + interval; tests/multihost measures it)
        "unacked_restore_interval": settings.unacked_restore_interval_s,
        "unacked_restore_throttle": 1,
    }
    return {
        **celery_broker_options(settings),  # URL, credentials, TLS: workers/connections.py
        # kombu's Redis transport, tolerant of a broker that is down while a channel closes
        "broker_transport": "workers.redelivery:Transport",
        "broker_transport_options": transport,
        "result_backend_transport_options": transport,
        "visibility_timeout": settings.visibility_timeout_s,
        "broker_connection_retry_on_startup": True,
        "task_ignore_result": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_time_limit": settings.task_time_limit_s,
        "task_soft_time_limit": settings.task_soft_time_limit_s,
        "task_queues": TASK_QUEUES,
        "task_routes": TASK_ROUTES,
        "task_default_queue": PROCESS_QUEUE,
        "worker_soft_shutdown_timeout": 60.0,
        "worker_enable_soft_shutdown_on_idle": True,
        "worker_hijack_root_logger": False,
        # bounds slow leaks in long-lived children
        "worker_max_tasks_per_child": settings.worker_max_tasks_per_child,
        "task_send_sent_event": False,
        "enable_utc": True,
        "timezone": "UTC",
    }


def create_app(settings: Settings | None = None) -> Celery:
    """Build the Celery app; beat's schedule comes from the feed registry."""
    settings = settings or get_settings()
    celery = Celery("communique", include=["workers.tasks"])
    celery.conf.update(celery_config(settings))
    from workers.schedules import beat_schedule

    celery.conf.beat_schedule = beat_schedule(settings)
    from workers.redelivery import RestoreUnackedOnReconnect

    celery.steps["consumer"].add(RestoreUnackedOnReconnect)
    return celery


app = create_app()


@worker_ready.connect
def _apply_index_templates(**_: Any) -> None:
    """Templates and aliases exist before the first task writes; the runtime feed registry
    holds every feed of the registry file (both idempotent)."""
    from workers import feedstore
    from workers.resources import close_clients, redis_client, setup_indices
    from workers.schedules import registry_feeds

    try:
        setup_indices()
    except Exception:  # Elasticsearch may still be starting: tasks retry their writes anyway
        logging.getLogger("communique").exception("index setup at worker start failed")
    settings = get_settings()
    feedstore.sync_from_file(redis_client(), registry_feeds(settings))
    # pool processes forked later (replacements) must not inherit these sockets
    close_clients()
