"""feedparser's own test feeds (../shared/corpus/feedparser-tests) through ``parse_feed``.

Two claims:

1. every one of the 1,122 files goes through ``parse_feed`` without an exception escaping, and
   what comes out respects our invariants (absolute http(s) URLs, aware UTC dates, plain text);
2. where a file's ``Expect:`` expression states a value of a field we use (entry link, id/guid,
   title, published/updated/created date, feed title, number of entries) our output agrees.

For (2) the Expect expression is never ``eval``-ed: it is parsed with ``ast``, only ``==``
comparisons between such a field and a literal are taken from its top-level ``and`` chain, and
each is compared with OUR output, allowing for the differences we intend (links resolved
against the feed URL, HTML titles as plain text, duplicates collapsed, broken dates -> None).
"""

from __future__ import annotations

import ast
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest

from pipeline.feeds import ParsedFeed, html_to_text, parse_feed
from pipeline.models import FeedEntry
from tests.support import SHARED, require_shared

CORPUS = ("corpus", "feedparser-tests")
# feedparser's suite serves each file from this origin; its Expect lines assume that doc URI
TEST_ORIGIN = "http://127.0.0.1:8097/tests/"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
_NOT_FEEDS = {"README.md", "LICENSE.upstream"}


def _corpus_files() -> list[Path]:
    root = SHARED.joinpath(*CORPUS)
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in _NOT_FEEDS)


FILES = _corpus_files()
IDS = [str(p.relative_to(SHARED.joinpath(*CORPUS))) for p in FILES]


def _header_text(data: bytes) -> str:
    """The leading comment as text, whatever the file's encoding (UTF-16/32 included)."""
    head = data[:4096]
    if b"\x00" in head[:8]:
        for codec in ("utf-32", "utf-16", "utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
            try:
                text = head.decode(codec)
            except UnicodeDecodeError:
                continue
            if "Expect" in text or "Description" in text:
                return text
    return head.decode("latin-1")


@dataclass
class Spec:
    content_type: str | None = None
    base_url: str = TEST_ORIGIN
    expect: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _spec(data: bytes, name: str = "") -> Spec:
    text = _header_text(data)
    spec = Spec(base_url=TEST_ORIGIN + name)
    for m in re.finditer(r"Header:\s*([\w-]+):\s*(.*?)\s*(?:\n|-->)", text):
        spec.headers[m.group(1).lower()] = m.group(2)
    spec.content_type = spec.headers.get("content-type")
    spec.base_url = spec.headers.get("content-location", spec.base_url)
    m = re.search(r"Expect:\s*(.*?)\s*(?:\n|-->|\"\s*,)", text)
    spec.expect = m.group(1).strip() if m else None
    return spec


def _parse(path: Path) -> tuple[Spec, ParsedFeed]:
    data = path.read_bytes()
    spec = _spec(data, str(path.relative_to(SHARED.joinpath(*CORPUS))))
    return spec, parse_feed(
        data,
        feed_id="corpus",
        base_url=spec.base_url,
        content_type=spec.content_type,
        now=NOW,
    )


@pytest.mark.corpus
@pytest.mark.parametrize("path", FILES or [None], ids=IDS or ["corpus-absent"])
def test_parse_feed_corpus_file_never_raises(path: Path | None) -> None:
    require_shared(*CORPUS)
    assert path is not None
    _, parsed = _parse(path)
    assert isinstance(parsed, ParsedFeed)
    for entry in parsed.entries:
        assert isinstance(entry, FeedEntry)
        assert entry.identity
        assert entry.url == "" or entry.url.startswith(("http://", "https://"))
        if entry.published is not None:
            assert entry.published.tzinfo is not None
            assert entry.published.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
            assert entry.published.year >= 1971
        for text in (entry.title, entry.summary):
            assert text is None or isinstance(text, str)


def test_parse_feed_corpus_covers_every_file() -> None:
    require_shared(*CORPUS)
    assert len(FILES) == 1122


# -- Expect clauses ------------------------------------------------------------------------------

_ENTRY_KEYS = {
    "link",
    "id",
    "guid",
    "title",
    "published_parsed",
    "updated_parsed",
    "created_parsed",
}
_DATE_ORDER = ("published_parsed", "updated_parsed", "created_parsed")


def _field(node: ast.expr) -> tuple | None:
    """('entry', i, key) / ('feed', 'title') / ('len',) for the shapes we compare, else None."""
    # entries[i]['title_detail']['value'] means the title
    if (
        isinstance(node, ast.Subscript)
        and _const(node.slice) == "value"
        and isinstance(node.value, ast.Subscript)
        and _const(node.value.slice) == "title_detail"
    ):
        inner = _field(ast.Subscript(value=node.value.value, slice=ast.Constant("title")))
        return inner
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Subscript):
        outer = node.value
        if isinstance(outer.value, ast.Name) and outer.value.id == "entries":
            index, key = _const(outer.slice), _const(node.slice)
            if isinstance(index, int) and key in _ENTRY_KEYS:
                return ("entry", index, key)
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "feed"
        and _const(node.slice) == "title"
    ):
        return ("feed", "title")
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "feed"
        and node.attr == "title"
    ):
        return ("feed", "title")
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "len"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == "entries"
    ):
        return ("len",)
    return None


def _const(node: ast.expr) -> object:
    return node.value if isinstance(node, ast.Constant) else None


_NO_LITERAL = object()


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NO_LITERAL


def _clauses(expect: str) -> list[tuple[tuple, object]]:
    """(field, expected literal) pairs from the top-level ``and`` chain of an Expect line."""
    try:
        tree = ast.parse(expect, mode="eval").body
    except SyntaxError:
        return []
    stack, out = [tree], []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            stack.extend(node.values)
        elif isinstance(node, ast.Compare) and all(isinstance(op, ast.Eq) for op in node.ops):
            operands = [node.left, *node.comparators]
            fields = [f for f in map(_field, operands) if f is not None]
            literals = [v for v in map(_literal, operands) if v is not _NO_LITERAL]
            if fields and len(literals) == 1 and len(fields) + 1 == len(operands):
                out.extend((f, literals[0]) for f in fields)
    return out


@dataclass
class Tally:
    files_with_expect: int = 0
    files_checked: int = 0
    clauses: int = 0
    agree: int = 0
    not_applicable: int = 0
    disagreements: list[str] = field(default_factory=list)


def _judge(fld: tuple, expected: object, spec: Spec, ours: ParsedFeed, fp: dict) -> bool | None:
    """True/False for agreement, None when our intended behaviour makes the clause moot."""
    if fld == ("len",):
        if ours.dropped_by_cap:
            return None
        return len(ours.entries) + ours.duplicates + ours.skipped == expected
    if fld == ("feed", "title"):
        ftype = (fp.get("feed", {}).get("title_detail") or {}).get("type", "text/plain")
        want = (
            html_to_text(str(expected))
            if "html" in ftype or "xml" in ftype
            else " ".join(str(expected).split())
        )
        return (ours.title or "") == want
    _, index, key = fld
    fp_entries = fp.get("entries") or []
    if ours.duplicates or ours.skipped:
        return None  # our indices no longer line up with feedparser's
    if index >= len(ours.entries) or index >= len(fp_entries):
        return False
    entry, fp_entry = ours.entries[index], fp_entries[index]
    if key == "link":
        want = str(expected)
        return entry.url in (want, urljoin(spec.base_url, want)) or (
            entry.url == "" and not want.startswith(("http:", "https:"))
        )
    if key in ("id", "guid"):
        want = str(expected).strip()
        if entry.guid and entry.guid != want and urljoin(spec.base_url, entry.guid) == want:
            return None  # feedparser resolves ids against the doc URI; we keep GUIDs opaque
        return (entry.guid or "") == want
    if key == "title":
        ttype = (fp_entry.get("title_detail") or {}).get("type", "text/plain")
        want = (
            html_to_text(str(expected))
            if "html" in ttype or "xml" in ttype
            else " ".join(str(expected).split())
        )
        return (entry.title or "") == want
    # dates: we keep the first date the entry states (published, then updated, then created)
    first = next((k for k in _DATE_ORDER if dict.get(fp_entry, k) is not None), None)
    if first != key:
        return None
    if not isinstance(expected, tuple) or len(expected) < 6:
        return None
    try:
        want_dt = datetime(*expected[:6], tzinfo=UTC)  # type: ignore[misc]
    except ValueError:
        return entry.published is None
    if want_dt.year < 1971 or want_dt > NOW:
        return entry.published is None  # broken/far-future dates are dropped on purpose
    return entry.published == want_dt


@pytest.mark.corpus
def test_parse_feed_corpus_agrees_with_expect_lines() -> None:
    require_shared(*CORPUS)
    tally = Tally()
    for path, name in zip(FILES, IDS, strict=True):
        data = path.read_bytes()
        spec, ours = _parse(path)
        if not spec.expect:
            continue
        tally.files_with_expect += 1
        clauses = _clauses(spec.expect)
        if not clauses:
            continue
        tally.files_checked += 1
        headers = dict(spec.headers)
        headers.setdefault("content-location", spec.base_url)
        fp = feedparser.parse(io.BytesIO(data), response_headers=headers)
        for fld, expected in clauses:
            verdict = _judge(fld, expected, spec, ours, fp)
            if verdict is None:
                tally.not_applicable += 1
                continue
            tally.clauses += 1
            if verdict:
                tally.agree += 1
            else:
                tally.disagreements.append(f"{name}: {fld} expected {expected!r}")
    summary = (
        f"feedparser corpus: {len(FILES)} files, {tally.files_with_expect} with Expect, "
        f"{tally.files_checked} with clauses on fields we use; {tally.clauses} clauses compared, "
        f"{tally.agree} agree, {len(tally.disagreements)} disagree, "
        f"{tally.not_applicable} moot by design"
    )
    print(summary)
    for line in tally.disagreements:
        print("  DISAGREE", line)
    assert tally.files_checked >= 150, summary
    assert not tally.disagreements, summary
