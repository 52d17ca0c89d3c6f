"""Private Redis and Elasticsearch instances the fault suite may kill and restart.

They listen on their own ports with their own data directories, so the shared services on
6379/9200 are never touched. Elasticsearch is started through ``workers.services`` (the same code
as ``communique services up``) with a settings object pointing at a private port and state dir.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from workers import services
from workers.settings import Settings

REDIS_PORT = int(os.environ.get("COMMUNIQUE_FAULTS_REDIS_PORT", "16391"))
# other ports let two fault runs share a machine; ES transport is on ES_PORT + 100
ES_PORT = int(os.environ.get("COMMUNIQUE_FAULTS_ES_PORT", "19201"))


class PrivateRedis:
    """A redis-server child process; restartable with or without persistence."""

    def __init__(self, workdir: Path, port: int = REDIS_PORT) -> None:
        self.workdir = workdir
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        self.appendonly = True

    def url(self, db: int = 0) -> str:
        """The URL of logical database ``db``."""
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, *, appendonly: bool = True, fresh: bool = False) -> None:
        """Start (AOF everysec like production, or no persistence at all); wait for PING."""
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (apt-get install redis-server)"
        data = self.workdir / ("aof" if appendonly else "volatile")
        if fresh:
            shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True, exist_ok=True)
        self.appendonly = appendonly
        cmd = [
            binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(data),
            "--appendonly", "yes" if appendonly else "no", "--appendfsync", "everysec",
            "--save", "", "--maxmemory-policy", "noeviction", "--daemonize", "no",
            "--logfile", str(self.workdir / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(cmd)
        client = redis.Redis.from_url(self.url(), socket_timeout=1)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise AssertionError(f"private redis on {self.port} did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGTERM: clean shutdown, AOF flushed; SIGKILL: a crash)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)
        self.process = None

    def restart(self, *, appendonly: bool, down_s: float = 1.0) -> None:
        """Stop and start again; without persistence it comes back empty."""
        self.stop()
        time.sleep(down_s)
        self.start(appendonly=appendonly, fresh=not appendonly)


class PrivateElasticsearch:
    """An Elasticsearch node of the pinned version on a private port and data directory."""

    def __init__(self, workdir: Path, port: int = ES_PORT) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.settings = Settings(es_url=self.url, state_dir=workdir)

    def start(self) -> None:
        """Start and wait for yellow health (reuses the unpacked distribution and its data)."""
        services.es_up(self.settings)

    def stop(self) -> None:
        """Clean shutdown; waits until the process is gone."""
        services.es_down(self.settings)
