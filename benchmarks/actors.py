"""Actor dictionaries: load time, per-article lookup cost and coverage on the dev gold, with the
Phoenix tables (``config/dictionaries/*_phoenix.tsv``) against the curated tables alone (same run).

    .venv/bin/python benchmarks/actors.py [--shared ../shared] [--repeat 3]

Coverage (article level, before event matching): gold persons whose surname is among the persons
:meth:`Officials.learn` finds, and gold actor/recipient codes found by the gazetteer or as a
learned person's state anywhere in the article text.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.nlp.gazetteer import Gazetteer  # noqa: E402
from pipeline.nlp.officials import Officials  # noqa: E402

CONFIG = ROOT / "config"
CORPUS = "corpus/wikinews-vanatteveldt/wikinews_2019_2020.jsonl"
_WORDS = re.compile(r"[A-Z][\w'\-.]*(?:\s+[A-Z][\w'\-.]*){0,5}")


def _surname(name: str) -> str:
    s = unicodedata.normalize("NFKD", name or "")
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    words = re.sub(r"[^a-z ]", " ", s).split()
    return words[-1] if words else ""


def _codes_in(text: str, gaz: Gazetteer) -> set[str]:
    """Actor codes of every capitalized word run (and its sub-runs) the gazetteer knows."""
    out: set[str] = set()
    for m in _WORDS.finditer(text):
        words = m.group(0).split()
        for i in range(len(words)):
            for j in range(len(words), i, -1):
                a = gaz.actor(" ".join(words[i:j]).removesuffix("'s"))
                if a is not None:
                    out.add(a.code)
                    break
    return out


def _load(d: Path) -> tuple[Officials, float]:
    t0 = time.perf_counter()
    gaz = Gazetteer(d)
    off = Officials(d, CONFIG / "nlp", gaz)
    return off, time.perf_counter() - t0


def measure(d: Path, articles: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    """Load time, lookup time per article and coverage with the tables in ``d``."""
    off, load_s = _load(d)
    best = float("inf")
    found: list[list[Any]] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        found = [off.learn(a["text"], date.fromisoformat(a["pub_date"])) for a in articles]
        best = min(best, time.perf_counter() - t0)
    p_tp = p_gold = p_pred = c_tp = c_gold = 0
    for a, persons in zip(articles, found, strict=True):
        gold_p = {_surname(p["name"]) for e in a["events"] for p in e.get("persons") or []}
        pred_p = {_surname(p.name) for p in persons}
        if gold_p:  # persons precision only where the gold names persons at all
            p_tp += len(gold_p & pred_p)
            p_gold += len(gold_p)
            p_pred += len(pred_p)
        gold_c = {c for e in a["events"] for c in e["actors"] + e["recipients"]}
        pred_c = _codes_in(a["text"], off.gaz) | {p.country for p in persons if p.country}
        c_tp += len(gold_c & pred_c)
        c_gold += len(gold_c)
    return {
        "load_s": load_s,
        "officials": len({id(o) for v in off.index.by_key.values() for o in v}),
        "ms_per_article": 1000 * best / max(1, len(articles)),
        "persons_recall": p_tp / p_gold if p_gold else 0.0,
        "persons_precision": p_tp / p_pred if p_pred else 0.0,
        "codes_recall": c_tp / c_gold if c_gold else 0.0,
    }


def main() -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    gold = args.shared / "eval" / "dev_gold.jsonl"
    if not gold.exists():
        sys.exit(f"no dev gold at {gold}")
    articles = [json.loads(x) for x in gold.read_text(encoding="utf-8").splitlines() if x.strip()]
    ids = {a["id"] for a in articles}
    texts = {}  # only the dev articles' texts: the 2020 ones in the same file are held out
    with (args.shared / CORPUS).open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["id"] in ids:
                texts[r["id"]] = r["text"]
    for a in articles:
        a["text"] = texts.get(a["id"], "")
    with tempfile.TemporaryDirectory() as tmp:
        curated = Path(tmp)
        for f in (CONFIG / "dictionaries").iterdir():
            if not f.name.endswith("_phoenix.tsv"):
                shutil.copy(f, curated / f.name)
        base = measure(curated, articles, args.repeat)
    full = measure(CONFIG / "dictionaries", articles, args.repeat)
    print(f"dev gold: {len(articles)} articles")
    print(f"{'':24}{'curated only':>14}{'with Phoenix':>14}{'ratio':>8}")
    for key in (
        "officials",
        "load_s",
        "ms_per_article",
        "persons_recall",
        "persons_precision",
        "codes_recall",
    ):
        b, f = base[key], full[key]
        ratio = f"{f / b:.2f}" if b else "-"
        print(f"{key:<24}{b:>14.3f}{f:>14.3f}{ratio:>8}")


if __name__ == "__main__":
    main()
