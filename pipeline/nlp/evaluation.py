"""Scoring against the gold sets (PLOVER-GSR, PETR-2 GSR validation, seeds).

Used by ``benchmarks/quality.py`` and the CI quality gate. Nothing here knows any gold
sentence: the extractor runs blind and is compared afterwards.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
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


# ---------------------------------------------------------------------- article-level gold
def load_scorer(eval_dir: Path) -> ModuleType:
    """The shared article-level scorer (``eval/score.py``) as a module: its matching is the
    reference, so it is imported, never copied."""
    path = eval_dir / "score.py"
    spec = importlib.util.spec_from_file_location("communique_gold_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def score_articles(
    gold: list[dict[str, Any]],
    articles: dict[str, ArticleInput],
    extractor: EventExtractor,
    eval_dir: Path,
) -> dict[str, Any]:
    """Run the extractor on every gold article and score it with ``eval/score.py --json``.

    Adds ``errors``: every gold event the scorer left unmatched is classed as ``wrong_type``
    (a scored prediction with the right participants but another type), ``wrong_actors``
    (same type, other participants), ``not_international`` (same type, but the prediction has
    fewer than two codes so the scorer ignores it) or ``missed``; ``extra`` counts scored
    predictions that matched nothing.
    """
    preds = [extractor.extract(articles[g["id"]]).to_dict(with_notes=False) for g in gold]
    with tempfile.TemporaryDirectory() as tmp:
        gpath, ppath = Path(tmp) / "gold.jsonl", Path(tmp) / "pred.jsonl"
        gpath.write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")
        ppath.write_text("".join(json.dumps(p) + "\n" for p in preds), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, str(eval_dir / "score.py"), str(gpath), str(ppath), "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
    res: dict[str, Any] = json.loads(proc.stdout)
    res["errors"] = _error_counts(gold, {p["id"]: p for p in preds}, load_scorer(eval_dir))
    return res


def _error_counts(
    gold: list[dict[str, Any]], preds: dict[str, dict[str, Any]], sc: ModuleType
) -> dict[str, int]:
    """Error classes after the scorer's own one-to-one matching (its helpers, same order)."""
    out = Counter({"missed": 0, "wrong_type": 0, "wrong_actors": 0, "not_international": 0})
    out["extra"] = 0
    for g in gold:
        gev = list(g.get("events") or [])
        allp = list(preds.get(g["id"], {}).get("events") or [])
        pev = [e for e in allp if sc.international(e)]
        pairs = sorted(
            (
                (sc.jacc(sc.codes(a), sc.codes(b)), sc.agreement(a, b), i, j)
                for i, a in enumerate(gev)
                for j, b in enumerate(pev)
                if a["type"] == b.get("type")
            ),
            reverse=True,
        )
        used_g: set[int] = set()
        used_p: set[int] = set()
        for s, _, i, j in pairs:
            if s >= 0.5 and i not in used_g and j not in used_p:
                used_g.add(i)
                used_p.add(j)
        out["extra"] += len(pev) - len(used_p)
        for i, a in enumerate(gev):
            if i in used_g:
                continue
            ga = sc.codes(a)
            if any(sc.jacc(ga, sc.codes(b)) >= 0.5 for b in pev if b.get("type") != a["type"]):
                out["wrong_type"] += 1
            elif any(b.get("type") == a["type"] for b in pev):
                out["wrong_actors"] += 1
            elif any(b.get("type") == a["type"] for b in allp):
                out["not_international"] += 1
            else:
                out["missed"] += 1
    return dict(out)


def wikinews_inputs(corpus: Path, ids: set[str]) -> dict[str, ArticleInput]:
    """Extractor inputs of the gold articles, as ``eval/make_input.py`` writes them."""
    out: dict[str, ArticleInput] = {}
    for r in _read_jsonl(corpus):
        if r["id"] in ids:
            out[r["id"]] = ArticleInput(
                r["id"], r["text"], title=r.get("title"), published=r["date"]
            )
    return out


def voa_inputs(corpus: Path) -> dict[str, ArticleInput]:
    """Extractor inputs of the VOA stories (texts stay in ../shared, never in the repo)."""
    return {
        str(r["id"]): ArticleInput(
            str(r["id"]), r["text"], title=r.get("title"), published=r.get("published")
        )
        for r in _read_jsonl(corpus)
    }
