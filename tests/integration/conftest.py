"""Fixtures for the real local Redis and Elasticsearch.

Each test session gets its own index prefix and Redis db, and removes both afterwards. The
services must be up (the README's test command starts them); a missing service fails loudly
rather than skipping, because a skipped integration suite proves nothing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from elasticsearch import Elasticsearch

from pipeline.index.templates import apply_templates, delete_prefix
from tests.integration.stack import REDIS_BASE, Stack, stack_factory
from workers.settings import PROJECT_ROOT

ES_URL = os.environ.get("COMMUNIQUE_TEST_ES_URL", "http://127.0.0.1:9200")
TEST_REDIS_DB = 13


@pytest.fixture(scope="session")
def es() -> Iterator[Elasticsearch]:
    client = Elasticsearch(ES_URL, request_timeout=30)
    try:
        client.cluster.health(wait_for_status="yellow", timeout="30s")
    except Exception as exc:
        pytest.fail(f"Elasticsearch at {ES_URL} is unavailable ({exc}): `communique services up`")
    yield client
    client.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    return f"{REDIS_BASE}/{TEST_REDIS_DB}"


@pytest.fixture()
def r(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {redis_url} is not available ({exc}); run `communique services up`")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture()
def prefix(es: Elasticsearch) -> Iterator[str]:
    """A fresh index prefix with templates applied; everything under it is deleted after."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    apply_templates(es, PROJECT_ROOT / "config", name)
    yield name
    delete_prefix(es, name)


@pytest.fixture()
def stack_for(tmp_path: Path, es: Elasticsearch) -> Iterator[Callable[..., Stack]]:
    """Start real Celery workers on a feed URL (see tests/integration/stack.py)."""
    yield from stack_factory(tmp_path, es)
