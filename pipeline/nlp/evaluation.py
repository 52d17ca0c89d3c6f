"""Scoring against the gold sets (PLOVER-GSR, PETR-2 GSR validation, seeds).

Used by ``benchmarks/quality.py`` and the CI quality gate. Nothing here knows any gold
sentence: the extractor runs blind and is compared afterwards.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleInput, ExtractionResult

#: the PLOVER-GSR file uses an older label set
GSR_LABEL_MAP = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "INVESTIGATE": "ACCUSE",
    "FIGHT": "ASSAULT",
}
#: old or non-ISO codes found in the gold files
CODE_FIX = {
    "JAP": "JPN",
    "ITL": "ITA",
    "VTN": "VNM",
    "SER": "SRB",
    "ROM": "ROU",
    "ZAI": "COD",
    "BUL": "BGR",
    "DEN": "DNK",
    "GER": "DEU",
    "CAN": "CAN",
    "---": "",
}


@dataclass
class PRF:
    """Micro counts."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: set[Any], pred: set[Any]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class SetScore:
    """Scores of one gold set."""

    name: str
    n: int = 0
    event_type: PRF = field(default_factory=PRF)
    actors: PRF = field(default_factory=PRF)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "event_type": self.event_type.as_dict(),
            "actors": self.actors.as_dict(),
        }


def _actor_code(raw: str | None) -> str:
    if not raw:
        return ""
    c = raw.strip()[:3].upper()
    c = CODE_FIX.get(c, c)
    if c in ("IGO", "NGO", "MNC", "UNK", "***"):
        return "IGO" if c == "IGO" else ""
    return c if c.isalpha() else ""


def normalize_pred_code(code: str, extractor: EventExtractor) -> str:
    """Our IGO codes compare as PLOVER's generic ``IGO``."""
    return "IGO" if extractor.gaz.is_igo(code) else code


def _gold_actor_set(ev: dict[str, Any]) -> set[str]:
    out = set()
    for key in ("source_actor", "target_actor"):
        for part in (ev.get(key) or "").split(";"):
            c = _actor_code(part)
            if c:
                out.add(c)
    return out


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score_event_set(
    records: Iterable[dict[str, Any]],
    extractor: EventExtractor,
    name: str,
    *,
    scheme: str,
) -> SetScore:
    """Per-sentence comparison: the set of event types and the set of actor codes.

    ``scheme`` "PLOVER" maps the old GSR labels; "CAMEO" maps codes through the root table.
    Records without gold events are scored too (any prediction there is a false positive).
    """
    sc = SetScore(name)
    root_map = extractor.lex.cameo_root_to_plover
    for rec in records:
        sc.n += 1
        gold_types: set[str] = set()
        gold_actors: set[str] = set()
        for ev in rec.get("gold_events") or []:
            code = str(ev.get("code") or "")
            t = GSR_LABEL_MAP.get(code, code) if scheme == "PLOVER" else root_map.get(code[:2], "")
            if t:
                gold_types.add(t)
                gold_actors |= _gold_actor_set(ev)
        res: ExtractionResult = extractor.extract(
            ArticleInput(
                id=str(rec.get("id")), text=rec.get("text") or "", published=rec.get("date")
            )
        )
        pred_types = {e.type for e in res.events}
        pred_actors = {
            normalize_pred_code(c, extractor)
            for e in res.events
            for c in (*e.actors, *e.recipients)
        }
        sc.event_type.add(gold_types, pred_types)
        if gold_types:
            sc.actors.add(gold_actors, pred_actors)
        for g in gold_types or {"-"}:
            if g in pred_types:
                sc.confusion[(g, g)] += 1
            else:
                others = pred_types - gold_types
                sc.confusion[(g, sorted(others)[0] if others else "-")] += 1
        for p in pred_types - gold_types:
            if not gold_types:
                sc.confusion[("-", p)] += 1
    return sc


def seed_report(seeds_dir: Path, extractor: EventExtractor) -> dict[str, Any]:
    """Per-field P/R/F1 of the seed ``must`` events (type, actor set, persons, location, date)."""
    from pipeline.nlp.seedcheck import check_article  # local import: only needed here

    expected = json.loads((seeds_dir / "expected_events.json").read_text(encoding="utf-8"))
    rows = {r["id"]: r for r in _read_jsonl(seeds_dir / "seeds.jsonl")}
    fields = {k: PRF() for k in ("type", "actors", "persons", "location", "date")}
    failures: list[str] = []
    for art in expected["articles"]:
        row = rows[art["id"]]
        res = extractor.extract(
            ArticleInput(row["id"], row["text"], published=row.get("published"))
        )
        out = res.to_dict()
        failures += check_article(art, out)
        for must in art["must"]:
            best = _best_match(must, out["events"])
            for k, prf in fields.items():
                gk = _field_value(must, k)
                if gk is None:
                    continue
                pk = _field_value(best, k) if best else None
                prf.add({gk}, {pk} if pk is not None else set())
    return {"fields": {k: v.as_dict() for k, v in fields.items()}, "failures": failures}


def _field_value(ev: dict[str, Any], k: str) -> Any:
    if k == "type":
        return ev.get("type")
    if k == "actors":
        return frozenset(ev["actors"]) if "actors" in ev else None
    if k == "persons":
        if "persons" not in ev:
            return None
        return frozenset(
            (p["name"].replace("-", " ").lower(), p["country"], p["role"]) for p in ev["persons"]
        )
    if k == "location":
        loc = ev.get("location")
        return (loc["place"], loc["country"]) if loc else None
    if k == "date":
        return ev.get("date")
    return None


def _best_match(must: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any] | None:
    cands = [e for e in events if e["type"] == must["type"]]
    if not cands:
        return None
    return max(cands, key=lambda e: len(set(e["actors"]) & set(must.get("actors", []))))
