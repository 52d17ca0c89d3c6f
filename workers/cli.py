"""The ``communique`` command line (typer + rich: typed options, readable tables, progress).

``communique run`` is the main job: local Redis and Elasticsearch if missing, index templates,
then a Celery worker on every queue and beat on ``config/feeds.yaml`` until Ctrl-C.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from workers.cli_extract import extract
from workers.cli_feeds import feeds_app
from workers.resources import setup_indices
from workers.settings import get_settings

app = typer.Typer(
    name="communique",
    help="Diplomatic events from news feeds: ingestion worker, extraction and operations.",
    no_args_is_help=True,
    add_completion=False,
)
services_app = typer.Typer(
    help="Local Redis and Elasticsearch without Docker.", no_args_is_help=True
)
es_app = typer.Typer(help="Elasticsearch templates and indices.", no_args_is_help=True)
deadletters_app = typer.Typer(help="Browse and retry dead letters.", no_args_is_help=True)
app.add_typer(services_app, name="services")
app.add_typer(es_app, name="es")
app.add_typer(deadletters_app, name="deadletters")
app.add_typer(feeds_app, name="feeds")

console = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


# --------------------------------------------------------------------------------------------
# services
# --------------------------------------------------------------------------------------------
@services_app.command("up")
def services_up() -> None:
    """Start Redis and Elasticsearch unless they already answer (idempotent)."""
    from workers import services

    try:
        for line in services.up(get_settings()):
            console.print(line)
    except services.ServiceError as exc:
        _fail(str(exc))


@services_app.command("down")
def services_down() -> None:
    """Stop the services that `services up` started."""
    from workers import services

    for line in services.down(get_settings()):
        console.print(line)


@services_app.command("status")
def services_status() -> None:
    """Say what runs where."""
    from workers import services

    table = Table("service", "address", "state")
    rows = services.status(get_settings())
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if any(state == "down" for _, _, state in rows):
        raise typer.Exit(1)


# --------------------------------------------------------------------------------------------
# es
# --------------------------------------------------------------------------------------------
@es_app.command("setup")
def es_setup() -> None:
    """Put index templates, create versioned indices behind aliases."""
    report = setup_indices(get_settings())
    console.print(f"text analyzer: {report.capabilities.text_analyzer}")
    for alias, index in report.aliases.items():
        console.print(f"{alias} → {index}")
    for index in report.created_indices:
        console.print(f"created {index}")


@es_app.command("status")
def es_status() -> None:
    """Document counts per alias."""
    from pipeline.index.templates import INDEX_KINDS
    from workers.resources import es_client

    settings = get_settings()
    es = es_client()
    table = Table("alias", "documents")
    for kind in INDEX_KINDS:
        alias = settings.index_name(kind)
        try:
            count = es.count(index=alias)["count"]
        except Exception as exc:
            count = f"unavailable ({type(exc).__name__})"
        table.add_row(alias, str(count))
    console.print(table)


# --------------------------------------------------------------------------------------------
# run: the main job
# --------------------------------------------------------------------------------------------
def _celery_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "workers.app", *args]


@app.command()
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
            _fail(str(exc))
    try:
        report = setup_indices(settings)
    except Exception as exc:  # connection refused, auth, version mismatch: say which and stop
        _fail(f"Elasticsearch at {settings.es_url} is not usable ({exc}); `communique services up`")
        return
    console.print(f"indices ready: {', '.join(report.aliases)}")
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    worker_cmd = _celery_cmd(
        "worker",
        "-Q", ",".join(routing.ALL_QUEUES),
        "--concurrency", str(concurrency or settings.worker_concurrency),
        "--loglevel", "INFO",
        "-n", "communique@%h",
    )  # fmt: skip
    children = [subprocess.Popen(worker_cmd, env=env)]
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


# --------------------------------------------------------------------------------------------
# operations
# --------------------------------------------------------------------------------------------
@app.command()
def poll(feed_id: str) -> None:
    """Enqueue a poll of one feed now."""
    from workers.tasks import poll_feed

    result = poll_feed.apply_async(args=(feed_id,))
    console.print(f"enqueued poll of {feed_id} (task {result.id})")


@app.command()
def reprocess(
    ids: Annotated[list[str] | None, typer.Option("--id", help="Article id (repeatable)")] = None,
    query: Annotated[str | None, typer.Option(help="Full-text selection of articles")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after (ISO date)")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before (ISO date)")] = None,
    older_than_version: Annotated[
        str | None, typer.Option(help="Only articles processed by an older extractor")
    ] = None,
) -> None:
    """Enqueue reprocessing (runs on its own queue; never starves live ingestion)."""
    from workers.tasks import reprocess as reprocess_task

    result = reprocess_task.apply_async(
        kwargs={
            "ids": ids or None,
            "query": query,
            "since": since,
            "until": until,
            "older_than_version": older_than_version,
        }
    )
    console.print(f"enqueued reprocess selection (task {result.id})")


@app.command()
def reconcile(
    dry_run: Annotated[bool, typer.Option(help="Report only; enqueue nothing")] = False,
    min_age: Annotated[
        float, typer.Option(help="Entries younger than this (s) count as in flight")
    ] = 600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Compare ledger, index and dead letters; re-enqueue what is in neither."""
    from dataclasses import asdict

    from workers.tasks.maintenance import reconcile_once

    report = reconcile_once(enqueue=not dry_run, min_age_s=min_age)
    if as_json:
        print(json.dumps(asdict(report)))
        return
    table = Table(
        "ledger entries", "indexed", "dead-lettered", "in flight", "missing", "re-enqueued"
    )
    table.add_row(
        *map(
            str,
            (
                report.ledger_entries,
                report.indexed,
                report.dead_lettered,
                report.in_flight,
                report.missing,
                report.reenqueued,
            ),
        )
    )
    console.print(table)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Full-text query")],
    kind: Annotated[str, typer.Option(help="articles or events")] = "articles",
    size: Annotated[int, typer.Option(help="Hits to show")] = 10,
) -> None:
    """Search articles or events by full text."""
    from workers.resources import es_client

    settings = get_settings()
    fields = ["title^2", "text"] if kind == "articles" else ["evidence.text", "occasion"]
    response = es_client().search(
        index=settings.index_name(kind),
        query={"simple_query_string": {"query": text, "fields": fields}},
        size=size,
    )
    table = Table("id", "title / type", "published / date")
    for hit in response["hits"]["hits"]:
        src = hit["_source"]
        label = src.get("title") if kind == "articles" else f"{src.get('type')} {src.get('actors')}"
        when = src.get("published") if kind == "articles" else src.get("date")
        table.add_row(hit["_id"], str(label)[:80], str(when))
    console.print(table)
    console.print(f"{response['hits']['total']['value']} hits")


