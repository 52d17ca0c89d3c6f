"""Redis over TLS with an ACL user, for real: a private TLS-only redis-server on loopback.

The Celery broker (through the app's own transport), the state client options and the
`services` check all connect with ``rediss://``, the CA file and the credentials; a wrong CA is
refused (the certificate is verified, not merely encrypted).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from workers import services
from workers.app import create_app
from workers.connections import redis_options
from workers.routing import POLL_QUEUE
from workers.settings import Settings

pytestmark = pytest.mark.integration

SECRET = "tls-s3cret-value"


def _self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture()
def tls_redis(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """(rediss URL, the server's certificate as CA, an unrelated CA) of a private TLS Redis."""
    if shutil.which("openssl") is None or shutil.which("redis-server") is None:
        pytest.skip("openssl and redis-server are needed for a private TLS Redis")
    cert, key = _self_signed(tmp_path, "server")
    stranger, _ = _self_signed(tmp_path, "stranger")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", "0", "--tls-port", str(port),
         "--tls-cert-file", str(cert), "--tls-key-file", str(key),
         "--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no",
         "--save", "", "--appendonly", "no", "--dir", str(tmp_path),
         "--user", "default", "off", "--user", "communique", "on", f">{SECRET}",
         "~*", "&*", "+@all"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not _listening(port):
            assert time.monotonic() < deadline and server.poll() is None, "TLS Redis did not start"
            time.sleep(0.05)
        yield f"rediss://127.0.0.1:{port}/0", cert, stranger
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_broker_state_client_and_services_speak_tls_with_credentials(
    tls_redis: tuple[str, Path, Path],
) -> None:
    url, ca, _ = tls_redis
    settings = Settings(
        redis_url=url, redis_username="communique", redis_password=SECRET, redis_ca_file=ca
    )
    state = redis.Redis.from_url(url, decode_responses=True, **redis_options(settings))
    state.set("communique:tls-probe", "ok")
    assert state.get("communique:tls-probe") == "ok"
    assert services.redis_ping(settings)
    create_app(settings).send_task("communique.poll_feed", args=("tls-feed",))
    assert state.llen(POLL_QUEUE) == 1  # published by Celery over TLS as the ACL user
    with pytest.raises(redis.ConnectionError):  # plain text is not spoken there at all
        redis.Redis.from_url(url.replace("rediss://", "redis://"), socket_timeout=2).ping()
    state.close()


def test_a_server_certificate_from_another_ca_is_refused(
    tls_redis: tuple[str, Path, Path],
) -> None:
    url, _, stranger = tls_redis
    settings = Settings(
        redis_url=url, redis_username="communique", redis_password=SECRET, redis_ca_file=stranger
    )
    with pytest.raises(redis.ConnectionError, match=r"(?i)certificate"):
        redis.Redis.from_url(url, socket_timeout=2, **redis_options(settings)).ping()
    assert not services.redis_ping(settings)
