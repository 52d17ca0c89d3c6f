"""CI gate: gold-set quality may only go up (floors pinned in benchmarks/quality_floors.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.nlp.evaluation import (
    _read_jsonl,
    score_articles,
    score_event_set,
    seed_report,
    voa_inputs,
    wikinews_inputs,
)
from pipeline.nlp.extractor import EventExtractor

pytestmark = pytest.mark.corpus

FLOORS = Path(__file__).resolve().parents[2] / "benchmarks" / "quality_floors.json"
VOA_GOLD = Path(__file__).resolve().parent / "voa_gold.jsonl"
SLACK = 1e-9


def _floors() -> dict[str, dict[str, float]]:
    return json.loads(FLOORS.read_text(encoding="utf-8"))


def test_quality_gate_plover_gsr_at_or_above_floors(
    shared_dir: Path, golden_extractor: EventExtractor
) -> None:
    sc = score_event_set(
        _read_jsonl(shared_dir / "corpus/plover-gsr/plover_gsr.jsonl"),
        golden_extractor,
        "plover_gsr",
        scheme="PLOVER",
    )
    floors = _floors()["plover_gsr"]
    assert sc.event_type.f1 >= floors["event_type_f1"] - SLACK
    assert sc.actors.f1 >= floors["actors_f1"] - SLACK


def test_quality_gate_petr2_at_or_above_floors(
    shared_dir: Path, golden_extractor: EventExtractor
) -> None:
    sc = score_event_set(
        _read_jsonl(shared_dir / "corpus/universal-petrarch/petr2_gsr_validation.jsonl"),
        golden_extractor,
        "petr2_gsr",
        scheme="CAMEO",
    )
    floors = _floors()["petr2_gsr"]
    assert sc.event_type.f1 >= floors["event_type_f1"] - SLACK
    assert sc.actors.f1 >= floors["actors_f1"] - SLACK


def test_quality_gate_seed_fields_at_or_above_floors(
    shared_dir: Path, golden_extractor: EventExtractor
) -> None:
    rep = seed_report(shared_dir / "seeds", golden_extractor)
    floors = _floors()["seeds"]
    for field, floor in floors.items():
        assert rep["fields"][field]["f1"] >= floor - SLACK, field
    assert rep["failures"] == []


def test_quality_gate_dev_articles_at_or_above_floors(
    shared_dir: Path, golden_extractor: EventExtractor
) -> None:
    """Article-level event and diplomatic F1 on the Wikinews 2019 dev gold (eval/score.py)."""
    gold = _read_jsonl(shared_dir / "eval/dev_gold.jsonl")
    inputs = wikinews_inputs(
        shared_dir / "corpus/wikinews-vanatteveldt/wikinews_2019_2020.jsonl",
        {g["id"] for g in gold},
    )
    res = score_articles(gold, inputs, golden_extractor, shared_dir / "eval")
    floors = _floors()["dev"]
    assert res["event_F1"] >= floors["event_F1"] - SLACK
    assert res["diplomatic_F1"] >= floors["diplomatic_F1"] - SLACK


def test_quality_gate_voa_articles_at_or_above_floors(
    shared_dir: Path, golden_extractor: EventExtractor
) -> None:
    """The same on the VOA gold (annotations here, texts in ../shared/corpus/voa)."""
    gold = _read_jsonl(VOA_GOLD)
    inputs = voa_inputs(shared_dir / "corpus/voa/voa_dev.jsonl")
    res = score_articles(gold, inputs, golden_extractor, shared_dir / "eval")
    floors = _floors()["voa"]
    assert res["event_F1"] >= floors["event_F1"] - SLACK
    assert res["diplomatic_F1"] >= floors["diplomatic_F1"] - SLACK
