"""One error tree for the whole pipeline.

Expected outcomes are types: a task's base class maps them to skip / retry / dead-letter without
string matching.  Every exception carries the id (URL, feed id, article id) it concerns.
"""

from __future__ import annotations


class CommuniqueError(Exception):
    """Root of every error raised on purpose by communique."""

    #: machine-readable reason, used as the dead-letter ``reason`` and in feed health
    reason: str = "error"

    def __init__(self, message: str, *, subject: str | None = None, reason: str | None = None):
        super().__init__(message)
        self.subject = subject
        if reason is not None:
            self.reason = reason

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} [{self.subject}]" if self.subject else base


class SkipArticle(CommuniqueError):
    """Expected, final: duplicate, not news, wrong language, no text. Recorded, never retried."""

    reason = "skipped"


class FetchError(CommuniqueError):
    """Anything that went wrong getting bytes over HTTP."""

    reason = "fetch_error"


class TransientFetchError(FetchError):
    """Worth retrying with backoff: timeouts, connection resets, 429, 5xx."""

    reason = "transient"

    def __init__(
        self,
        message: str,
        *,
        subject: str | None = None,
        reason: str | None = None,
        retry_after_s: float | None = None,
    ):
        super().__init__(message, subject=subject, reason=reason)
        self.retry_after_s = retry_after_s


class PermanentFetchError(FetchError):
    """Retrying cannot help: 404/410, blocked by policy (SSRF, scheme), unsupported type, caps."""

    reason = "permanent"


class IndexingError(CommuniqueError):
    """Elasticsearch refused or could not take a write."""

    reason = "indexing_error"


class TransientIndexingError(IndexingError):
    """Elasticsearch unavailable, 429 or 5xx: retry."""

    reason = "es_unavailable"


class ConfigError(CommuniqueError):
    """A configuration file or setting is invalid."""

    reason = "config"
