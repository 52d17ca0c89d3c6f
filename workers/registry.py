"""The feed registry: ``config/feeds.yaml`` validated into ``FeedSpec`` values."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field, HttpUrl, ValidationError

from pipeline.errors import ConfigError
from pipeline.models import FeedSpec


class FeedConfig(BaseModel):
    """One feed as written in feeds.yaml."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    url: HttpUrl
    publisher: str = ""
    language: str = "en"
    poll_interval: int = Field(300, ge=30, le=86_400, description="seconds")
    tier: int = Field(2, ge=1, le=3)
    enabled: bool = True

    def to_spec(self) -> FeedSpec:
        """The frozen value the pipeline uses."""
        return FeedSpec(
            id=self.id,
            url=str(self.url),
            publisher=self.publisher,
            language=self.language,
            poll_interval_s=self.poll_interval,
            tier=self.tier,
            enabled=self.enabled,
        )


def load_feeds(path: Path) -> list[FeedSpec]:
    """Every feed of the registry file; a clear ConfigError names the bad entry."""
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read feed registry: {exc}", subject=str(path)) from exc
    items = raw.get("feeds", []) if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise ConfigError("feed registry must hold a list under 'feeds:'", subject=str(path))
    feeds: list[FeedSpec] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        try:
            feed = FeedConfig.model_validate(item).to_spec()
        except ValidationError as exc:
            raise ConfigError(f"feed #{position + 1} is invalid: {exc}", subject=str(path)) from exc
        if feed.id in seen:
            raise ConfigError(f"duplicate feed id {feed.id!r}", subject=str(path))
        seen.add(feed.id)
        feeds.append(feed)
    return feeds
