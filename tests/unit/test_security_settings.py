"""Credentials and TLS reach every client, and secrets are never shown."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from workers.app import celery_config, create_app
from workers.cli import app as cli
from workers.connections import (
    celery_broker_options,
    es_options,
    http_auth_headers,
    redact_url,
    redis_options,
)
from workers.settings import Settings, get_settings

SECRETS = {
    "COMMUNIQUE_REDIS_USERNAME": "worker",
    "COMMUNIQUE_REDIS_PASSWORD": "redis-s3cret-value",
    "COMMUNIQUE_ES_PASSWORD": "es-s3cret-value",
    "COMMUNIQUE_ES_USERNAME": "communique",
}


def test_communique_config_masks_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COMMUNIQUE_REDIS_URL", "redis://:url-s3cret-value@10.0.0.5:6379/0")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["config"], env={"COLUMNS": "250"})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    for secret in ("redis-s3cret-value", "es-s3cret-value", "url-s3cret-value"):
        assert secret not in result.output
    assert "**********" in result.output
    assert "redis://:***@10.0.0.5:6379/0" in result.output
    assert "worker" in result.output  # user names are not secret


def test_settings_repr_hides_secrets() -> None:
    settings = Settings(redis_password="redis-s3cret-value", es_api_key="key-s3cret-value")
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings)


def test_celery_broker_gets_credentials_beside_the_url_not_inside_it() -> None:
    settings = Settings(redis_username="worker", redis_password="redis-s3cret-value")
    conf = celery_config(settings)
    assert conf["broker_url"] == settings.redis_url
    assert conf["broker_user"] == "worker"
    assert conf["broker_password"] == "redis-s3cret-value"
    connection = create_app(settings).connection_for_write()
    assert connection.userid == "worker"
    assert connection.password == "redis-s3cret-value"
    assert "s3cret" not in connection.as_uri()  # what Celery logs and prints in its banner


def test_rediss_url_turns_on_verified_tls_for_broker_and_state_client(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    settings = Settings(redis_url="rediss://redis.example:6380/0", redis_ca_file=ca)
    broker = celery_broker_options(settings)["broker_use_ssl"]
    assert broker == {"ssl_cert_reqs": ssl.CERT_REQUIRED, "ssl_ca_certs": str(ca)}
    assert redis_options(settings) == {"ssl_cert_reqs": "required", "ssl_ca_certs": str(ca)}
    connection = create_app(settings).connection_for_write()
    assert connection.ssl == broker


def test_state_client_built_from_options_authenticates_as_the_user() -> None:
    import redis

    settings = Settings(redis_username="worker", redis_password="redis-s3cret-value")
    client = redis.Redis.from_url(settings.redis_url, **redis_options(settings))
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs["username"] == "worker" and kwargs["password"] == "redis-s3cret-value"


def test_elasticsearch_options_basic_auth_or_api_key_and_ca(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    basic = Settings(
        es_url="https://es.example:9200",
        es_username="communique",
        es_password="es-s3cret-value",
        es_ca_file=ca,
    )
    assert es_options(basic) == {
        "basic_auth": ("communique", "es-s3cret-value"),
        "ca_certs": str(ca),
    }
    assert http_auth_headers(basic) == {
        "Authorization": "Basic Y29tbXVuaXF1ZTplcy1zM2NyZXQtdmFsdWU="
    }
    keyed = Settings(es_api_key="aWQ6a2V5")
    assert es_options(keyed) == {"api_key": "aWQ6a2V5"}
    assert http_auth_headers(keyed) == {"Authorization": "ApiKey aWQ6a2V5"}
    assert es_options(Settings()) == {} and http_auth_headers(Settings()) == {}


@pytest.mark.parametrize(
    "fields",
    [
        {"redis_ca_file": "/etc/ssl/ca.pem"},  # a CA over plain redis:// would send in clear
        {"es_ca_file": "/etc/ssl/ca.pem"},
        {"es_api_key": "k", "es_username": "u", "es_password": "p"},
        {"es_username": "u"},
        {"redis_username": "u"},
    ],
)
def test_settings_refuse_inconsistent_security(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings(**fields)  # type: ignore[arg-type]


def test_redact_url() -> None:
    assert redact_url("redis://u:pw@h:1/0") == "redis://u:***@h:1/0"
    assert redact_url("http://127.0.0.1:9200") == "http://127.0.0.1:9200"


def test_kibana_setup_sends_the_elasticsearch_credentials() -> None:
    import httpx

    from workers.kibana import import_saved_objects

    seen: dict[str, str | None] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["auth"] = request.headers.get("authorization")
        return httpx.Response(200, json={"success": True, "successCount": 1})

    settings = Settings(es_api_key="aWQ6a2V5")
    import_saved_objects(
        "http://kibana.test",
        b"{}\n",
        auth_headers=http_auth_headers(settings),
        transport=httpx.MockTransport(handler),
    )
    assert seen["auth"] == "ApiKey aWQ6a2V5"
