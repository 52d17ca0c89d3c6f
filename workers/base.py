"""The Task base class: retry policy, redelivery cap and dead-lettering live here, once.

Tasks stay thin (load → call pipeline → save → enqueue next) and express outcomes through the
pipeline's error types; this class maps them:

- ``SkipArticle`` → dead letter with its reason (e.g. ``no_text``), never retried;
- transient errors (``TransientFetchError``, ``TransientIndexingError``, soft time limit) and
  anything unexpected → retried by Celery's own ``autoretry_for`` with exponential backoff
  (``retry_backoff`` / ``retry_backoff_max``; ``retry_jitter`` off, see below), then the LAST
  attempt is dead-lettered with its reason;
- permanent errors → dead letter.

One retry budget: ``max_retries`` comes from settings, and both Celery's retry accounting and the
"is this the last attempt" test read the task's ``max_retries``, so a task can never run out of
Celery retries before it dead-letters (which acked the message and lost it in silence).

A child killed mid-task (OOM, kill -9) is redelivered by ``task_reject_on_worker_lost``; a
counter per (task id, retry number) caps those redeliveries so a poison message cannot loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from celery import Task
from celery.exceptions import Retry, SoftTimeLimitExceeded

from pipeline.errors import (
    CommuniqueError,
    SkipArticle,
    TransientFetchError,
    TransientIndexingError,
)
from workers import deadletters
from workers.resources import es_client, redis_client
from workers.settings import get_settings

log = logging.getLogger("communique.tasks")

T = TypeVar("T")

#: deliveries of one attempt before the message is declared poison
MAX_DELIVERIES = 3
_SETTINGS = get_settings()


class CommuniqueTask(Task):  # type: ignore[misc]
    """Base of every communique task."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    # The retry budget and Celery's own backoff (settings are read once per process, at import,
    # as the Celery app itself). Settings guarantee retry_backoff_max_s < visibility_timeout_s:
    # a countdown longer than the visibility timeout would hand the message to a second worker.
    max_retries = _SETTINGS.max_retries
    autoretry_for = (Exception,)  # guarded() decides: only what it re-raises gets here
    retry_backoff = _SETTINGS.retry_backoff_base_s
    retry_backoff_max = _SETTINGS.retry_backoff_max_s
    # No jitter: Celery's is "full jitter" (a countdown anywhere in [0, base·2^n]), which makes
    # the window an outage may last before the dead letter random and often far shorter (5
    # retries: 155 s deterministic, ~78 s on average with full jitter, sometimes < 35 s). Tasks
    # failing in an outage are already spread by when they failed.
    retry_jitter = False

    def last_attempt(self) -> bool:
        """True when a failure now must end in a dead letter (no retry left)."""
        return int(self.request.retries) >= int(self.max_retries or 0)

    def deliveries(self) -> int:
        """Count this delivery of the current attempt (survives the child being killed)."""
        r = redis_client()
        key = f"communique:deliveries:{self.request.id}:{self.request.retries}"
        count = int(r.incr(key))
        r.expire(key, get_settings().visibility_timeout_s * 3)
        return count

    def dead_letter(
        self, *, subject: str, reason: str, error: str, payload: dict[str, Any]
    ) -> None:
        """Record the terminal failure of this task on ``subject``."""
        settings = get_settings()
        deadletters.put(
            redis_client(),
            task=self.name,
            subject=subject,
            reason=reason,
            error=error,
            payload=payload,
            attempts=self.request.retries + 1,
            es=es_client(),
            es_index=settings.index_name("deadletters"),
        )
        log.warning("dead-lettered %s %s: %s (%s)", self.name, subject, reason, error[:300])

    def guarded(
        self, subject: str, payload: dict[str, Any], body: Callable[[], T]
    ) -> T | dict[str, Any]:
        """Run ``body`` under the retry / dead-letter policy.

        Failures worth a retry are re-raised for ``autoretry_for``; on the last attempt they end
        as exactly one dead letter with their reason instead.
        """
        if self.deliveries() > MAX_DELIVERIES:
            return self.give_up(
                subject, payload, "poison",
                f"delivered more than {MAX_DELIVERIES} times without finishing",
            )  # fmt: skip
        try:
            return body()
        except Retry:
            raise
        except SkipArticle as exc:
            self.dead_letter(subject=subject, reason=exc.reason, error=str(exc), payload=payload)
            return {"status": "skipped", "reason": exc.reason}
        except (TransientFetchError, TransientIndexingError, SoftTimeLimitExceeded) as exc:
            reason = getattr(exc, "reason", "timeout")
            if self.last_attempt():
                return self.give_up(subject, payload, reason, str(exc))
            log.info("retrying %s %s: %s", self.name, subject, exc)
            hinted = getattr(exc, "retry_after_s", None)
            if hinted:
                # the server told us when (Retry-After), which Celery's backoff cannot express:
                # honour it, within the budget that keeps countdowns under the visibility timeout
                countdown = min(float(self.retry_backoff_max), float(hinted))
                raise self.retry(exc=exc, countdown=countdown) from exc
            raise
        except CommuniqueError as exc:
            return self.give_up(subject, payload, exc.reason, str(exc))
        except Exception as exc:
            log.exception("unexpected failure in %s %s", self.name, subject)
            if self.last_attempt():
                return self.give_up(subject, payload, "unexpected", repr(exc))
            raise

    def give_up(
        self, subject: str, payload: dict[str, Any], reason: str, error: str
    ) -> dict[str, Any]:
        """Dead-letter ``subject`` now and return the task's result saying so."""
        self.dead_letter(subject=subject, reason=reason, error=error, payload=payload)
        return {"status": "dead_letter", "reason": reason}
