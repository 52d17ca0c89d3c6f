"""Per-process resources, created lazily once per worker process.

Network clients (Elasticsearch, Redis, the HTTP fetcher) belong to the process that built them.
A pool process forked from Celery's main process must never reuse an inherited keep-alive
socket: two processes reading one socket receive each other's answers (a GET answered by
another request's 201). So every client is cached per PID: a forked child finds the cache
empty and builds its own (the cache is also dropped at fork by ``os.register_at_fork``, and
``close_clients`` lets the main process close what it used before children are forked). The
spaCy model holds no socket and is loaded once per process (it is the costly part).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import redis
from elasticsearch import Elasticsearch

from workers.connections import es_options, redis_options
from workers.settings import Settings, get_settings

if TYPE_CHECKING:
    from pipeline.fetch import SafeFetcher

T = TypeVar("T")

_lock = threading.Lock()
#: (kind, arguments) → client, valid only in the process whose PID is ``_owner``
_clients: dict[tuple[Any, ...], Any] = {}
_owner = os.getpid()


def forget_inherited() -> None:
    """In a forked child: drop (never close: the parent still uses them) inherited clients."""
    global _lock, _owner
    _lock = threading.Lock()  # a lock held by another thread at fork time would never be freed
    _clients.clear()
    _owner = os.getpid()


os.register_at_fork(after_in_child=forget_inherited)


def _per_process(key: tuple[Any, ...], build: Callable[[], T]) -> T:
    if _owner != os.getpid():  # forked without the at-fork hook (belt and braces)
        forget_inherited()
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = build()
        return client  # type: ignore[no-any-return]


def close_clients() -> None:
    """Close this process's clients (the next use builds new ones); e.g. before forking."""
    with _lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        with contextlib.suppress(Exception):  # best effort: the client is dropped either way
            client.close()


def es_client(url: str | None = None, timeout_s: float | None = None) -> Elasticsearch:
    """This process's Elasticsearch client for ``url`` (settings' by default)."""
    settings = get_settings()
    url = url or settings.es_url
    timeout = timeout_s or settings.es_request_timeout_s
    options = es_options(settings)  # credentials and CA: workers/connections.py
    return _per_process(
        ("es", url, timeout),
        lambda: Elasticsearch(
            url, request_timeout=timeout, retry_on_timeout=True, max_retries=2, **options
        ),
    )


def redis_client(url: str | None = None) -> redis.Redis:
    """This process's Redis client (decoded strings) for ledger, dead letters and feed state."""
    settings = get_settings()
    url = url or settings.redis_url
    options = redis_options(settings)  # credentials and TLS: workers/connections.py
    return _per_process(
        ("redis", url), lambda: redis.Redis.from_url(url, decode_responses=True, **options)
    )


def fetch_policy(settings: Settings) -> Any:
    """The fetch policy built from settings (one place maps settings to policy fields)."""
    from pipeline.fetch import FetchPolicy

    networks = frozenset(
        n.strip() for n in settings.allowed_private_networks.split(",") if n.strip()
    )
    return FetchPolicy(
        total_deadline_s=settings.fetch_deadline_s,
        max_body_bytes=settings.fetch_max_bytes,
        user_agent=settings.user_agent,
        allowed_private_networks=networks,
    )


def fetcher() -> SafeFetcher:
    """This process's safe HTTP fetcher."""
    from pipeline.fetch import SafeFetcher

    return _per_process(("fetcher",), lambda: SafeFetcher(fetch_policy(get_settings())))


_extractor: Any = None


def extractor() -> Any:
    """The event extractor with its spaCy model, loaded once per process."""
    global _extractor
    with _lock:
        if _extractor is None:
            from pipeline.nlp.extractor import EventExtractor

            settings = get_settings()
            _extractor = EventExtractor(settings.spacy_model, config_dir=settings.config_dir)
        return _extractor


def setup_indices(settings: Settings | None = None) -> Any:
    """Apply index templates and create aliased indices (CLI `es setup` and worker start)."""
    from pipeline.index.templates import apply_templates

    settings = settings or get_settings()
    return apply_templates(es_client(), settings.config_dir, settings.index_prefix)
