"""Cost of recomputing merged events for one dense block of mentions (pure, no services).

    .venv/bin/python benchmarks/merge.py [--sizes 100,1000,3000] [--repeat 3]

The store recomputes the events of every mention that shares a block key with the article it
just saved, so the worst case is a busy month: N reports of one event type among a handful of
countries, all in one closure. For each N we time :func:`pipeline.events.merge.merge` (greedy
complete-linkage + event building) and, as a same-run baseline, computing every mention's
block keys (what any key-based merge must do at least). Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.events.blocking import block_keys  # noqa: E402
from pipeline.events.mention import Mention  # noqa: E402
from pipeline.events.merge import merge  # noqa: E402
from pipeline.nlp.types import Evidence  # noqa: E402

COUNTRIES = ("USA", "JPN", "KOR", "CHN", "RUS", "FRA")


def dense_month(n: int, seed: int = 1) -> list[Mention]:
    """``n`` CONSULT mentions in February 2024 between two of six countries, one per article."""
    rng = random.Random(seed)
    mentions = []
    for i in range(n):
        day = f"2024-02-{1 + rng.randrange(28):02d}"
        mentions.append(
            Mention(
                id=f"m{i}", article_id=f"a{i}", type="CONSULT", mode=None, cameo_root="04",
                quad=1, score=1.0, actors=tuple(rng.sample(COUNTRIES, 2)), recipients=(),
                persons=(), location=None, date=day if rng.random() < 0.7 else None,
                date_precision="day", factuality="asserted", occasion=None,
                evidence=Evidence("s", 0, 1), confidence=0.8, extractor_version="bench",
                outlets=(f"outlet{i % 40}.example",), published=f"{day}T00:00:00+00:00",
            )
        )  # fmt: skip
    return mentions


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """Fastest wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,3000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| mentions | events | merge ms | baseline (block keys) ms | ratio |")
    print("|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        mentions = dense_month(n)
        events = len(merge(mentions))
        merged = best_of(args.repeat, lambda m=mentions: merge(m))
        keyed = best_of(args.repeat, lambda m=mentions: [block_keys(x) for x in m])
        print(
            f"| {n} | {events} | {merged * 1000:.0f} | {keyed * 1000:.1f} | {merged / keyed:.0f}x |"
        )


if __name__ == "__main__":
    main()
