"""A private network of "hosts" on this machine: network namespaces on a bridge of our own.

Each host is a network namespace with one veth interface plugged into a bridge that lives in
the root namespace; the bridge holds the controller's address (``.254``) so the test itself can
reach the hosts. Every address is inside one 10.231.X.0/24 subnet that no interface or route of
the machine uses, and there is no route out of it: traffic never leaves the machine.

Teardown kills every process still running inside the namespaces (``ip netns pids`` lists only
what was started in them), then deletes the namespaces and the bridge — also after a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

import pytest

from workers.settings import PROJECT_ROOT

SUBNET_PREFIX = "10.231"
CONTROLLER = 254


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def netns_unavailable() -> str | None:
    """Why network namespaces cannot be made here, or None when they can."""
    if shutil.which("ip") is None:
        return "the `ip` command (iproute2) is missing"
    if os.geteuid() != 0:
        return "creating network namespaces needs root"
    probe = f"cqprobe{uuid.uuid4().hex[:6]}"
    made = _ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"`ip netns add` fails here: {made.stderr.strip()}"
    _ip("netns", "del", probe, check=False)
    return None


def require_netns() -> None:
    """Skip (locally) or fail (CI=true) when network namespaces cannot be created."""
    reason = netns_unavailable()
    if reason is None:
        return
    message = f"multi-host test needs network namespaces: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_subnet() -> str:
    """A 10.231.X subnet that no address or route of the machine mentions."""
    used = _ip("-4", "addr").stdout + _ip("-4", "route").stdout
    start = os.getpid() % 200
    for offset in range(200):
        candidate = f"{SUBNET_PREFIX}.{20 + (start + offset) % 200}"
        if f"{candidate}." not in used:
            return candidate
    raise RuntimeError(f"no free {SUBNET_PREFIX}.X.0/24 subnet")


@dataclass
class Lab:
    """Hosts (namespaces) on one private bridge; use as a context manager."""

    names: tuple[str, ...]
    tag: str = field(default_factory=lambda: f"cq{uuid.uuid4().hex[:5]}")
    subnet: str = ""
    addresses: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def bridge(self) -> str:
        """Name of the bridge (root namespace)."""
        return f"{self.tag}br"

    @property
    def controller(self) -> str:
        """The test's own address on the bridge."""
        return f"{self.subnet}.{CONTROLLER}"

    @property
    def cidr(self) -> str:
        """The whole private subnet."""
        return f"{self.subnet}.0/24"

    def namespace(self, host: str) -> str:
        """Network namespace of ``host``."""
        return f"{self.tag}-{host}"

    def _veth(self, host: str) -> str:
        return f"{self.tag}{self.names.index(host)}"  # root-side end, ≤ 15 characters

    def run_in(self, host: str) -> list[str]:
        """Command prefix that runs a program on ``host``."""
        return ["ip", "netns", "exec", self.namespace(host)]

    def spawn(self, host: str, cmd: list[str], env: dict[str, str], log: Path) -> Popen[bytes]:
        """Start ``cmd`` on ``host`` (output to ``log``); teardown stops it."""
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*self.run_in(host), *cmd], env=env, cwd=PROJECT_ROOT, stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes.append(process)
        return process

    def __enter__(self) -> Lab:
        self.subnet = _free_subnet()
        try:
            _ip("link", "add", self.bridge, "type", "bridge")
            _ip("addr", "add", f"{self.controller}/24", "dev", self.bridge)
            _ip("link", "set", self.bridge, "up")
            for number, host in enumerate(self.names, start=1):
                ns, veth = self.namespace(host), self._veth(host)
                _ip("netns", "add", ns)
                _ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
                _ip("link", "set", veth, "master", self.bridge, "up")
                self.addresses[host] = f"{self.subnet}.{number}"
                _ip("-n", ns, "addr", "add", f"{self.addresses[host]}/24", "dev", "eth0")
                _ip("-n", ns, "link", "set", "eth0", "up")
                _ip("-n", ns, "link", "set", "lo", "up")
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.teardown()

    def cut(self, host: str) -> None:
        """Pull ``host``'s cable: its link goes down, its processes keep running."""
        _ip("link", "set", self._veth(host), "down")

    def pids(self, host: str) -> list[int]:
        """Processes running on ``host``."""
        out = _ip("netns", "pids", self.namespace(host), check=False).stdout
        return [int(pid) for pid in out.split()]

    def teardown(self) -> None:
        """Stop every process on every host, then remove links, namespaces and bridge.

        Cut links come back first: sockets closed towards a host that cannot answer would
        linger (retransmitting their FIN) and keep its namespace and veth alive for minutes.
        """
        for host in self.names:
            _ip("link", "set", self._veth(host), "up", check=False)
        for sig, grace_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            pending = [pid for host in self.names for pid in self.pids(host)]
            for pid in pending:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + grace_s
            while pending and time.monotonic() < deadline:
                time.sleep(0.2)
                pending = [pid for host in self.names for pid in self.pids(host)]
            if not pending:
                break
        for process in self.processes:
            try:
                process.wait(timeout=5)  # reap what we spawned (already stopped above)
            except subprocess.TimeoutExpired:
                process.kill()
        for host in self.names:
            _ip("link", "del", self._veth(host), check=False)
            _ip("netns", "del", self.namespace(host), check=False)
        _ip("link", "del", self.bridge, check=False)
