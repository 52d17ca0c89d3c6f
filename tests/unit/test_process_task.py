"""The process task body with a fake store: load → call → save → recompute."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.errors import SkipArticle
from pipeline.index.documents import article_document
from pipeline.models import Article
from pipeline.nlp.types import ArticleInput, Entities
from pipeline.process import ProcessedArticle, process_article
from tests.fakes import ScriptedExtractor
from workers.store import RecomputeOutcome, SaveOutcome
from workers.tasks.process import process_one

TEXT = "Intro line.\nEVENT type=CONSULT actors=USA,JPN date=2024-02-22 place=Rio_de_Janeiro/BRA\n"
ARTICLE = Article(
    id="a_1",
    url="https://kyodo.example/1",
    canonical_url="https://kyodo.example/1",
    text=TEXT,
    published=datetime(2024, 2, 23, tzinfo=UTC),
    source="Kyodo",
)


class FakeStore:
    """Records what the task saves; answers loads from a dict."""

    def __init__(self, docs: dict[str, dict[str, Any]], *, stale: bool = False) -> None:
        self.docs = docs
        self.stale = stale
        self.saved: list[ProcessedArticle] = []
        self.recomputed: list[tuple[str, ...]] = []

    def article_document(self, article_id: str) -> dict[str, Any] | None:
        return self.docs.get(article_id)

    def save_processed(
        self, processed: ProcessedArticle, *, run_version: int, processed_at: datetime
    ) -> SaveOutcome:
        assert run_version > 0 and processed_at.tzinfo is not None
        self.saved.append(processed)
        if self.stale:
            return SaveOutcome(stale=True)
        return SaveOutcome(False, processed.block_keys, len(processed.mentions))

    def recompute_events(self, keys: tuple[str, ...]) -> RecomputeOutcome:
        self.recomputed.append(tuple(keys))
        return RecomputeOutcome(1, 1, 0)


def test_process_one_saves_mentions_and_recomputes_their_keys() -> None:
    store = FakeStore({"a_1": article_document(ARTICLE)})
    result = process_one(store, ScriptedExtractor(), "a_1")
    assert result["status"] == "processed" and result["mentions"] == 1
    (processed,) = store.saved
    assert processed.article == ARTICLE
    (mention,) = processed.mentions
    assert mention.location is not None and mention.location.place == "Rio de Janeiro"
    assert store.recomputed == [("CONSULT|JPN|2024-02", "CONSULT|USA|2024-02")]


def test_process_one_skips_an_article_already_at_the_requested_version() -> None:
    doc = {**article_document(ARTICLE), "status": "processed", "extractor_version": "nlp-0.10.0"}
    store = FakeStore({"a_1": doc})
    result = process_one(store, ScriptedExtractor(), "a_1", "nlp-0.9.0")
    assert result["reason"] == "up_to_date" and store.saved == []
    result = process_one(store, ScriptedExtractor(), "a_1", "nlp-0.11.0")
    assert result["status"] == "processed"


def test_process_one_stale_run_recomputes_nothing() -> None:
    store = FakeStore({"a_1": article_document(ARTICLE)}, stale=True)
    result = process_one(store, ScriptedExtractor(), "a_1")
    assert result["reason"] == "newer_run" and store.recomputed == []


def test_process_one_missing_article_is_a_skip() -> None:
    with pytest.raises(SkipArticle) as err:
        process_one(FakeStore({}), ScriptedExtractor(), "a_404")
    assert err.value.reason == "missing_article"


def test_process_article_keeps_notes_and_entities_as_types() -> None:
    empty = Article(id="a_2", url="u", canonical_url="u", text="no events here")
    processed = process_article(empty, ScriptedExtractor())
    assert processed.mentions == () and not processed.diplomatic
    assert [n.code for n in processed.notes] == ["no_events"]
    assert process_article(ARTICLE, ScriptedExtractor()).entities.countries == ("JPN", "USA")


def test_process_article_keeps_background_events_as_mentions() -> None:
    """Issue 8 keeps historical/negated/hypothetical events apart; they are mentions here."""
    scripted = ScriptedExtractor().extract(
        ArticleInput(id="a_1", text=TEXT + TEXT.replace("2024-02-22", "2023-08"))
    )

    class WithBackground:
        def extract(self, doc_input: ArticleInput) -> SimpleNamespace:
            return SimpleNamespace(
                diplomatic=True, events=scripted.events[:1], notes=(), entities=Entities(),
                background_events=scripted.events[1:],
            )  # fmt: skip

    processed = process_article(ARTICLE, WithBackground())  # type: ignore[arg-type]
    assert [m.date for m in processed.mentions] == ["2024-02-22", "2023-08"]
