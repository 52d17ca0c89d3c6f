"""The local services as `communique services up` provisions them."""

from __future__ import annotations

import urllib.request

import pytest
import redis

from workers import services
from workers.settings import Settings

pytestmark = pytest.mark.integration


def test_status_reports_both_services_up() -> None:
    rows = {name: state for name, _, state in services.status(Settings())}
    assert rows["redis"] == "up"
    assert rows["elasticsearch"].startswith("up (")


def test_redis_we_started_keeps_queued_work_safe() -> None:
    settings = Settings()
    if not (settings.state_dir / "redis" / "redis.pid").exists():
        pytest.skip(
            "this Redis was not started by `communique services up` (its config is not ours)"
        )
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    assert client.config_get("appendonly")["appendonly"] == "yes"
    assert client.config_get("appendfsync")["appendfsync"] == "everysec"
    assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"


def test_curl_on_the_root_answers_as_elasticsearch() -> None:
    with urllib.request.urlopen(Settings().es_url, timeout=10) as response:
        body = response.read().decode()
        assert response.headers.get("X-elastic-product") == "Elasticsearch"
    assert '"tagline" : "You Know, for Search"' in body


def test_es_up_is_idempotent_when_already_running() -> None:
    assert "already answering" in services.es_up(Settings())
    assert "already answering" in services.redis_up(Settings())


def test_read_versions_has_the_one_es_version() -> None:
    versions = services.read_versions()
    assert versions["ES_VERSION"].split(".")[0] == "8"
