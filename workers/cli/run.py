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
from workers.settings import Settings, get_settings


def _celery_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "workers.app", *args]


def _worker_cmd(queues: list[str], concurrency: int, name: str, pool: str = "prefork") -> list[str]:
    return _celery_cmd(
        "worker",
        "-Q", ",".join(queues),
        "--pool", pool,
        "--concurrency", str(concurrency),
        "--loglevel", "INFO",
        "-n", name,
    )  # fmt: skip


def worker_commands(settings: Settings, concurrency: int | None = None) -> list[list[str]]:
    """The workers of one machine: processing, I/O and reprocessing, each on its own queues.

    Processing is CPU-bound (spaCy): one process per core. Polling and fetching mostly wait on
    the network and on Elasticsearch, so they get a thread pool of their own instead of taking
    turns with processing on the same processes (measured by ``benchmarks/e2e.py``); their time
    bounds are the fetcher's own deadlines, since a thread pool enforces no task time limit.
    Reprocessing has its own slot so a backfill never takes a live process.
    """
    from workers import routing

    io_queues = [routing.POLL_QUEUE, routing.FETCH_QUEUE, routing.MAINTENANCE_QUEUE]
    return [
        _worker_cmd(
            [routing.PROCESS_QUEUE], concurrency or settings.worker_concurrency, "communique@%h"
        ),
        _worker_cmd(io_queues, settings.io_concurrency, "io@%h", pool="threads"),
        _worker_cmd([routing.REPROCESS_QUEUE], settings.reprocess_concurrency, "reprocess@%h"),
    ]


def run(
    feeds: Annotated[
        Path | None, typer.Option(help="Feed registry (default: config/feeds.yaml)")
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(help="Processes of the processing worker")
    ] = None,
    services: Annotated[
        bool, typer.Option(help="Provision local Redis and Elasticsearch if missing")
    ] = True,
    beat: Annotated[bool, typer.Option(help="Run the beat scheduler beside the worker")] = True,
) -> None:
    """Run the whole stack: services, templates, the workers (processing, I/O, reprocessing)
    and beat."""
    env = dict(os.environ)
    if feeds is not None:
        env["COMMUNIQUE_FEEDS_FILE"] = str(feeds.resolve())
        os.environ["COMMUNIQUE_FEEDS_FILE"] = env["COMMUNIQUE_FEEDS_FILE"]
        get_settings.cache_clear()
    settings = get_settings()
    _prepare(settings, services)
    children = _start_children(settings, env, concurrency=concurrency, beat=beat)
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
    codes = _supervise(children)
    if any(code not in (0, -signal.SIGTERM, None) for code in codes):
        raise typer.Exit(1)


def _prepare(settings: Settings, services: bool) -> None:
    """Services (when asked) and index templates, or a clear error."""
    from workers import services as services_mod

    if services:
        try:
            for line in services_mod.up(settings):
                console.print(line)
        except services_mod.ServiceError as exc:
            fail(str(exc))
    try:
        report = setup_indices(settings)
    except Exception as exc:  # connection refused, auth, version mismatch: say which and stop
        shown = redact_url(settings.es_url)  # never print a password written into the URL
        fail(f"Elasticsearch at {shown} is not usable ({exc}); `communique services up`")
        return
    console.print(f"indices ready: {', '.join(report.aliases)}")


def _start_children(
    settings: Settings, env: dict[str, str], *, concurrency: int | None, beat: bool
) -> list[subprocess.Popen[bytes]]:
    """The processing, I/O and reprocess workers and (when asked) beat."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    children = [subprocess.Popen(cmd, env=env) for cmd in worker_commands(settings, concurrency)]
    if beat:
        beat_cmd = _celery_cmd(
            "beat", "--loglevel", "INFO",
            "--schedule", str(settings.state_dir / "beat-schedule"),
        )  # fmt: skip
        children.append(subprocess.Popen(beat_cmd, env=env))
    return children


def _supervise(children: list[subprocess.Popen[bytes]]) -> list[int | None]:
    """Wait until one child ends or a signal comes, stop them all; their exit codes."""

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
    return [child.returncode for child in children]
