"""`communique services` with a Redis password: the Redis it starts requires it, and every
services command authenticates (a private Redis on a free port; the shared one is untouched)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import redis

from workers import services
from workers.settings import Settings

pytestmark = pytest.mark.integration

SECRET = "svc-s3cret-value"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("username", ["", "communique"])
def test_redis_started_with_a_password_requires_it(tmp_path: Path, username: str) -> None:
    url = f"redis://127.0.0.1:{_free_port()}/0"
    settings = Settings(
        redis_url=url, redis_username=username, redis_password=SECRET, state_dir=tmp_path
    )
    try:
        assert "started" in services.redis_up(settings)
        assert "already answering" in services.redis_up(settings)  # idempotent, authenticated
        with pytest.raises(redis.AuthenticationError):
            redis.Redis.from_url(url, socket_timeout=2).ping()
        with pytest.raises(services.ServiceError, match="refuses our credentials"):
            services.redis_ping(settings.model_copy(update={"redis_password": None}))
        auth_file = tmp_path / "redis" / "auth.conf"
        assert auth_file.stat().st_mode & 0o077 == 0
        assert SECRET not in auth_file.read_text()  # stored hashed
        rows = {name: state for name, _, state in services.status(settings)}
        assert rows["redis"] == "up"
    finally:
        assert services.redis_down(settings) == "redis stopped"
    assert not services.redis_ping(settings)
