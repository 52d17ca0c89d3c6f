"""Local Redis from Debian's ``redis-server`` package: AOF everysec, noeviction, optional ACL."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from workers.connections import redis_options
from workers.services.common import ServiceError, is_local_address, run_command, say
from workers.settings import Settings


def redis_endpoint(settings: Settings) -> tuple[str, int]:
    """The (host, port) of the configured Redis."""
    parsed = urlparse(settings.redis_url)
    return parsed.hostname or "127.0.0.1", parsed.port or 6379


def _redis(settings: Settings, timeout_s: float) -> Any:
    import redis

    return redis.Redis.from_url(
        settings.redis_url, socket_timeout=timeout_s, **redis_options(settings)
    )


def redis_ping(settings: Settings) -> bool:
    """True when the configured Redis answers PING to our credentials."""
    import redis

    try:
        return bool(_redis(settings, 2).ping())
    except redis.AuthenticationError as exc:
        # something answers but refuses us: starting a second Redis on its port cannot help
        host, port = redis_endpoint(settings)
        raise ServiceError(f"Redis at {host}:{port} refuses our credentials ({exc})") from exc
    except redis.RedisError:
        return False


def _write_redis_auth(settings: Settings, state: Path) -> Path:
    """A 0600 config file with the ACL rule for the configured credentials.

    The password is stored as its SHA-256 (``#hash``), so it is neither on the command line
    (visible in ps) nor in clear on disk.
    """
    assert settings.redis_password is not None
    digest = hashlib.sha256(settings.redis_password.get_secret_value().encode()).hexdigest()
    user = settings.redis_username or "default"
    lines = [] if user == "default" else ["user default off"]
    lines.append(f"user {user} on resetpass #{digest} ~* &* +@all")
    path = state / "auth.conf"
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("\n".join(lines) + "\n")
    return path


def _ensure_redis_binary() -> str:
    binary = shutil.which("redis-server")
    if binary:
        return binary
    if os.geteuid() != 0:
        raise ServiceError(
            "redis-server is not installed and this user cannot apt-get it: "
            "run `sudo apt-get install -y redis-server` once"
        )
    say("installing redis-server from Debian's packages (apt-get)…")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "redis-server"]):
        result = run_command(cmd, env=env)
        if result.returncode != 0:
            raise ServiceError(f"{' '.join(cmd)} failed:\n{result.stderr[-2000:]}")
    binary = shutil.which("redis-server")
    if not binary:
        raise ServiceError("apt-get installed redis-server but it is not on PATH")
    return binary


def redis_up(settings: Settings) -> str:
    """Start Redis (AOF everysec, noeviction) unless something already answers."""
    host, port = redis_endpoint(settings)
    if redis_ping(settings):
        return f"redis already answering on {host}:{port}"
    if settings.redis_url.startswith("rediss://"):
        raise ServiceError(f"nothing answers TLS on {host}:{port}: run your TLS Redis there")
    if not is_local_address(host):
        raise ServiceError(f"Redis at {host}:{port} does not answer and is not local: start it")
    binary = _ensure_redis_binary()
    state = settings.state_dir / "redis"
    state.mkdir(parents=True, exist_ok=True)
    # a config file first (its ACL rule when a password is set), then the options below
    auth = [str(_write_redis_auth(settings, state))] if settings.redis_password else []
    cmd = [
        binary,
        *auth,
        "--bind", socket.gethostbyname(host),
        "--port", str(port),
        "--daemonize", "yes",
        "--dir", str(state),
        "--pidfile", str(state / "redis.pid"),
        "--logfile", str(state / "redis.log"),
        # at-least-once needs the broker to survive a crash with ≤1 s of publishes lost …
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        # … and never to evict queued work silently when memory runs out
        "--maxmemory-policy", "noeviction",
        "--save", "",
    ]  # fmt: skip
    result = run_command(cmd)
    if result.returncode != 0:
        raise ServiceError(f"redis-server failed to start: {result.stderr or result.stdout}")
    for _ in range(50):
        if redis_ping(settings):
            return f"redis started on {host}:{port} (data in {state})"
        time.sleep(0.1)
    log = state / "redis.log"
    tail = log.read_text()[-2000:] if log.exists() else "(no log)"
    raise ServiceError(f"redis did not answer on {host}:{port}; log tail:\n{tail}")


def redis_down(settings: Settings) -> str:
    """Stop the Redis that ``redis_up`` started (never a Redis it did not start)."""
    pidfile = settings.state_dir / "redis" / "redis.pid"
    if not pidfile.exists():
        return "redis: not started by communique (left alone)"
    import redis

    try:
        _redis(settings, 5).shutdown()
    except redis.ConnectionError:
        pass  # shutdown closes the connection under us: that is success
    except redis.RedisError as exc:
        return f"redis: shutdown refused: {exc}"
    pidfile.unlink(missing_ok=True)
    return "redis stopped"
