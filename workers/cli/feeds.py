"""``communique feeds …``: manage the runtime feed registry (no restarts needed)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from pipeline.errors import ConfigError
from pipeline.opml import parse_opml, to_opml
from workers import feedstate, feedstore
from workers.registry import FeedConfig
from workers.resources import redis_client
from workers.schedules import registry_feeds
from workers.settings import get_settings

feeds_app = typer.Typer(help="Add, remove, pause, resume, import and inspect feeds.",
                        no_args_is_help=True)  # fmt: skip
console = Console()
err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


@feeds_app.command("list")
def list_feeds() -> None:
    """Every registered feed."""
    table = Table("id", "enabled", "interval s", "tier", "publisher", "url")
    feeds = feedstore.all_feeds(redis_client())
    for f in feeds:
        table.add_row(f.id, "yes" if f.enabled else "paused", str(f.poll_interval_s), str(f.tier),
                      f.publisher[:30], f.url[:70])  # fmt: skip
    console.print(table)
    console.print(f"{len(feeds)} feeds")


def _ago(iso: str | None) -> str:
    if not iso:
        return "never"
    seconds = (datetime.now(UTC) - datetime.fromisoformat(iso)).total_seconds()
    return f"{int(seconds)}s ago" if seconds < 3600 else f"{seconds / 3600:.1f}h ago"


@feeds_app.command("status")
def status(
    failing: Annotated[bool, typer.Option(help="Only feeds whose last poll failed")] = False,
) -> None:
    """Health of every feed: last success, last error, failures, entries, interval, next poll."""
    r = redis_client()
    table = Table("id", "state", "last success", "failures", "last error", "entries seen",
                  "enqueued", "interval s", "next poll")  # fmt: skip
    for f in feedstore.all_feeds(r):
        st = feedstate.load(r, f.id)
        if failing and not st.consecutive_failures:
            continue
        due = feedstore.next_due(r, f.id)
        next_poll = "paused" if due is None else f"in {max(0, int(due - time.time()))}s"
        error = ""
        if st.last_error_reason:
            error = f"{st.last_error_reason}: {st.last_error or ''}"[:50]
        table.add_row(
            f.id, "ok" if not st.consecutive_failures else "failing", _ago(st.last_success),
            str(st.consecutive_failures), error, str(st.entries_seen), str(st.entries_enqueued),
            str(st.current_interval_s or f.poll_interval_s), next_poll,
        )  # fmt: skip
    console.print(table)


@feeds_app.command("add")
def add(
    feed_id: Annotated[str, typer.Argument(help="Stable id: lower case, digits, - _ .")],
    url: Annotated[str, typer.Argument(help="Feed URL (http/https)")],
    publisher: Annotated[str, typer.Option(help="Who publishes it")] = "",
    interval: Annotated[int, typer.Option(help="Poll interval, seconds")] = 300,
    tier: Annotated[int, typer.Option(help="1 official/wire, 2 major outlet, 3 analysis")] = 2,
    language: Annotated[str, typer.Option(help="Language code")] = "en",
) -> None:
    """Register a feed; it is polled within seconds."""
    try:
        spec = FeedConfig(id=feed_id, url=url, publisher=publisher, poll_interval=interval,
                          tier=tier, language=language).to_spec()  # fmt: skip
    except ValidationError as exc:
        _fail(f"invalid feed: {exc}")
        return
    r = redis_client()
    existed = feedstore.get(r, feed_id) is not None
    feedstore.add(r, spec)
    console.print(f"{'replaced' if existed else 'added'} {feed_id} → {spec.url}")


@feeds_app.command("remove")
def remove(feed_id: str) -> None:
    """Unregister a feed (its ledger is kept: re-adding it does not re-ingest)."""
    if not feedstore.remove(redis_client(), feed_id):
        _fail(f"no feed {feed_id!r}")
    console.print(f"removed {feed_id}")


@feeds_app.command("pause")
def pause(feed_id: str) -> None:
    """Stop polling a feed until resumed."""
    if feedstore.set_enabled(redis_client(), feed_id, False) is None:
        _fail(f"no feed {feed_id!r}")
    console.print(f"paused {feed_id}")


@feeds_app.command("resume")
def resume(feed_id: str) -> None:
    """Resume a paused feed (polled at once)."""
    if feedstore.set_enabled(redis_client(), feed_id, True) is None:
        _fail(f"no feed {feed_id!r}")
    console.print(f"resumed {feed_id}")


@feeds_app.command("sync")
def sync(
    file: Annotated[Path | None, typer.Option(help="Registry file (default: settings)")] = None,
) -> None:
    """Add and update feeds from the registry file (runtime pauses are kept)."""
    settings = get_settings()
    if file is not None:
        settings = settings.model_copy(update={"feeds_file": file})
    feeds = registry_feeds(settings)
    added, updated = feedstore.sync_from_file(redis_client(), feeds)
    console.print(f"{len(feeds)} feeds in {settings.feeds_file}: {added} added, {updated} updated")


@feeds_app.command("import-opml")
def import_opml(
    file: Annotated[Path, typer.Argument(help="OPML file", exists=True, dir_okay=False)],
    interval: Annotated[int, typer.Option(help="Poll interval for imported feeds")] = 900,
) -> None:
    """Register every feed of an OPML file (feeds whose URL is already registered are skipped)."""
    r = redis_client()
    current = feedstore.all_feeds(r)
    known_urls = {f.url for f in current}
    try:
        feeds = parse_opml(file.read_bytes(), existing_ids=[f.id for f in current])
    except ConfigError as exc:
        _fail(str(exc))
        return
    added = 0
    for feed in feeds:
        if feed.url in known_urls:
            continue
        try:
            spec = FeedConfig(id=feed.id, url=feed.url, publisher=feed.publisher,
                              language=feed.language, poll_interval=interval).to_spec()  # fmt: skip
        except ValidationError as exc:
            err.print(f"skipped {feed.url}: {exc.errors()[0]['msg']}")
            continue
        feedstore.add(r, spec)
        added += 1
    console.print(f"{len(feeds)} feeds in {file}: {added} added")


@feeds_app.command("export-opml")
def export_opml(
    file: Annotated[Path | None, typer.Argument(help="Output file (default: stdout)")] = None,
) -> None:
    """Write the registry as OPML 2.0."""
    data = to_opml(feedstore.all_feeds(redis_client()))
    if file is None:
        typer.echo(data.decode())
    else:
        file.write_bytes(data)
        console.print(f"wrote {file}")
