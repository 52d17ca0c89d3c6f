"""Prompt redelivery after the broker connection is lost (e.g. a Redis restart).

When the connection drops, Celery closes the channel and kombu tries to put the worker's unacked
messages back on their queues ("restoring unacked messages") — while Redis is still down. That
attempt fails (with kombu 5.7 it even raises ``AttributeError`` from a connection already torn
down, which Celery treats as unrecoverable: the whole worker stopped). The messages' delivery
tags are stale on a new connection, so running tasks cannot ack them either: they would sit in
Redis' ``unacked`` hash until the visibility timeout (2 h by default).

Two pieces, wired in ``workers.app``:

- ``Transport`` (kombu's Redis transport with a tolerant QoS): a restore that fails at close is
  logged and its delivery tags are kept, and a late ack on the dead channel is logged, instead
  of crashing the worker;
- ``RestoreUnackedOnReconnect`` (a consumer bootstep): when the consumer restarts after a
  connection loss, it restores on the new connection every message the previous connection
  delivered and never acked.

A task that was still running is thus run once more: tasks are idempotent (documents keyed by
URL, versioned event writes), so at-least-once holds without the two-hour wait.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import bootsteps
from kombu.transport import redis as kombu_redis

log = logging.getLogger("communique.redelivery")


class QoS(kombu_redis.QoS):  # type: ignore[misc]
    """Redis QoS whose restore-at-close and late acks survive a lost connection."""

    def ack(self, delivery_tag: Any) -> None:
        """Ack; on a channel closed by a connection loss the tag is stale: log, do not crash."""
        try:
            super().ack(delivery_tag)
        except Exception as exc:
            if not self.channel.closed:
                raise
            # the message stays unacked in Redis and is restored at reconnect: it runs again
            log.warning("ack of %s on a lost connection dropped (%r)", delivery_tag, exc)

    def reject(self, delivery_tag: Any, requeue: bool = False) -> None:
        """Reject; on a channel closed by a connection loss, as ``ack``."""
        try:
            super().reject(delivery_tag, requeue=requeue)
        except Exception as exc:
            if not self.channel.closed:
                raise
            log.warning("reject of %s on a lost connection dropped (%r)", delivery_tag, exc)

    def restore_unacked(self, client: Any = None) -> None:
        """Restore delivered, unacked messages; on failure keep their tags for the reconnect."""
        try:
            super().restore_unacked(client)
        except Exception as exc:  # broker down while the channel closes: retried at reconnect
            log.warning(
                "restoring %d unacked messages failed (%r); retried when the broker is back",
                len(self._delivered),
                exc,
            )


class Channel(kombu_redis.Channel):  # type: ignore[misc]
    """The Redis channel with the tolerant QoS."""

    QoS = QoS


class Transport(kombu_redis.Transport):  # type: ignore[misc]
    """kombu's Redis transport with the tolerant QoS (``broker_transport`` in workers.app)."""

    Channel = Channel


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
        tags = list(previous._delivered)
        restored = 0
        for tag in tags:
            try:
                qos.restore_by_tag(tag, leftmost=True)
                restored += 1
            except Exception:  # unreachable again: the visibility timeout remains the backstop
                log.exception("restoring unacked message %s after reconnect failed", tag)
        previous._delivered.clear()
        if tags:
            log.warning("restored %d unacked messages of the lost broker connection", restored)
