"""Named officials: the date-bounded dictionaries (:mod:`pipeline.nlp.actors_dictionary`) plus
roles learned from the text itself ("U.S. Secretary of State Antony Blinken", "Cho Tae-yul, South
Korea's foreign minister", "his Japanese and South Korean counterparts, Yoko Kamikawa and Cho Tae
Yul"). Former officials and candidates are persons without a state: they are not actors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.nlp.actors_dictionary import Official, OfficialsIndex, norm_name
from pipeline.nlp.gazetteer import Gazetteer, load_yaml_mapping

__all__ = ["Official", "Officials", "PersonInfo", "norm_name"]

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


@dataclass(slots=True)
class PersonInfo:
    """A person as learned within one article."""

    name: str
    country: str | None
    role: str | None
    official: Official | None = None
    surname_keys: set[str] = field(default_factory=set)


#: words before a title that make its holder no (longer an) official: "former President X",
#: "presidential candidate X", "ex-Prime Minister X", "the late King X"
_NOT_OFFICIAL = re.compile(
    r"(?:\b(?:former|ex|late|then-former|onetime|one-time|erstwhile|outgoing-turned)[\s\-]+"
    r"(?:[A-Z][\w.]*\s+){0,2}$)|(?:\bcandidates?\s+$)",
    re.I,
)


class Officials:
    """Dictionary of officials and the title vocabulary."""

    def __init__(self, dictionaries_dir: Path, nlp_dir: Path, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer
        self.index = OfficialsIndex(dictionaries_dir)
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
    def lookup(
        self, name: str, when: date | None = None, country: str | None = None
    ) -> Official | None:
        """Dictionary entry for a full name or alias, or for a surname only one entry in office
        on ``when`` has; ``country`` (known from the text) rules out namesakes elsewhere."""
        return self.index.lookup(name, when, country)

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
        former: set[str] = set()

        def add(pos: int, name: str | None, country: str | None, role: str | None) -> None:
            if not name or self.gaz.actor(name) is not None or len(name) < 3:
                return
            off = self.lookup(name, when, country)
            if off and (country is None or off.country == country):
                # the text's own spelling of a full name ("Erdoğan"), else the dictionary's
                if " " not in name.strip() or norm_name(name) not in {
                    norm_name(n) for n in (off.name, *off.aliases)
                }:
                    name = off.name
                country = country or off.country
            else:
                off = None
            if _NOT_OFFICIAL.search(text[max(0, pos - 40) : pos]):
                former.add(norm_name(name))
            found.append((pos, PersonInfo(name, country, role, off)))

        for pos, surface, off in self.index.find(text, when):  # named without a title
            if self.gaz.actor(surface) is None:
                add(pos, surface, off.country, off.role_on(when))
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
            if norm_name(p.name) in former:  # not an official now: no state, no office
                p.country, p.official = None, None
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
