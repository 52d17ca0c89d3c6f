"""Every `must` event of ../shared/seeds/expected_events.json exactly as stated; no `must_not`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.seedcheck import check_article
from pipeline.nlp.types import ArticleInput

pytestmark = pytest.mark.corpus


def _load(shared: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    expected = json.loads((shared / "seeds" / "expected_events.json").read_text(encoding="utf-8"))
    rows = {}
    for line in (shared / "seeds" / "seeds.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["id"]] = row
    return expected, rows


@pytest.fixture(scope="module")
def outputs(shared_dir: Path, golden_extractor: EventExtractor) -> dict[str, Any]:
    expected, rows = _load(shared_dir)
    out = {}
    for art in expected["articles"]:
        row = rows[art["id"]]
        res = golden_extractor.extract(
            ArticleInput(row["id"], row["text"], published=row.get("published"))
        )
        out[art["id"]] = (art, res, row)
    return out


@pytest.mark.parametrize("seed_id", ["seed-000", "seed-001"])
def test_seeds_every_must_event_is_extracted_exactly(outputs: dict[str, Any], seed_id: str) -> None:
    art, res, _ = outputs[seed_id]
    assert check_article(art, res.to_dict()) == []


def test_seeds_no_event_dated_by_publication_when_text_gives_another(
    outputs: dict[str, Any],
) -> None:
    for _art, res, row in outputs.values():
        for ev in res.events:
            assert ev.date != row["published"], ev.evidence.text


def test_seeds_surnames_are_never_places(outputs: dict[str, Any]) -> None:
    _art, res, _ = outputs["seed-000"]
    for name in ("Blinken", "Kamikawa", "Cho"):
        assert name not in res.entities.places
        assert all((ev.location is None or ev.location.place != name) for ev in res.events)


def test_seeds_bali_and_rio_meetings_are_not_merged(outputs: dict[str, Any]) -> None:
    for seed_id, other in (("seed-000", "Bali"), ("seed-001", "Rio de Janeiro")):
        _art, res, _ = outputs[seed_id]
        assert all(other not in m.text for ev in res.events for m in ev.mentions)
