"""`communique run`: the main job (services, templates, a live worker, a reprocess worker, beat)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from workers.cli.common import console, fail
from workers.connections import redact_url
from workers.resources import setup_indices
from workers.settings import get_settings


def _celery_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "workers.app", *args]


def run(
    feeds: Annotated[
        Path | None, typer.Option(help="Feed registry (default: config/feeds.yaml)")
    ] = None,
    concurrency: Annotated[int | None, typer.Option(help="Worker processes")] = None,
    services: Annotated[
        bool, typer.Option(help="Provision local Redis and Elasticsearch if missing")
    ] = True,
    beat: Annotated[bool, typer.Option(help="Run the beat scheduler beside the worker")] = True,
) -> None:
    """Run the whole stack: services, templates, a worker on every queue, and beat."""
    from workers import routing
    from workers import services as services_mod

    env = dict(os.environ)
    if feeds is not None:
        env["COMMUNIQUE_FEEDS_FILE"] = str(feeds.resolve())
        os.environ["COMMUNIQUE_FEEDS_FILE"] = env["COMMUNIQUE_FEEDS_FILE"]
        get_settings.cache_clear()
    settings = get_settings()
    if services:
        try:
            for line in services_mod.up(settings):
                console.print(line)
        except services_mod.ServiceError as exc:
            fail(str(exc))
    try:
        report = setup_indices(settings)
    except Exception as exc:  # connection refused, auth, version mismatch: say which and stop
        shown = redact_url(settings.es_url)
        fail(f"Elasticsearch at {shown} is not usable ({exc}); `communique services up`")
        return
    console.print(f"indices ready: {', '.join(report.aliases)}")
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    live_queues = [q for q in routing.ALL_QUEUES if q != routing.REPROCESS_QUEUE]
    worker_cmd = _celery_cmd(
        "worker",
        "-Q", ",".join(live_queues),
        "--concurrency", str(concurrency or settings.worker_concurrency),
        "--loglevel", "INFO",
        "-n", "communique@%h",
    )  # fmt: skip
    # reprocessing has its own worker slot: a backfill of any size never takes a live process
    reprocess_cmd = _celery_cmd(
        "worker",
        "-Q", routing.REPROCESS_QUEUE,
        "--concurrency", str(settings.reprocess_concurrency),
        "--loglevel", "INFO",
        "-n", "reprocess@%h",
    )  # fmt: skip
    children = [subprocess.Popen(worker_cmd, env=env), subprocess.Popen(reprocess_cmd, env=env)]
    if beat:
        beat_cmd = _celery_cmd(
            "beat", "--loglevel", "INFO",
            "--schedule", str(settings.state_dir / "beat-schedule"),
        )  # fmt: skip
        children.append(subprocess.Popen(beat_cmd, env=env))
    # the runtime registry gets every feed of the file (new ones due at once), and the
    # dispatcher runs now rather than after beat's first interval
    from workers import feedstore
    from workers.resources import redis_client
    from workers.schedules import registry_feeds
    from workers.tasks import schedule_polls

    added, updated = feedstore.sync_from_file(redis_client(), registry_feeds(settings))
    schedule_polls.apply_async()
    console.print(
        f"worker{' and beat' if beat else ''} running; feeds: {added} added, {updated} updated "
        f"from {settings.feeds_file}; Ctrl-C stops"
    )

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=90)  # the worker's soft shutdown lets in-flight tasks end
            except subprocess.TimeoutExpired:
                child.kill()
    codes = [child.returncode for child in children]
    if any(code not in (0, -signal.SIGTERM, None) for code in codes):
        raise typer.Exit(1)
