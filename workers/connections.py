"""How settings become client options: credentials and TLS for Redis and Elasticsearch.

One place maps the security settings to every client, so none of them can be forgotten: the
Celery broker (``celery_broker_options``), our Redis state client and the ``services`` commands
(``redis_options``), the Elasticsearch client (``es_options``), and the plain HTTP calls of
``services`` and ``kibana-setup`` (``http_auth_headers`` and ``tls_context``).

Secrets leave their ``SecretStr`` only here, straight into a client's arguments; they are never
put into a URL (URLs end up in logs and banners) and never logged.
"""

from __future__ import annotations

import base64
import ssl
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from workers.settings import Settings


def redis_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``redis.Redis.from_url(settings.redis_url, ...)``."""
    options: dict[str, Any] = {}
    if settings.redis_username:
        options["username"] = settings.redis_username
    if settings.redis_password:
        options["password"] = settings.redis_password.get_secret_value()
    if settings.redis_url.startswith("rediss://"):
        options["ssl_cert_reqs"] = "required"
        if settings.redis_ca_file:
            options["ssl_ca_certs"] = str(settings.redis_ca_file)
    return options


def celery_broker_options(settings: Settings) -> dict[str, Any]:
    """Celery's broker settings: the URL, and credentials and TLS beside it (never inside it).

    There is no result backend (``task_ignore_result``), so the broker is Celery's only
    connection to Redis.
    """
    conf: dict[str, Any] = {"broker_url": settings.redis_url}
    if settings.redis_username:
        conf["broker_user"] = settings.redis_username
    if settings.redis_password:
        conf["broker_password"] = settings.redis_password.get_secret_value()
    if settings.redis_url.startswith("rediss://"):
        conf["broker_use_ssl"] = {
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
            "ssl_ca_certs": str(settings.redis_ca_file) if settings.redis_ca_file else None,
        }
    return conf


def es_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``elasticsearch.Elasticsearch(settings.es_url, ...)``."""
    options: dict[str, Any] = {}
    if settings.es_api_key:
        options["api_key"] = settings.es_api_key.get_secret_value()
    elif settings.es_username and settings.es_password:
        options["basic_auth"] = (settings.es_username, settings.es_password.get_secret_value())
    if settings.es_ca_file:
        options["ca_certs"] = str(settings.es_ca_file)
    return options


def http_auth_headers(settings: Settings) -> dict[str, str]:
    """The ``Authorization`` header for plain HTTP calls to Elasticsearch or Kibana."""
    if settings.es_api_key:
        return {"Authorization": f"ApiKey {settings.es_api_key.get_secret_value()}"}
    if settings.es_username and settings.es_password:
        pair = f"{settings.es_username}:{settings.es_password.get_secret_value()}"
        return {"Authorization": f"Basic {base64.b64encode(pair.encode()).decode()}"}
    return {}


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """A verifying TLS context: the given CA bundle, else the system's."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


def redact_url(url: str) -> str:
    """``url`` with any password in it replaced by ``***`` (for display)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
