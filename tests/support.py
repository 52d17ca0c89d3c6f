"""Shared test helpers: where ../shared is, and how to treat its absence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


def require_shared(*parts: str) -> Path:
    """Path under ../shared; skip when absent locally, fail in CI (CI=true)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is absent: these tests need ../shared beside the repository"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
