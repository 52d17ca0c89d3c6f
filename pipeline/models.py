"""Types that cross stage boundaries.

Frozen dataclasses only: stages are pure functions over these values, and Celery messages carry
ids and versions, never these objects.  ``to_dict`` helpers give the JSON shape used by the
Elasticsearch document builders and the ``communique extract`` batch interface.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed from the registry (``config/feeds.yaml``)."""

    id: str
    url: str
    publisher: str = ""
    language: str = "en"
    poll_interval_s: int = 300
    tier: int = 2
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a parsed feed, with its identity already computed."""

    feed_id: str
    identity: str  # stable key: canonical URL, else GUID (see pipeline.ids.entry_identity)
    url: str  # absolute link to the article page
    guid: str | None = None
    title: str | None = None
    summary: str | None = None
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """Raw bytes of an HTTP response after every safety check passed."""

    url: str  # final URL after redirects
    status: int
    content: bytes
    content_type: str | None = None
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Note:
    """A recorded, non-fatal problem (one bad sentence never fails an article)."""

    code: str
    message: str
    stage: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    """An article as stored in the ``articles`` index (raw text is immutable)."""

    id: str
    url: str
    canonical_url: str
    text: str
    title: str | None = None
    published: datetime | None = None
    fetched_at: datetime | None = None
    language: str | None = None
    source: str | None = None  # publisher / site name
    author: str | None = None
    feed_ids: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # every URL that carried this story (syndication)
    content_fingerprint: str | None = None
    notes: tuple[Note, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (datetimes as ISO strings)."""
        result: dict[str, Any] = _jsonable(asdict(self))
        return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
