"""`communique search`: full-text and faceted search over events, mentions or articles."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from workers.cli.common import console, fail

if TYPE_CHECKING:  # the command imports it when it runs: other commands skip its gazetteer
    from pipeline.index.search import SearchRequest

Many = Annotated[list[str] | None, typer.Option(show_default=False)]


def _evidence(doc: dict[str, Any]) -> str:
    evidence = doc.get("evidence")
    first = evidence[0] if isinstance(evidence, list) and evidence else evidence
    return (first or {}).get("text", "") if isinstance(first, dict) else ""


def _participants(doc: dict[str, Any]) -> str:
    actors = ",".join(doc.get("actors") or [])
    recipients = ",".join(doc.get("recipients") or [])
    return f"{actors} → {recipients}" if recipients else actors


def _table(result: Any) -> Table:
    if result.kind == "articles":
        table = Table("id", "title", "source", "published")
        for doc_id, _, doc in result.hits:
            table.add_row(
                doc_id, doc.get("title") or "", doc.get("source") or "", doc.get("published") or ""
            )
        return table
    table = Table(show_lines=True, expand=True)
    table.add_column("id", no_wrap=True)
    table.add_column("event")
    table.add_column("sources" if result.kind == "events" else "source")
    table.add_column("evidence", ratio=1)
    for doc_id, _, doc in result.hits:
        location = doc.get("location") or {}
        place = f"{location.get('place')} ({location.get('country') or '?'})" if location else ""
        what = "\n".join(
            part for part in (doc.get("type"), doc.get("date"), place, _participants(doc)) if part
        )
        sources = doc.get("num_sources") if result.kind == "events" else doc.get("source")
        table.add_row(doc_id, what, str(sources or ""), _evidence(doc)[:240])
    return table


def _show_explain(event_id: str, as_json: bool) -> None:
    from workers.search import explain_event

    event, mentions = explain_event(event_id)
    if as_json:
        typer.echo(json.dumps({"event": event, "mentions": mentions}, ensure_ascii=False))
        return
    place = (event.get("location") or {}).get("place")
    console.print(
        f"[bold]{event.get('type')}[/] {_participants(event)}  {event.get('date') or '?'} "
        f"({event.get('date_precision') or 'no date'})  {place or 'no place'}\n"
        f"{event.get('num_mentions')} mentions, {event.get('num_articles')} articles, "
        f"{event.get('num_sources')} sources: {', '.join(event.get('sources') or [])}"
    )
    for mention in mentions:
        console.rule(f"{mention.get('id')}", align="left")
        console.print(
            f"{mention.get('source') or '?'} · {mention.get('published') or '?'} · "
            f"{mention.get('article_url') or ''}",
            soft_wrap=True,
        )
        console.print(f"  [bold]evidence:[/] {_evidence(mention)}")
        for sentence in mention.get("sentences") or []:
            if sentence.get("text") != _evidence(mention):
                console.print(f"  also: {sentence.get('text')}")


def search(
    text: Annotated[str, typer.Argument(help="Full text (plain words, or Lucene syntax)")] = "",
    kind: Annotated[str, typer.Option(help="events, mentions or articles")] = "events",
    event_type: Annotated[list[str] | None, typer.Option("--type", show_default=False)] = None,
    mode: Many = None,
    actor: Many = None,
    recipient: Many = None,
    participant: Many = None,
    person: Many = None,
    role: Many = None,
    place: Many = None,
    country: Many = None,
    factuality: Many = None,
    quad: Many = None,
    source: Many = None,
    feed: Many = None,
    extractor_version: Many = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Event date from")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Event date to")] = None,
    published_from: Annotated[str | None, typer.Option(help="Published from")] = None,
    published_to: Annotated[str | None, typer.Option(help="Published to")] = None,
    sort: Annotated[str, typer.Option(help="relevance, date or sources")] = "relevance",
    size: Annotated[int, typer.Option(help="Hits to show")] = 10,
    offset: Annotated[int, typer.Option(help="Hits to skip")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts")] = False,
    explain: Annotated[
        str | None, typer.Option(help="Show one event with all its mentions and evidence")
    ] = None,
) -> None:
    """Search events (one per real-world event), mentions or articles, with facet counts.

    Filters repeat (--country IDN --country BRA) and combine; dates are YYYY[-MM[-DD]].
    """
    from pipeline.index.search import SearchRequest

    filters = {
        "type": event_type, "mode": mode, "actor": actor, "recipient": recipient,
        "participant": participant, "person": person, "role": role, "place": place,
        "country": country, "factuality": factuality, "quad": quad, "source": source,
        "feed": feed, "extractor_version": extractor_version,
    }  # fmt: skip
    request = SearchRequest(
        text=text,
        kind=kind,
        filters={k: tuple(v) for k, v in filters.items() if v},
        date_from=date_from,
        date_to=date_to,
        published_from=published_from,
        published_to=published_to,
        sort=sort,
        size=size,
        offset=offset,
    )
    _search_and_show(request, explain, as_json)


def _search_and_show(request: SearchRequest, explain: str | None, as_json: bool) -> None:
    """Print the hits of ``request``, or the event ``explain`` names with its mentions; bad
    input (checked when the search runs) is one ``error:`` line and exit code 1."""
    from pipeline.index.search import SearchError
    from workers.search import search as run_search

    try:
        if explain:
            _show_explain(explain, as_json)
            return
        result = run_search(request)
    except SearchError as exc:
        fail(str(exc))
        return
    _show_result(result, request.kind, as_json)


def _show_result(result: Any, kind: str, as_json: bool) -> None:
    if as_json:
        hits = [{"id": i, "score": s, **doc} for i, s, doc in result.hits]
        facets = {k: [{"value": v, "count": c} for v, c in b] for k, b in result.facets.items()}
        answer = {"kind": kind, "total": result.total, "hits": hits, "facets": facets}
        typer.echo(json.dumps(answer, ensure_ascii=False))
        return
    console.print(_table(result))
    console.print(f"{result.total} {kind}")
    for name, buckets in result.facets.items():
        if buckets:
            console.print(f"[bold]{name}[/]: " + ", ".join(f"{v} ({c})" for v, c in buckets))