@app.command("config")
def show_config(
    markdown: Annotated[bool, typer.Option(help="Print the README's Markdown table")] = False,
) -> None:
    """Every setting with its environment variable, default and current value."""
    settings = get_settings()
    fields = type(settings).model_fields
    if markdown:
        print("| setting | environment variable | default | meaning |")
        print("|---|---|---|---|")
    table = Table("setting", "env var", "value", "meaning")
    for name, info in fields.items():
        env_var = f"COMMUNIQUE_{name.upper()}"
        default = info.default
        if isinstance(default, Path):
            default = os.path.relpath(default, Path.cwd()) if default.is_absolute() else default
        if markdown:
            print(f"| `{name}` | `{env_var}` | `{default}` | {info.description} |")
        else:
            table.add_row(name, env_var, str(getattr(settings, name)), info.description or "")
    if not markdown:
        console.print(table)


# --------------------------------------------------------------------------------------------
# dead letters
# --------------------------------------------------------------------------------------------
@deadletters_app.command("list")
def deadletters_list(
    all_: Annotated[bool, typer.Option("--all", help="Include resolved ones")] = False,
) -> None:
    """Dead letters, newest first."""
    from workers import deadletters
    from workers.resources import redis_client

    table = Table("id", "task", "reason", "attempts", "subject", "when")
    records = deadletters.list_all(redis_client(), include_resolved=all_)
    for rec in records:
        table.add_row(
            rec["id"], rec["task"], rec["reason"], str(rec["attempts"]),
            rec["subject"][:60], rec["created_at"][:19],
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(records)} dead letters")


@deadletters_app.command("show")
def deadletters_show(record_id: str) -> None:
    """One dead letter in full (JSON)."""
    from workers import deadletters
    from workers.resources import redis_client

    record = deadletters.get(redis_client(), record_id)
    if record is None:
        _fail(f"no dead letter {record_id}")
    print(json.dumps(record, indent=2, ensure_ascii=False))


@deadletters_app.command("retry")
def deadletters_retry(
    record_ids: Annotated[list[str] | None, typer.Argument(help="Ids (default: all)")] = None,
) -> None:
    """Re-enqueue dead letters with their original payload."""
    from workers import deadletters
    from workers.app import app as celery_app
    from workers.resources import redis_client

    r = redis_client()
    records = (
        [rec for rid in record_ids if (rec := deadletters.get(r, rid))]
        if record_ids
        else deadletters.list_all(r)
    )
    for rec in records:
        if rec["reason"] == "no_link":
            err.print(f"skipped {rec['id']}: the feed entry has no link to fetch")
            continue
        celery_app.send_task(rec["task"], kwargs=rec["payload"])
        deadletters.mark_resolved(r, rec["id"])
        console.print(f"re-enqueued {rec['id']} ({rec['task']} {rec['subject'][:60]})")
    console.print(f"{len(records)} dead letters retried")


@app.command("kibana-setup")
def kibana_setup(
    url: Annotated[str, typer.Option(help="Kibana base URL")] = "http://127.0.0.1:5601",
) -> None:
    """Import communique's data views and saved searches into Kibana."""
    import httpx

    from workers.kibana import import_saved_objects, render_saved_objects

    settings = get_settings()
    try:
        answer = import_saved_objects(
            url, render_saved_objects(settings.config_dir, settings.index_prefix)
        )
    except httpx.HTTPError as exc:
        _fail(f"Kibana at {url} refused the import: {exc}")
        return
    console.print(f"imported {answer.get('successCount', 0)} saved objects into {url}")
    for error in answer.get("errors", []):
        err.print(f"{error.get('id')}: {error.get('error')}")


app.command("extract")(extract)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
