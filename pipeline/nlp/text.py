"""Length-preserving text clean-up and chunking (evidence offsets stay valid for the raw text),
and the usable text of an article: cleaned, capped, English, without trailing link lists."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from pipeline.models import Note

_TAG = re.compile(
    r"<(?:script|style)\b[^>]*>.*?</(?:script|style)\s*>|<!--.*?-->|</?[a-zA-Z][^<>]{0,500}>",
    re.S | re.I,
)
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});")
_ODD = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\ufffd]"
)
_SMART = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u2013": "-",
        "\u2014": "-",
    }
)


def _blank(m: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", m.group(0))


def clean_text(text: str) -> tuple[str, list[Note]]:
    """Blank out leftover HTML, entities and control/invisible characters, straighten quotes.

    Every replacement keeps the string length, so character offsets into the cleaned text are
    offsets into the original.
    """
    notes: list[Note] = []
    out = text
    if _TAG.search(out):
        out = _TAG.sub(_blank, out)
        notes.append(Note("html_leftover", "HTML tags were blanked before extraction", "nlp"))
    if _ENTITY.search(out):
        out = _ENTITY.sub(_blank, out)
    if _ODD.search(out):
        out = _ODD.sub(" ", out)
        notes.append(Note("odd_unicode", "control or invisible characters were blanked", "nlp"))
    # surrogates cannot be encoded and would crash the tokenizer's consumers
    if any("\ud800" <= ch <= "\udfff" for ch in out):
        out = "".join(" " if "\ud800" <= ch <= "\udfff" else ch for ch in out)
        notes.append(Note("odd_unicode", "lone surrogates were blanked", "nlp"))
    out = out.translate(_SMART)
    return out, notes


def non_english_ratio(text: str, sample: int = 5000) -> float:
    """Share of letters outside Latin scripts, plus a crude stop-word test for Latin text."""
    s = text[:sample]
    letters = [c for c in s if c.isalpha()]
    if not letters:
        return 1.0
    # ASCII letters are all Latin: only the rest need the (slow) Unicode name lookup
    non_latin = sum(
        1 for c in letters if not c.isascii() and not unicodedata.name(c, "").startswith("LATIN")
    )
    ratio = non_latin / len(letters)
    if ratio < 0.5:
        words = re.findall(r"[a-z]+", s.lower())
        if len(words) >= 60:
            common = {
                "the",
                "of",
                "and",
                "to",
                "a",
                "in",
                "is",
                "was",
                "for",
                "on",
                "that",
                "with",
                "said",
            }
            share = sum(1 for w in words if w in common) / len(words)
            if share < 0.03:
                return max(ratio, 0.9)
    return ratio


def chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """Pieces of at most ``limit`` characters cut at paragraph, line or sentence ends."""
    pos = 0
    n = len(text)
    while pos < n:
        end = min(n, pos + limit)
        if end < n:
            window = text[pos:end]
            cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(". "))
            if cut > limit // 4:
                end = pos + cut + 1
        yield pos, text[pos:end]
        pos = end


def plain(text: str) -> str:
    """``text`` without accents ("Erdoğan" -> "Erdogan"); ASCII passes through untouched."""
    if text.isascii():
        return text
    s = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in s if not unicodedata.combining(ch)).replace("ı", "i")


_BOILERPLATE = re.compile(
    r"^[ \t]*(?:Related (?:coverage|stories|articles|news|content)|Read more|See also|"
    r"More on this|Also read)[ \t]*:?[ \t]*$",
    re.M | re.I,
)


def boilerplate_start(text: str) -> re.Match[str] | None:
    """Where trailing link lists ("Related coverage:", "Read more") begin, if anywhere."""
    return _BOILERPLATE.search(text)


def usable_text(raw: object, max_chars: int, notes: list[Note]) -> str | None:
    """Cleaned, capped text without trailing link lists; None (with a Note) when unusable."""
    raw = raw if isinstance(raw, str) else ""
    if not raw.strip():
        notes.append(Note("empty_text", "article has no text", "nlp"))
        return None
    text, clean_notes = clean_text(raw)
    notes.extend(clean_notes)
    if len(text) > max_chars:
        notes.append(Note("truncated", f"text of {len(text)} chars cut to {max_chars}", "nlp"))
        text = text[:max_chars]
    if non_english_ratio(text) > 0.5:
        notes.append(Note("non_english", "text does not look English; nothing extracted", "nlp"))
        return None
    cut = boilerplate_start(text)
    if cut:
        notes.append(Note("boilerplate_cut", f"text after {cut.group(0).strip()!r} ignored", "nlp"))
        text = text[: cut.start()]
    return text
