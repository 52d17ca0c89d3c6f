"""Prompt redelivery after the broker connection is lost (e.g. a Redis restart).

When the connection drops, kombu tries to put the worker's unacked messages back on their
queues ("restoring unacked messages") while closing the channel — that is, while Redis is still
down — and the attempt fails. Their delivery tags are stale on the new connection, so running
tasks cannot ack them either: the messages would sit in Redis' ``unacked`` hash until the
visibility timeout (2 h by default) let another sweep restore them.

This consumer bootstep keeps the channel's QoS of each connection; when the consumer restarts
after a connection loss it restores, on the new connection, every message the previous
connection delivered and never acked. A task that was still running is thus run once more:
tasks are idempotent (documents keyed by URL, versioned event writes), so at-least-once holds
without the two-hour wait.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import bootsteps

log = logging.getLogger("communique.redelivery")


def _pending_tags(qos: Any) -> list[str]:
    """Delivery tags the QoS handed out and never saw acked (kombu's virtual QoS)."""
    return list(getattr(qos, "_delivered", {}) or {})


class RestoreUnackedOnReconnect(bootsteps.StartStopStep):  # type: ignore[misc]
    """Restore the previous connection's unacked messages when the consumer restarts."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._previous: Any = None

    def start(self, c: Any) -> None:
        """Restore what the lost connection left unacked, then watch the new one."""
        qos = c.task_consumer.channel.qos
        previous, self._previous = self._previous, qos
        if previous is None or previous is qos:
            return
        tags = _pending_tags(previous)
        if not tags:
            return
        restored = 0
        for tag in tags:
            try:
                qos.restore_by_tag(tag, leftmost=True)
                restored += 1
            except Exception:  # still unreachable: the visibility timeout remains the backstop
                log.exception("restoring unacked message %s after reconnect failed", tag)
        previous._delivered.clear()
        log.warning("restored %d unacked messages left by the lost broker connection", restored)
