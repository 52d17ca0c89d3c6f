"""The fetcher's network layer: a verifying TLS context and an httpx transport whose sockets
open only through the connect-time SSRF guard (:class:`pipeline.netguard.GuardedBackend`)."""

from __future__ import annotations

import ssl

import certifi
import httpcore
import httpx

from pipeline.fetch_policy import FetchPolicy
from pipeline.netguard import ConnectHook, GuardedBackend, Resolver, parse_networks


class GuardedTransport(httpx.HTTPTransport):
    """httpx transport whose connection pool opens sockets only through GuardedBackend."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        resolver: Resolver | None,
        ssl_context: ssl.SSLContext,
        on_connect: ConnectHook | None,
    ):
        super().__init__(verify=ssl_context, trust_env=False)
        backend = GuardedBackend(
            resolver=resolver,
            allowed_networks=parse_networks(policy.allowed_private_networks),
            on_connect=on_connect,
        )
        # httpx has no public hook for the network backend; swap the pool it built for one
        # that is identical except for the backend (checked in tests via on_connect).
        old = self._pool
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=policy.max_connections,
            max_keepalive_connections=policy.max_connections,
            keepalive_expiry=30.0,
            http1=True,
            http2=False,
            network_backend=backend,
        )
        old.close()


def default_ssl_context() -> ssl.SSLContext:
    """Verifying TLS context on certifi's CA bundle (never the environment's SSL_CERT_FILE)."""
    ctx = ssl.create_default_context(cafile=certifi.where())
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx
