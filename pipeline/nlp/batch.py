"""Batch interface behind ``communique extract``: JSON lines in, one JSON line out per line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from pipeline.nlp.types import ArticleInput, ExtractionResult


class _Extractor(Protocol):
    def extract(self, doc_input: ArticleInput) -> ExtractionResult: ...


def parse_line(line: str) -> ArticleInput:
    """One input line -> ArticleInput; raises ValueError with a short reason when unusable."""
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise ValueError("line is not a JSON object")
    if obj.get("id") is None:
        raise ValueError("missing 'id'")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError("missing or non-string 'text'")
    pub = obj.get("published")
    return ArticleInput(
        id=str(obj["id"]),
        text=text,
        title=obj.get("title"),
        published=pub if isinstance(pub, str) and pub else None,  # resolved by the extractor
        source=obj.get("source"),
        url=obj.get("url"),
    )


def _error_id(line: str) -> Any:
    try:
        obj = json.loads(line)
        return obj.get("id") if isinstance(obj, dict) else None
    except (json.JSONDecodeError, ValueError):
        return None


def process_line(line: str, extractor: _Extractor) -> dict[str, Any]:
    """Output dict for one input line: the extraction, or ``{"id", "error"}``."""
    try:
        article = parse_line(line)
    except ValueError as exc:
        return {"id": _error_id(line), "diplomatic": False, "events": [], "error": str(exc)}
    try:
        return extractor.extract(article).to_dict()
    except Exception as exc:  # the batch goes on; the failure is reported on its own line
        return {
            "id": article.id,
            "diplomatic": False,
            "events": [],
            "error": f"{type(exc).__name__}: {exc}"[:500],
        }


def iter_results(lines: Iterable[str], extractor: _Extractor) -> Iterator[str]:
    """Serialized output lines, one per input line, same order (a blank line gets an error line)."""
    for line in lines:
        if not line.strip():
            yield json.dumps({"id": None, "diplomatic": False, "events": [], "error": "empty line"})
            continue
        yield json.dumps(process_line(line, extractor), ensure_ascii=False)


def run_batch(
    lines: Iterable[str],
    write: Callable[[str], None],
    extractor: _Extractor,
    progress: bool = False,
    total: int | None = None,
    on_item: Callable[[], None] | None = None,
) -> int:
    """Extract every line, calling ``write`` with each output line (newline included).

    ``progress`` is honoured by callers that pass ``on_item`` (the CLI draws a rich bar on
    stderr); the function itself stays free of terminal I/O. Returns the number of lines written.
    """
    n = 0
    for out in iter_results(lines, extractor):
        write(out + "\n")
        n += 1
        if progress and on_item is not None:
            on_item()
    return n
