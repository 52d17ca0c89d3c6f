"""A real Celery worker subprocess for end-to-end and fault tests, and waiting helpers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from elasticsearch import Elasticsearch

from pipeline.index.templates import delete_prefix
from workers.app import create_app
from workers.cli.run import worker_commands
from workers.routing import ALL_QUEUES
from workers.settings import PROJECT_ROOT, Settings

E2E_REDIS_DB = 12
#: the Redis server of integration tests (conftest's db 13 and the workers' db 12)
REDIS_BASE = os.environ.get("COMMUNIQUE_TEST_REDIS_URL", "redis://127.0.0.1:6379")
WAIT_S = 180


@dataclass
class Stack:
    """A running worker with its settings, environment and log."""

    settings: Settings
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    #: the I/O and reprocess workers when the stack runs as `communique run` lays it out
    others: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)

    def log_tail(self) -> str:
        """The end of the worker's log, for assertion messages."""
        return self.log_path.read_text(errors="replace")[-4000:]

    def send(self, task: str, *args: Any) -> None:
        """Publish a task by name through the real broker."""
        create_app(self.settings).send_task(task, args=args)

    def cli(self, *args: str) -> str:
        """Run `communique ARGS` against this stack's settings; its stdout."""
        result = subprocess.run(
            [sys.executable, "-m", "workers.cli", *args],
            env=self.env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout

    def children(self) -> list[int]:
        """PIDs of the worker's pool processes."""
        assert self.process is not None
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]


def stack_factory(tmp_path: Path, es: Elasticsearch) -> Iterator[Callable[..., Stack]]:
    """Yield a function starting workers for a feed URL; stop and clean everything after."""
    started: list[Stack] = []
    client = redis.Redis.from_url(f"{REDIS_BASE}/{E2E_REDIS_DB}")
    client.flushdb()

    def start(
        feed_url: str, concurrency: int = 1, layout: str = "single", **extra_env: str
    ) -> Stack:
        """``layout``: ``single`` (one worker on every queue) or ``run`` (`communique run`'s)."""
        prefix = f"e2e-{uuid.uuid4().hex[:8]}"
        feeds = tmp_path / f"{prefix}.yaml"
        feeds.write_text(f"feeds:\n  - {{id: seeds, url: '{feed_url}', poll_interval: 3600}}\n")
        env = {
            **os.environ,
            "COMMUNIQUE_REDIS_URL": f"{REDIS_BASE}/{E2E_REDIS_DB}",
            "COMMUNIQUE_INDEX_PREFIX": prefix,
            "COMMUNIQUE_FEEDS_FILE": str(feeds),
            "COMMUNIQUE_STATE_DIR": str(tmp_path / "state"),
            "COMMUNIQUE_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
            "COMMUNIQUE_HOST_MIN_INTERVAL_S": "0",
            "COMMUNIQUE_MAX_RETRIES": "1",
            **extra_env,
        }
        settings = Settings(
            redis_url=env["COMMUNIQUE_REDIS_URL"], index_prefix=prefix, feeds_file=feeds
        )
        log_path = tmp_path / f"{prefix}-worker.log"
        quiet = ["--without-gossip", "--without-mingle"]
        if layout == "run":  # processing, I/O (threads) and reprocess workers, as `run` does
            cmds = [
                [*c[: c.index("-n") + 1], f"{role}-{prefix}@%h", *quiet]
                for role, c in zip(("process", "io", "reprocess"), worker_commands(settings),
                                   strict=True)
            ]  # fmt: skip
        else:
            cmds = [[
                sys.executable, "-m", "celery", "-A", "workers.app", "worker",
                "-Q", ",".join(ALL_QUEUES), "--concurrency", str(concurrency), "--loglevel",
                "INFO", "-n", f"{prefix}@%h", *quiet,
            ]]  # fmt: skip
        with log_path.open("wb") as log:
            process, *others = (
                subprocess.Popen(
                    cmd, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT
                )
                for cmd in cmds
            )
        stack = Stack(settings, env, log_path, process, others)
        started.append(stack)
        return stack

    yield start
    for stack in started:
        assert stack.process is not None
        for process in (stack.process, *stack.others):
            process.send_signal(signal.SIGTERM)
        for process in (stack.process, *stack.others):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        delete_prefix(es, stack.settings.index_prefix)
    client.flushdb()


def wait_until(
    check: Callable[[], bool], timeout_s: float, every_s: float = 0.5
) -> tuple[bool, float]:
    """Poll ``check`` until true or ``timeout_s``; (succeeded, seconds waited)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            if check():
                return True, time.monotonic() - started
        except Exception:  # a service restarting under the test: keep polling
            pass
        time.sleep(every_s)
    return False, time.monotonic() - started


def wait_count(es: Elasticsearch, index: str, query: dict[str, Any], want: int) -> int:
    """Poll the count of ``query`` until it reaches ``want`` or WAIT_S passes; the last count
    (0 when the last try failed)."""
    last = [0]

    def reached() -> bool:
        last[0] = 0
        es.indices.refresh(index=index)
        last[0] = int(es.count(index=index, query=query)["count"])
        return last[0] >= want

    wait_until(reached, WAIT_S, every_s=1)
    return last[0]
