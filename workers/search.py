"""Run searches against the live indices: ``search(request)`` and ``explain_event(id)``.

The query itself is built by the pure ``pipeline.index.search``; this module adds the client,
the index names, the server's capabilities and turns Elasticsearch's refusals into
``SearchError`` messages a user can act on::

    from pipeline.index.search import SearchRequest
    from workers.search import search

    result = search(SearchRequest("Park Jin", kind="events", filters={"country": ("IDN",)}))
    for doc_id, score, doc in result.hits:
        print(doc_id, doc["type"], doc["num_sources"])
    print(result.facets["type"])  # [("CONSULT", 1), ...]
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from elasticsearch import ApiError, NotFoundError, TransportError

from pipeline.index.search import (
    SearchError,
    SearchRequest,
    SearchResult,
    Vocabulary,
    build_query,
    parse_response,
)
from workers.settings import Settings, get_settings


@lru_cache(maxsize=4)
def _vocabulary(es: Any, config_dir: str) -> Vocabulary:
    from pathlib import Path

    from pipeline.index.templates import detect_capabilities

    stemming = detect_capabilities(es).analysis_common
    return Vocabulary.load(Path(config_dir), stemming=stemming)


def _client(es: Any | None) -> Any:
    if es is not None:
        return es
    from workers.resources import es_client

    return es_client()


def _refusal(exc: ApiError) -> str:
    """The root cause Elasticsearch gives for a refused search, in one line."""
    info = exc.info if isinstance(exc.info, dict) else {}
    error = info.get("error") or {}
    causes = (error.get("root_cause") or [{}]) if isinstance(error, dict) else [{}]
    reason = causes[0].get("reason") or (error.get("reason") if isinstance(error, dict) else "")
    return str(reason or exc.message)


def search(
    request: SearchRequest, *, es: Any | None = None, settings: Settings | None = None
) -> SearchResult:
    """Run ``request`` on its index kind; raises ``SearchError`` for anything the user must fix."""
    settings = settings or get_settings()
    es = _client(es)
    try:
        body = build_query(request, _vocabulary(es, str(settings.config_dir)))
        body["from_"] = body.pop("from")
        response = es.search(index=settings.index_name(request.kind), **body)
    except NotFoundError as exc:
        raise SearchError(f"no {request.kind} index: run `communique es setup`") from exc
    except ApiError as exc:
        raise SearchError(f"Elasticsearch refused the search: {_refusal(exc)}") from exc
    except TransportError as exc:
        raise SearchError(f"Elasticsearch at {settings.es_url} is unreachable: {exc}") from exc
    return parse_response(request, response)


def explain_event(
    event_id: str, *, es: Any | None = None, settings: Settings | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A merged event and every mention it was built from (oldest first)."""
    settings = settings or get_settings()
    es = _client(es)
    try:
        event = es.get(index=settings.index_name("events"), id=event_id)["_source"]
    except NotFoundError as exc:
        raise SearchError(f"no event with id {event_id!r}") from exc
    except TransportError as exc:
        raise SearchError(f"Elasticsearch at {settings.es_url} is unreachable: {exc}") from exc
    ids = list(event.get("mention_ids") or [])
    mentions: list[dict[str, Any]] = []
    if ids:
        answer = es.mget(index=settings.index_name("mentions"), ids=ids)
        mentions = [d["_source"] for d in answer["docs"] if d.get("found")]
    mentions.sort(key=lambda m: (m.get("published") or "9999", m.get("id") or ""))
    return event, mentions
