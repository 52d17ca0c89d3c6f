"""What both local services share: the error, the versions file, logging and commands."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from workers.settings import PROJECT_ROOT


class ServiceError(RuntimeError):
    """A local service could not be provisioned; the message says what to do."""


def read_versions(path: Path | None = None) -> dict[str, str]:
    """Parse ``config/versions.env`` (the one place versions are recorded)."""
    versions: dict[str, str] = {}
    for line in (path or PROJECT_ROOT / "config" / "versions.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            versions[key.strip()] = value.strip()
    return versions


def say(message: str) -> None:
    """A progress line on stderr."""
    print(f"[services] {message}", file=sys.stderr, flush=True)


def run_command(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` without raising, capturing its text output."""
    return subprocess.run(cmd, check=False, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]


# --------------------------------------------------------------------------------------------
# Redis


def is_local_address(host: str) -> bool:
    """True when ``host`` is an address of this machine (or network namespace)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((socket.gethostbyname(host), 0))
    except OSError:
        return False
    return True
