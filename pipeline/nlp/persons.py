"""A person as learned within one article, and the forms later mentions of them take: the
family name, a short form given after the name ("MBS"), a bare surname folded into the full name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.nlp.actors_dictionary import Official, norm_name
from pipeline.nlp.text import plain

#: one word of a personal name: "Blinken", "al-Sisi", "J."
NAME_TOKEN = (
    r"(?:(?:(?:al|el|ad|as|ash|an|ar|at)-)?[A-Z][a-zA-Z'\u00C0-\u024F]+"
    r"(?:-[A-Za-z\u00C0-\u024F]+)?|[A-Z]\.)"
)
# "Mohammed bin Salman", "Ursula von der Leyen": lower-case particles inside a name
GLUE = r"\s+(?:(?:bin|ibn|bint|de|da|del|dos|van|von|der)\s+){0,2}"
NAME = rf"{NAME_TOKEN}(?:{GLUE}{NAME_TOKEN}){{0,3}}"
NAME_MULTI = rf"{NAME_TOKEN}(?:{GLUE}{NAME_TOKEN}){{1,3}}"


@dataclass(slots=True)
class PersonInfo:
    """A person as learned within one article."""

    name: str
    country: str | None
    role: str | None
    official: Official | None = None
    surname_keys: set[str] = field(default_factory=set)


#: "X (MBS)", "X, commonly known by his initials MBS", "X, known as AMLO": a short form
#: given right after a name (found first, then the name before it: a name pattern tried at
#: every word of the article would cost more than the rest of this module's scan)
_ALIAS = re.compile(
    r"(?:\s+\(|,\s+(?:[a-z]+\s+){0,2}(?i:known)\s+(?:(?i:by)\s+(?:his|her|the)\s+"
    r"(?:\w+\s+)?(?:abbreviation|initials|acronym|nickname)\s+|as\s+))(?P<alias>[A-Z]{2,5})\b"
)
_NAME_BEFORE = re.compile(rf"(?P<name>{NAME_MULTI})$")


def learn_initials(text: str, persons: list[PersonInfo]) -> None:
    """A learned person's short form given right after the name is one of the forms a later
    mention takes ("MBS met Rubio")."""
    by_name = {norm_name(p.name): p for p in persons}
    for m in _ALIAS.finditer(text):
        named = _NAME_BEFORE.search(text, max(0, m.start() - 80), m.start())
        if named is None:
            continue
        words = named.group("name").split()
        # the match may start at a title ("Crown Prince Mohammed bin Salman"): try each tail
        tails = (by_name.get(norm_name(" ".join(words[i:]))) for i in range(len(words) - 1))
        p = next((t for t in tails if t is not None), None)
        if p is not None:
            p.surname_keys.add(m.group("alias"))


def surname_keys(p: PersonInfo, family_first: set[str]) -> set[str]:
    """Forms a later bare mention may take: the family name as written, without accents, and
    as the dictionary spells it ("Erdoğan", "Erdogan")."""
    names = [p.name] + ([p.official.name] if p.official else [])
    keys: set[str] = set()
    for name in names:
        words = name.replace("-", " ").split()
        if not words:
            continue
        fam = words[0] if p.country in family_first else words[-1]
        keys |= {fam, plain(fam)}
        if p.country in family_first and "-" in name:
            keys.add(name.split()[0])
    return keys


def fold_surnames(persons: list[PersonInfo]) -> list[PersonInfo]:
    """A one-word name that is the surname of a full name in the same article is that person
    ("Zelensky" after "Volodymyr Zelensky"); the full name keeps its state when it has one."""
    full: dict[str, PersonInfo] = {}
    for p in persons:
        words = p.name.split()
        if len(words) > 1:
            full.setdefault(norm_name(words[-1]), p)
            full.setdefault(norm_name(words[0]), p)
    out = []
    for p in persons:
        q = full.get(norm_name(p.name)) if " " not in p.name else None
        if q is None:
            out.append(p)
            continue
        q.country = q.country or p.country
        q.role = q.role or p.role
        q.official = q.official or p.official
    return out
