"""The only HTTP client of the pipeline: a fetcher that assumes every server is hostile.

What it guarantees (see docs/reliability.md, checklist 18-35):

* scheme allow-list on the first URL and on every redirect hop; https -> http refused;
* SSRF refusal at connect time (``pipeline.netguard``), so DNS rebinding and redirects to
  internal hosts are caught where it matters;
* one TOTAL deadline for the whole fetch, redirects included (slowloris);
* a cap on bytes read from the wire and a separate cap on decompressed bytes (bombs);
* the content type is checked from the headers, before the body is read;
* every failure is a :class:`~pipeline.errors.FetchError` with the URL as ``subject`` and a
  machine-readable ``reason``.

Reasons (``exc.reason``): Permanent -- ``ssrf_blocked``, ``bad_scheme``, ``bad_url``,
``too_many_redirects``, ``redirect_downgrade``, ``bad_redirect``, ``unsupported_content_type``,
``unsupported_content_encoding``, ``bad_encoding``, ``too_large``, ``decompressed_too_large``,
``tls``, ``http_<status>`` (404, 410, other 4xx); Transient -- ``deadline``, ``timeout``,
``connection``, ``http_<status>`` (408, 429, 5xx; ``retry_after_s`` from Retry-After).

This module runs one fetch: the hops under the total deadline, and every exception of the
network layer mapped to its reason.  The stages it runs have their own modules: the limits in
:mod:`pipeline.fetch_policy`, the URL and redirect checks in :mod:`pipeline.fetch_urls`, the
SSRF-guarded transport and TLS context in :mod:`pipeline.fetch_transport`, and the reading of the
final response in :mod:`pipeline.fetch_response`.

The client comes from the caller's process (workers build one per process); nothing here reads
the environment -- ``trust_env=False`` stops httpx from picking up proxy variables too.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import ssl
import time
from collections.abc import Iterator, Mapping

import httpx

from pipeline.content_encoding import accept_encoding
from pipeline.errors import FetchError, PermanentFetchError, TransientFetchError
from pipeline.fetch_policy import FetchPolicy, Kind
from pipeline.fetch_response import read_response
from pipeline.fetch_transport import GuardedTransport, default_ssl_context
from pipeline.fetch_urls import check_url, next_hop
from pipeline.models import FetchedPage
from pipeline.netguard import (
    BadHost,
    ConnectHook,
    DeadlineExceeded,
    Resolver,
    SSRFBlocked,
    deadline_scope,
    parse_networks,
)

# FetchPolicy is part of SafeFetcher's signature, so callers import the two from here
__all__ = ["FetchPolicy", "SafeFetcher"]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def _ssl_in_chain(exc: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, ssl.SSLError | ssl.CertificateError):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


class SafeFetcher:
    """Fetch feeds and pages under a :class:`FetchPolicy`.

    ``transport`` replaces the whole network layer (e.g. ``httpx.MockTransport``): the scheme,
    literal-IP, redirect, type and size checks still apply, the connect-time SSRF guard does not.
    ``resolver`` and ``on_connect`` are seams for tests (DNS answers; which IP was connected).
    Thread-safe for concurrent ``fetch`` calls (httpx pools connections; deadlines are
    per-context).
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        *,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        on_connect: ConnectHook | None = None,
    ):
        self.policy = policy or FetchPolicy()
        self._allowed_nets = parse_networks(self.policy.allowed_private_networks)
        if transport is None:
            transport = GuardedTransport(
                self.policy,
                resolver=resolver,
                ssl_context=ssl_context or default_ssl_context(),
                on_connect=on_connect,
            )
        p = self.policy
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,  # by hand, so every hop is re-checked
            trust_env=False,
            timeout=httpx.Timeout(
                connect=p.connect_timeout_s,
                read=p.read_timeout_s,
                write=p.read_timeout_s,
                pool=p.connect_timeout_s,
            ),
            headers={"User-Agent": p.user_agent, "Accept-Encoding": accept_encoding()},
            # a jar that accepts no cookie: nothing from one site rides along to another, and
            # concurrent fetches share no state
            cookies=http.cookiejar.CookieJar(
                policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
            ),
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def __enter__(self) -> SafeFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: Kind = "feed",
    ) -> FetchedPage:
        """GET ``url`` and return its bytes, or raise a FetchError with a ``reason``.

        With ``etag``/``last_modified`` the request is conditional; a 304 comes back as a
        FetchedPage with status 304 and empty content.  ``kind`` picks the content-type gate.
        """
        started = time.monotonic()
        url = url.strip() if isinstance(url, str) else url
        current = url
        try:
            with deadline_scope(self.policy.total_deadline_s):
                for _hop in range(self.policy.max_redirects + 1):
                    check_url(current, self.policy, self._allowed_nets)
                    headers = self._request_headers(kind, etag, last_modified)
                    with self._send(current, headers) as resp:
                        if resp.status_code in _REDIRECT_STATUSES:
                            current = next_hop(current, resp, self.policy)
                            continue
                        return read_response(resp, current, kind, self.policy)
                raise PermanentFetchError(
                    f"more than {self.policy.max_redirects} redirects",
                    subject=url,
                    reason="too_many_redirects",
                )
        except FetchError:
            raise
        except SSRFBlocked as exc:
            raise PermanentFetchError(str(exc), subject=current, reason="ssrf_blocked") from exc
        except DeadlineExceeded as exc:
            raise self._deadline_error(current, started) from exc
        except httpx.TimeoutException as exc:
            # a socket timeout cut short by the total budget is the deadline, not a slow read
            if time.monotonic() - started >= self.policy.total_deadline_s - 0.01:
                raise self._deadline_error(current, started) from exc
            raise TransientFetchError(
                f"timeout: {exc!r}", subject=current, reason="timeout"
            ) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, BadHost, UnicodeError) as exc:
            raise PermanentFetchError(str(exc), subject=current, reason="bad_url") from exc
        except httpx.TransportError as exc:
            if _ssl_in_chain(exc):
                # fail closed: a certificate we cannot verify is never "retry without checks"
                raise PermanentFetchError(
                    f"TLS failure: {exc}", subject=current, reason="tls"
                ) from exc
            raise TransientFetchError(
                f"connection failed: {exc!r}", subject=current, reason="connection"
            ) from exc

    # -- steps ----------------------------------------------------------------------------

    def _deadline_error(self, url: str, started: float) -> TransientFetchError:
        spent = time.monotonic() - started
        return TransientFetchError(
            f"total deadline {self.policy.total_deadline_s}s exceeded after {spent:.2f}s",
            subject=url,
            reason="deadline",
        )

    def _request_headers(
        self, kind: Kind, etag: str | None, last_modified: str | None
    ) -> dict[str, str]:
        accept = (
            "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
            if kind == "feed"
            else "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
        )
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    @contextlib.contextmanager
    def _send(self, url: str, headers: Mapping[str, str]) -> Iterator[httpx.Response]:
        request = self._client.build_request("GET", url, headers=headers)
        response = self._client.send(request, stream=True)
        try:
            yield response
        finally:
            response.close()
