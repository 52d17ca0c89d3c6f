"""Which URLs a fetch may request: the first URL's scheme and host, and every redirect hop's
target, checked before the request is sent (the connect-time SSRF guard then checks where the
host's name actually points)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

import httpx

from pipeline.errors import PermanentFetchError
from pipeline.fetch_policy import FetchPolicy
from pipeline.netguard import IPNetwork, check_host_literal


def check_url(url: str, policy: FetchPolicy, allowed_nets: Sequence[IPNetwork]) -> None:
    """Refuse ``url`` before any request: a scheme the policy does not allow, no host, or a
    host that is itself a non-public address (names are checked at connect time)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise PermanentFetchError(str(exc), subject=url, reason="bad_url") from exc
    scheme = parts.scheme.lower()
    if scheme not in policy.allowed_schemes:
        raise PermanentFetchError(
            f"scheme {scheme or '(none)'!r} not allowed", subject=url, reason="bad_scheme"
        )
    try:
        host = parts.hostname
    except ValueError as exc:
        raise PermanentFetchError(str(exc), subject=url, reason="bad_url") from exc
    if not host:
        raise PermanentFetchError("URL has no host", subject=url, reason="bad_url")
    check_host_literal(host, allowed_nets)


def next_hop(current: str, resp: httpx.Response, policy: FetchPolicy) -> str:
    """The absolute URL a redirect ``resp`` from ``current`` points to, refused when it has no
    Location, downgrades https to http or leaves the allowed schemes."""
    location: str | None = resp.headers.get("location")
    if not location:
        raise PermanentFetchError(
            f"HTTP {resp.status_code} without Location", subject=current, reason="bad_redirect"
        )
    nxt = urljoin(current, location.strip())
    if urlsplit(current).scheme.lower() == "https" and urlsplit(nxt).scheme.lower() == "http":
        raise PermanentFetchError(
            f"redirect downgrades https to http: {nxt}",
            subject=current,
            reason="redirect_downgrade",
        )
    scheme = urlsplit(nxt).scheme.lower()
    if scheme not in policy.allowed_schemes:
        raise PermanentFetchError(
            f"redirect to scheme {scheme!r}: {nxt}", subject=current, reason="bad_scheme"
        )
    return nxt
