"""The Task base class: retry policy, redelivery cap and dead-lettering live here, once.

Tasks stay thin (load → call pipeline → save → enqueue next) and express outcomes through the
pipeline's error types; this class maps them:

- ``SkipArticle`` → dead letter with its reason (e.g. ``no_text``), never retried;
- transient errors (``TransientFetchError``, ``TransientIndexingError``, soft time limit) →
  retried with capped exponential backoff and jitter, then dead-lettered;
- permanent errors and anything unexpected after the retries → dead letter.

A child killed mid-task (OOM, kill -9) is redelivered by ``task_reject_on_worker_lost``; a
counter per (task id, retry number) caps those redeliveries so a poison message cannot loop.
"""

from __future__ import annotations

import logging
import random
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
RETRY_BASE_S = 5.0


def retry_countdown(retries: int, *, base_s: float, max_s: float, jitter: float = 0.2) -> float:
    """Exponential backoff ``base * 2**retries`` capped at ``max_s``, with ±jitter."""
    raw = min(max_s, base_s * (2**retries))
    return max(0.0, min(max_s, raw * (1 + random.uniform(-jitter, jitter))))


class CommuniqueTask(Task):  # type: ignore[misc]
    """Base of every communique task."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

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
        """Run ``body`` under the retry / dead-letter policy."""
        settings = get_settings()
        if self.deliveries() > MAX_DELIVERIES:
            self.dead_letter(
                subject=subject,
                reason="poison",
                error=f"delivered more than {MAX_DELIVERIES} times without finishing",
                payload=payload,
            )
            return {"status": "dead_letter", "reason": "poison"}
        try:
            return body()
        except Retry:
            raise
        except SkipArticle as exc:
            self.dead_letter(subject=subject, reason=exc.reason, error=str(exc), payload=payload)
            return {"status": "skipped", "reason": exc.reason}
        except (TransientFetchError, TransientIndexingError, SoftTimeLimitExceeded) as exc:
            reason = getattr(exc, "reason", "timeout")
            if self.request.retries >= settings.max_retries:
                self.dead_letter(subject=subject, reason=reason, error=str(exc), payload=payload)
                return {"status": "dead_letter", "reason": reason}
            countdown = retry_countdown(
                self.request.retries,
                base_s=RETRY_BASE_S,
                max_s=float(settings.retry_backoff_max_s),
            )
            hinted = getattr(exc, "retry_after_s", None)
            if hinted:  # the server told us when: honour it, within the visibility budget
                countdown = min(float(settings.retry_backoff_max_s), max(countdown, hinted))
            log.info("retrying %s %s in %.0fs: %s", self.name, subject, countdown, exc)
            raise self.retry(exc=exc, countdown=countdown) from exc
        except CommuniqueError as exc:
            self.dead_letter(subject=subject, reason=exc.reason, error=str(exc), payload=payload)
            return {"status": "dead_letter", "reason": exc.reason}
        except Exception as exc:
            log.exception("unexpected failure in %s %s", self.name, subject)
            if self.request.retries >= settings.max_retries:
                self.dead_letter(
                    subject=subject, reason="unexpected", error=repr(exc), payload=payload
                )
                return {"status": "dead_letter", "reason": "unexpected"}
            countdown = retry_countdown(
                self.request.retries, base_s=RETRY_BASE_S, max_s=float(settings.retry_backoff_max_s)
            )
            raise self.retry(exc=exc, countdown=countdown) from exc
