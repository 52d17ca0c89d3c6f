"""The last stage of a fetch: the final response becomes a FetchedPage, or a FetchError.

Everything that can be refused from the headers (status, content type, declared length) is
refused before a byte of the body is read; the body is then read within the wire and
decompressed caps (:func:`pipeline.content_encoding.read_body`).
"""

from __future__ import annotations

import httpx

from pipeline.content_encoding import read_body
from pipeline.errors import PermanentFetchError, TransientFetchError
from pipeline.fetch_policy import FetchPolicy, Kind
from pipeline.http_headers import parse_retry_after, split_content_type
from pipeline.models import FetchedPage


def read_response(resp: httpx.Response, url: str, kind: Kind, policy: FetchPolicy) -> FetchedPage:
    """The final (non-redirect) response from ``url`` as a FetchedPage, or a FetchError: a 304
    comes back empty; otherwise the status, content type and declared length are checked before
    the body is read, within the policy's wire and decompressed caps."""
    status = resp.status_code
    headers = {k.lower(): v for k, v in resp.headers.items()}
    etag = resp.headers.get("etag")
    last_modified = resp.headers.get("last-modified")
    if status == 304:
        return FetchedPage(
            url=url,
            status=304,
            content=b"",
            etag=etag,
            last_modified=last_modified,
            headers=headers,
        )
    _raise_for_status(resp, url)
    mime, charset = split_content_type(resp.headers.get("content-type"))
    allowed = policy.content_types(kind)
    if mime is None and not policy.allow_missing_content_type:
        raise PermanentFetchError("no Content-Type", subject=url, reason="unsupported_content_type")
    if mime is not None and mime not in allowed:
        raise PermanentFetchError(
            f"content type {mime!r} not accepted for a {kind}",
            subject=url,
            reason="unsupported_content_type",
        )
    declared = resp.headers.get("content-length")
    if declared and declared.strip().isdigit() and int(declared) > policy.max_body_bytes:
        raise PermanentFetchError(
            f"Content-Length {declared} > {policy.max_body_bytes}",
            subject=url,
            reason="too_large",
        )
    content = read_body(
        resp.iter_raw(chunk_size=64 * 1024),
        resp.headers.get("content-encoding", ""),
        url=url,
        max_wire_bytes=policy.max_body_bytes,
        max_decoded_bytes=policy.max_decompressed_bytes,
    )
    return FetchedPage(
        url=url,
        status=status,
        content=content,
        content_type=mime,
        encoding=charset,
        etag=etag,
        last_modified=last_modified,
        headers=headers,
    )


def _raise_for_status(resp: httpx.Response, url: str) -> None:
    # 408/429/5xx are the server's passing trouble (429/503 say when to come back); other
    # statuses outside 2xx will not change on a retry
    status = resp.status_code
    if 200 <= status < 300:
        return
    reason = f"http_{status}"
    if status in (429, 503):
        raise TransientFetchError(
            f"HTTP {status}",
            subject=url,
            reason=reason,
            retry_after_s=parse_retry_after(resp.headers.get("retry-after")),
        )
    if status >= 500 or status == 408:
        raise TransientFetchError(f"HTTP {status}", subject=url, reason=reason)
    raise PermanentFetchError(f"HTTP {status}", subject=url, reason=reason)
