"""Local Redis and Elasticsearch without Docker: ``communique services up|down|status``.

Idempotent: ``up`` reuses whatever already answers on the configured ports and starts only what
is missing. Redis comes from Debian's ``redis-server`` package; Elasticsearch from Maven Central's
``integ-test-zip`` artifact (fetched with ``mvn dependency:copy`` into a cache that survives runs),
run as a dedicated non-root user because Elasticsearch refuses to run as root.
"""

from __future__ import annotations

from workers.connections import redact_url
from workers.services.common import ServiceError, read_versions
from workers.services.elasticsearch_server import es_down, es_health, es_up
from workers.services.redis_server import redis_down, redis_endpoint, redis_ping, redis_up
from workers.settings import Settings

__all__ = [
    "ServiceError",
    "down",
    "es_down",
    "es_health",
    "es_up",
    "read_versions",
    "redis_down",
    "redis_ping",
    "redis_up",
    "status",
    "up",
]


def up(settings: Settings) -> list[str]:
    """Bring both services up (idempotent)."""
    return [redis_up(settings), es_up(settings)]


def down(settings: Settings) -> list[str]:
    """Stop the services communique started."""
    return [redis_down(settings), es_down(settings)]


def status(settings: Settings) -> list[tuple[str, str, str]]:
    """(service, address, state) rows."""
    host, port = redis_endpoint(settings)
    try:
        redis_state = "up" if redis_ping(settings) else "down"
    except ServiceError:
        redis_state = "down (refuses our credentials)"
    try:
        health = es_health(settings)
        es_state = f"up ({health.get('status')})" if health else "down"
    except ServiceError:
        es_state = "down (refuses our credentials)"
    shown = redact_url(settings.es_url)
    return [("redis", f"{host}:{port}", redis_state), ("elasticsearch", shown, es_state)]
