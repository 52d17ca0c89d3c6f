"""The at-least-once configuration of ../shared/docs/reliability.md, asserted."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from workers.app import celery_config, create_app
from workers.base import CommuniqueTask
from workers.routing import ALL_QUEUES, TASK_ROUTES
from workers.settings import Settings


def test_celery_config_visibility_timeout_set_in_all_three_places() -> None:
    settings = Settings()
    conf = celery_config(settings)
    vt = settings.visibility_timeout_s
    assert conf["broker_transport_options"]["visibility_timeout"] == vt
    assert conf["result_backend_transport_options"]["visibility_timeout"] == vt
    assert conf["visibility_timeout"] == vt


def test_celery_config_time_limits_and_backoff_fit_inside_visibility_timeout() -> None:
    settings = Settings()
    conf = celery_config(settings)
    vt = conf["visibility_timeout"]
    assert conf["task_soft_time_limit"] < conf["task_time_limit"] < vt
    # the largest countdown the Task base can ever schedule: Celery's retry_backoff_max
    assert CommuniqueTask.retry_backoff_max == settings.retry_backoff_max_s < vt


def test_settings_refuse_time_limit_beyond_visibility_timeout() -> None:
    with pytest.raises(ValidationError):
        Settings(visibility_timeout_s=600, task_time_limit_s=900, task_soft_time_limit_s=840)
    with pytest.raises(ValidationError):
        Settings(visibility_timeout_s=3600, retry_backoff_max_s=4000)


def test_celery_config_is_at_least_once_with_json_only() -> None:
    conf = celery_config(Settings())
    assert conf["task_acks_late"] is True
    assert conf["task_reject_on_worker_lost"] is True
    assert conf["worker_prefetch_multiplier"] == 1
    assert conf["task_serializer"] == "json"
    assert conf["accept_content"] == ["json"]


def test_tasks_have_stable_explicit_names_and_routes() -> None:
    app = create_app(Settings())
    app.loader.import_default_modules()
    names = {name for name in app.tasks if name.startswith("communique.")}
    assert {
        "communique.poll_feed",
        "communique.fetch_article",
        "communique.process_article",
        "communique.reprocess",
        "communique.reprocess_article",
        "communique.reconcile",
        "communique.schedule_polls",
    } <= names
    for name, route in TASK_ROUTES.items():
        assert name in names
        assert route["queue"] in ALL_QUEUES
    assert (
        TASK_ROUTES["communique.reprocess_article"]["queue"]
        != TASK_ROUTES["communique.process_article"]["queue"]
    )


def test_every_task_retries_within_the_one_budget_from_settings() -> None:
    """Celery's retry count and the dead-letter decision read the same max_retries (issue 7):
    a task with Celery's default 3 would fail silently before the base dead-lettered it."""
    app = create_app(Settings())
    app.loader.import_default_modules()
    settings = Settings()
    for name in ("communique.fetch_article", "communique.process_article",
                 "communique.reprocess_article"):  # fmt: skip
        task = app.tasks[name]
        assert task.max_retries == settings.max_retries, name
        assert task.autoretry_for and task.retry_backoff == settings.retry_backoff_base_s


def test_lost_workers_tasks_come_back_within_visibility_timeout_plus_restore_interval() -> None:
    settings = Settings(
        visibility_timeout_s=40,
        unacked_restore_interval_s=5,
        task_time_limit_s=30,
        task_soft_time_limit_s=25,
        retry_backoff_max_s=10,
    )
    transport = celery_config(settings)["broker_transport_options"]
    assert transport["unacked_restore_interval"] == 5
    assert transport["unacked_restore_throttle"] == 1  # else kombu scans every 10th sweep only
    with pytest.raises(ValidationError):
        Settings(unacked_restore_interval_s=0)
