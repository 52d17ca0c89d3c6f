"""Per-process resources, created lazily once per worker process.

Clients are not fork-safe, so they are built on first use inside the child, never at import
time in the parent. The spaCy model is loaded once per process (it is the costly part).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import redis
from elasticsearch import Elasticsearch

from workers.connections import es_options, redis_options
from workers.settings import Settings, get_settings

if TYPE_CHECKING:
    from pipeline.fetch import SafeFetcher

_lock = threading.Lock()


@lru_cache(maxsize=4)
def es_client(url: str | None = None, timeout_s: float | None = None) -> Elasticsearch:
    """The Elasticsearch client for ``url`` (settings' by default)."""
    settings = get_settings()
    return Elasticsearch(
        url or settings.es_url,
        request_timeout=timeout_s or settings.es_request_timeout_s,
        retry_on_timeout=True,
        max_retries=2,
        **es_options(settings),  # credentials and CA: workers/connections.py
    )


@lru_cache(maxsize=4)
def redis_client(url: str | None = None) -> redis.Redis:
    """A Redis client (decoded strings) for ledger, dead letters and feed state."""
    settings = get_settings()
    return redis.Redis.from_url(
        url or settings.redis_url, decode_responses=True, **redis_options(settings)
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


@lru_cache(maxsize=1)
def fetcher() -> SafeFetcher:
    """The process's safe HTTP fetcher."""
    from pipeline.fetch import SafeFetcher

    return SafeFetcher(fetch_policy(get_settings()))


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
