"""Named officials: a curated date-bounded dictionary plus roles learned from the text itself
("U.S. Secretary of State Antony Blinken", "Cho Tae-yul, South Korea's foreign minister",
"his Japanese and South Korean counterparts, Yoko Kamikawa and Cho Tae Yul")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.nlp.gazetteer import Gazetteer, load_yaml_mapping

_NAME_TOKEN = r"(?:[A-Z][a-zA-Z'\u00C0-\u024F]+(?:-[A-Za-z\u00C0-\u024F]+)?|[A-Z]\.)"
_NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}}"
_NAME_MULTI = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{1,3}}"
# words that end a name run even though capitalized
_STOP = {
    "On",
    "In",
    "At",
    "The",
    "Said",
    "Says",
    "And",
    "But",
    "For",
    "From",
    "With",
    "To",
    "Of",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Kyodo",
}


def norm_name(name: str) -> str:
    """Key for name comparison: case-, hyphen- and space-insensitive."""
    return re.sub(r"[\s\-\.]+", "", name).lower()


@dataclass(frozen=True, slots=True)
class Official:
    """A dictionary entry."""

    name: str
    country: str
    roles: tuple[tuple[str, date | None, date | None], ...]
    aliases: tuple[str, ...] = ()

    def role_on(self, when: date | None) -> str | None:
        """The role held on a date (the latest-starting role when no date is known)."""
        if when is None:
            return self.roles[0][0] if self.roles else None
        for role, start, end in self.roles:
            if (start is None or start <= when) and (end is None or when <= end):
                return role
        return None


@dataclass(slots=True)
class PersonInfo:
    """A person as learned within one article."""

    name: str
    country: str | None
    role: str | None
    official: Official | None = None
    surname_keys: set[str] = field(default_factory=set)


def _d(v: Any) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


class Officials:
    """Dictionary of officials and the title vocabulary."""

    def __init__(self, dictionaries_dir: Path, nlp_dir: Path, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer
        data = load_yaml_mapping(dictionaries_dir / "officials.yaml")
        self.by_key: dict[str, Official] = {}
        for o in data.get("officials") or []:
            roles = tuple(
                (r["role"], _d(r.get("from")), _d(r.get("to"))) for r in o.get("roles") or []
            )
            off = Official(o["name"], o["country"], roles, tuple(o.get("aliases") or ()))
            for n in (off.name, *off.aliases):
                self.by_key[norm_name(n)] = off
        rdata = load_yaml_mapping(nlp_dir / "roles.yaml")
        self.title_to_role: dict[str, str] = {}
        for role, titles in (rdata.get("roles") or {}).items():
            for t in titles:
                self.title_to_role.setdefault(t.lower(), role)
        self.counterpart = {
            k: set(v) for k, v in (rdata.get("counterpart_equivalents") or {}).items()
        }
        self.country_titles: dict[str, dict[str, str]] = rdata.get("country_titles") or {}
        self.family_first: set[str] = set(rdata.get("family_name_first") or [])
        names = sorted({n for o in self.by_key.values() for n in (o.name, *o.aliases)}, key=len)
        self._dict_names = re.compile(
            r"\b(?:" + "|".join(re.escape(n) for n in reversed(names)) + r")\b"
        )
        titles = sorted(self.title_to_role, key=len, reverse=True)
        title_alt = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in titles)
        self._title_name = re.compile(rf"\b(?P<title>(?i:{title_alt}))\s+(?P<name>{_NAME})")
        self._name_appos = re.compile(
            rf"(?P<name>{_NAME_MULTI}),\s+(?P<mid>(?:the\s+)?[^,;.]{{0,40}}?)\b(?P<title>(?i:{title_alt}))\b",
        )
        self._title_appos = re.compile(rf"\b(?P<title>(?i:{title_alt})),\s+(?P<name>{_NAME_MULTI})")
        self._counterparts = re.compile(
            rf"\b(?:his|her|their)\s+(?P<c1>[A-Z][\w\.]*(?:\s+[A-Z][\w\.]*)?)"
            rf"(?:\s+and\s+(?P<c2>[A-Z][\w\.]*(?:\s+[A-Z][\w\.]*)?))?\s+counterparts?,?\s+"
            rf"(?P<n1>{_NAME_MULTI})(?:\s*,?\s+and\s+(?P<n2>{_NAME_MULTI}))?"
        )

    # ---- dictionary
    def lookup(self, name: str) -> Official | None:
        """Dictionary entry for a full name or alias, or for a surname no other entry shares."""
        hit = self.by_key.get(norm_name(name))
        if hit is None and " " not in name.strip():
            cands = {
                o.name: o
                for o in self.by_key.values()
                if norm_name(o.name.split()[-1]) == norm_name(name)
            }
            if len(cands) == 1:
                hit = next(iter(cands.values()))
        return hit

    def role_title(self, role: str | None, country: str | None) -> str | None:
        """Country-specific name of an office (a U.S. "foreign minister" is secretary of state)."""
        if role and country:
            return self.country_titles.get(country, {}).get(role, role)
        return role

    def _country_before(self, text: str, end: int, window: int = 40) -> str | None:
        """Actor code named closest before ``end`` ("Japanese" in "Japanese Foreign Minister")."""
        chunk = text[max(0, end - window) : end]
        best: tuple[int, str] | None = None
        for m in re.finditer(r"[A-Z][\w\.'\-]*(?:\s+[A-Z][\w\.'\-]*){0,3}", chunk):
            words = m.group(0).split()
            for i in range(len(words)):
                for j in range(len(words), i, -1):
                    cand = " ".join(words[i:j]).removesuffix("'s").rstrip("'")
                    a = self.gaz.actor(cand)
                    if (a and not self.gaz.is_igo(a.code)) or (a and a.code in ("UNO",)):
                        pos = m.start() + len(" ".join(words[:j]))
                        if best is None or pos >= best[0]:
                            best = (pos, a.code)
                        break
        return best[1] if best else None

    @staticmethod
    def _clean_name(name: str) -> str | None:
        words = name.split()
        while words and (words[-1] in _STOP or words[-1].endswith("'s")):
            if words[-1].endswith("'s") and words[-1] not in _STOP:
                words[-1] = words[-1][:-2]
                break
            words.pop()
        while words and words[0] in _STOP:
            words.pop(0)
        return " ".join(words) if words else None

    # ---- learning from text
    def learn(self, text: str, when: date | None) -> list[PersonInfo]:
        """Persons named with a title or apposition anywhere in the text, in order of appearance."""
        found: list[tuple[int, PersonInfo]] = []

        def add(pos: int, name: str | None, country: str | None, role: str | None) -> None:
            if not name or self.gaz.actor(name) is not None or len(name) < 3:
                return
            off = self.lookup(name)
            if off:
                name, country = off.name, country or off.country
            found.append((pos, PersonInfo(name, country, role, off)))

        for m in self._dict_names.finditer(text):  # curated officials named without a title
            off = self.lookup(m.group(0))
            if off is not None:
                add(m.start(), off.name, off.country, off.role_on(when))
        for m in self._title_name.finditer(text):
            title = m.group("title")
            if title[0].islower() and title.lower() not in (
                "spokesman",
                "spokeswoman",
                "spokesperson",
                "ambassador",
                "envoy",
                "leader",
            ):
                continue
            name = self._clean_name(m.group("name"))
            role = self.title_to_role.get(re.sub(r"\s+", " ", title.lower()))
            country = self._country_before(text, m.start())
            add(m.start("name"), name, country, role)
        for m in self._name_appos.finditer(text):
            name = self._clean_name(m.group("name"))
            role = self.title_to_role.get(re.sub(r"\s+", " ", m.group("title").lower()))
            country = self._country_before(text, m.start("title"), window=len(m.group("mid")) + 2)
            if country:
                add(m.start("name"), name, country, role)
        for m in self._title_appos.finditer(text):
            name = self._clean_name(m.group("name"))
            role = self.title_to_role.get(re.sub(r"\s+", " ", m.group("title").lower()))
            add(m.start("name"), name, self._country_before(text, m.start(), window=60), role)
        for m in self._counterparts.finditer(text):
            # role of the person whose counterparts these are: the closest titled person before
            prior = [p for pos, p in found if pos < m.start() and p.role]
            base = prior[-1].role if prior else None
            canon = next((k for k, v in self.counterpart.items() if base in v), base)
            pairs = [(m.group("c1"), m.group("n1")), (m.group("c2"), m.group("n2"))]
            if m.group("n2") is None and m.group("c2"):
                pairs = [(m.group("c1"), m.group("n1"))]
            for ctext, ntext in pairs:
                if not ntext:
                    continue
                a = self.gaz.actor(ctext) if ctext else None
                country = a.code if a else None
                add(
                    m.start("n1"), self._clean_name(ntext), country, self.role_title(canon, country)
                )
        found.sort(key=lambda x: x[0])
        # merge duplicates: same normalized name; keep the first non-null country/role
        merged: dict[str, PersonInfo] = {}
        for _, p in found:
            k = norm_name(p.name)
            if k in merged:
                q = merged[k]
                q.country = q.country or p.country
                q.role = q.role or p.role
            else:
                merged[k] = p
        out = list(merged.values())
        for p in out:
            if p.official:
                dict_role = p.official.role_on(when)
                if dict_role:
                    p.role = dict_role
            words = p.name.replace("-", " ").split()
            if words:
                fam = words[0] if p.country in self.family_first else words[-1]
                p.surname_keys = {fam}
                if p.country in self.family_first and "-" in p.name:
                    p.surname_keys.add(p.name.split()[0])
        return out
