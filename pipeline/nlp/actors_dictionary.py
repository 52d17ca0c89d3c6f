"""Dictionary of named officials, resolved as of a date: the curated ``officials.yaml`` plus the
Phoenix tables (``officials_phoenix.tsv``, built by ``scripts/build_actor_dictionaries.py``).

Names are keyed by a normalized form (case, accents, spaces, hyphens and dots folded) with a
surname index, so finding every dictionary name in an article is one regex pass over runs of
capitalized words plus dict lookups, whatever the dictionary size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.nlp.gazetteer import load_yaml_mapping
from pipeline.nlp.text import plain

#: a role span: (role or None when the dictionary gives only the office's sector, from, to)
Span = tuple[str | None, date | None, date | None]

_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u024f"
_WORD = rf"(?:(?:al|el|ad|as|an|ash|at|ar)-)?[{_UPPER}][\w'\u2019.\-]*"
_PARTICLE = r"(?:al|el|bin|ibn|bint|de|da|del|der|van|von|la|le|du|dos|das|di|y)"
#: a run of capitalized words, possibly with lowercase particles ("Bruno Rodríguez Parrilla",
#: "Abdel Fattah el-Sisi", "Ursula von der Leyen")
_RUN = re.compile(rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD})*")
_MAX_WORDS = 6
_PREFIX = 5
_FOLD = re.compile(r"[\s\-.'\u2019]+")


def norm_name(name: str) -> str:
    """Key for name comparison: case-, accent-, hyphen-, dot- and space-insensitive."""
    return _FOLD.sub("", plain(name)).lower()


@dataclass(frozen=True, slots=True)
class Official:
    """A dictionary entry: a person, the state or body code, date-bounded roles."""

    name: str
    country: str
    roles: tuple[Span, ...]
    aliases: tuple[str, ...] = ()
    curated: bool = True

    def _span_on(self, when: date) -> Span | None:
        for span in self.roles:
            _, start, end = span
            if (start is None or start <= when) and (end is None or when <= end):
                return span
        return None

    def in_office(self, when: date | None) -> bool:
        """Whether some office is held on a date (always, when no date is known)."""
        return when is None or self._span_on(when) is not None

    def role_on(self, when: date | None) -> str | None:
        """The role held on a date (the first listed role when no date is known)."""
        if when is None:
            return next((r for r, _, _ in self.roles if r), None)
        span = self._span_on(when)
        return span[0] if span else None


def _d(v: Any) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def _phoenix_spans(field: str) -> tuple[Span, ...]:
    spans = []
    for part in field.split(";"):
        bits = part.split("@")
        if len(bits) != 4:
            continue
        _, start, end, role = bits
        spans.append((role or None, _d(start), _d(end)))
    return tuple(spans)


class OfficialsIndex:
    """All officials keyed by normalized full name/alias, plus a surname index."""

    def __init__(self, dictionaries_dir: Path) -> None:
        self.by_key: dict[str, list[Official]] = {}
        self.by_surname: dict[str, list[Official]] = {}
        #: one-word keys the dictionaries list as names on their own ("Putin", "Merkel")
        self.single: set[str] = set()
        #: key prefixes: a run position whose words start no key is skipped without building
        #: its n-grams (keys ignore spaces, so "Abdrabbuh" must reach "Abd Rabbuh")
        self.prefixes: set[str] = set()
        self.skipped = 0
        data = load_yaml_mapping(dictionaries_dir / "officials.yaml")
        for o in data.get("officials") or []:
            roles = tuple(
                (r["role"], _d(r.get("from")), _d(r.get("to"))) for r in o.get("roles") or []
            )
            self._add(Official(o["name"], o["country"], roles, tuple(o.get("aliases") or ())))
        path = dictionaries_dir / "officials_phoenix.tsv"
        if path.exists():
            self._load_tsv(path)

    def _load_tsv(self, path: Path) -> None:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("#") or not line.strip():
                    continue
                cols = line.rstrip("\n").split("\t")
                try:
                    name, country, aliases, spans = cols
                    roles = _phoenix_spans(spans)
                except ValueError:  # a malformed row is skipped, never fatal
                    self.skipped += 1
                    continue
                if not roles or not norm_name(name):
                    self.skipped += 1
                    continue
                alias_t = tuple(a for a in aliases.split("|") if a)
                self._add(Official(name, country, roles, alias_t, curated=False))

    def _add(self, off: Official) -> None:
        names = [(n, norm_name(n)) for n in (off.name, *off.aliases)]
        if not off.curated and any(
            o.curated for _, k in names for o in self.by_key.get(k, ())
        ):  # the curated entry for the same person wins
            return
        for n, k in names:
            if not k:
                continue
            bucket = self.by_key.setdefault(k, [])
            if off not in bucket:
                bucket.append(off)
            self.prefixes.add(k[:_PREFIX])
            if " " not in n.strip():
                self.single.add(k)
        words = off.name.replace("-", " ").split()
        if len(words) >= 2:
            self.by_surname.setdefault(norm_name(words[-1]), []).append(off)

    @staticmethod
    def _pick(cands: list[Official], when: date | None, country: str | None) -> Official | None:
        """The one candidate consistent with the date and country; None when ambiguous."""
        if country:
            cands = [o for o in cands if o.country == country]
        active = [o for o in cands if o.in_office(when)] or cands
        curated = [o for o in active if o.curated]
        if curated:
            active = curated
        if len({o.country for o in active}) != 1:
            return None
        return active[0]

    def lookup(
        self,
        name: str,
        when: date | None = None,
        country: str | None = None,
        role: str | None = None,
    ) -> Official | None:
        """Entry for a full name or alias, or for a surname only one in-office entry has.

        ``role`` is the title the text gives ("President Bush"): when nobody with that surname
        is in office on ``when`` (a wrong or missing date), the one curated entry that ever held
        the role is taken, since the text itself says the person holds it."""
        key = norm_name(name)
        hit = self._pick(self.by_key.get(key, []), when, country)
        if hit is not None or " " in name.strip():
            return hit
        every = self.by_surname.get(key, [])
        if country:
            every = [o for o in every if o.country == country]
        cands = [o for o in every if o.in_office(when)]
        if not cands and role:
            cands = [o for o in every if o.curated and any(r == role for r, _, _ in o.roles)]
        return cands[0] if len({o.name for o in cands}) == 1 else None

    def find(self, text: str, when: date | None) -> Iterator[tuple[int, str, Official]]:
        """(offset, matched text, entry) for dictionary names in office on ``when``, longest
        match first within each run of capitalized words."""
        for m in _RUN.finditer(text):
            words = [(w.start(), w.group(0)) for w in re.finditer(r"\S+", m.group(0))]
            i = 0
            while i < len(words):
                step = 1
                head = norm_name("".join(w for _, w in words[i : i + 3]))[:_PREFIX]
                if not any(head[:n] in self.prefixes for n in (_PREFIX, 4, 3)):
                    i += 1  # (keys shorter than the prefix are their own prefix)
                    continue
                for j in range(min(len(words), i + _MAX_WORDS), i, -1):
                    surface = " ".join(w for _, w in words[i:j])
                    surface = re.sub(r"(?:'s|\u2019s|[.,;:])$", "", surface)
                    key = norm_name(surface)
                    if j - i == 1 and key not in self.single:
                        continue
                    cands = [o for o in self.by_key.get(key, []) if o.in_office(when)]
                    off = self._pick(cands, when, None) if cands else None
                    if off is not None:
                        yield m.start() + words[i][0], surface, off
                        step = j - i
                        break
                i += step
