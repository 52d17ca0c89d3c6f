"""Named officials: the date-bounded dictionaries (:mod:`pipeline.nlp.actors_dictionary`) plus
roles learned from the text itself ("U.S. Secretary of State Antony Blinken", "Cho Tae-yul, South
Korea's foreign minister", "his Japanese and South Korean counterparts, Yoko Kamikawa and Cho Tae
Yul"). Former officials and candidates are persons without a state: they are not actors.

This module reads each title pattern's matches (name, state, role); the vocabulary and the
patterns are :mod:`pipeline.nlp.title_patterns`, the state around a title
:mod:`pipeline.nlp.official_countries`, and the merging of the sightings into the article's
persons :mod:`pipeline.nlp.official_sightings`."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pipeline.nlp.actors_dictionary import Official, OfficialsIndex, norm_name
from pipeline.nlp.gazetteer import Gazetteer
from pipeline.nlp.official_countries import country_after, country_before
from pipeline.nlp.official_sightings import Sightings
from pipeline.nlp.persons import PersonInfo, learn_initials
from pipeline.nlp.title_patterns import TitlePatterns, scan

__all__ = ["Official", "Officials", "norm_name"]

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


#: lower-case titles that announce a name without a state before them
_LOWER_TITLES = {"spokesman", "spokeswoman", "spokesperson", "ambassador", "envoy", "leader"}
#: a state or body word (or its possessive) right before a title: "Niger's president X"
_ACTOR_JUST_BEFORE = re.compile(r"(?:[A-Z][\w.\-]*(?:'s|\u2019s)?|[A-Z]{2,}\)?)\s+$")
#: second words of two-word portfolios ("Minister of Foreign Trade X")
_PORTFOLIO_TAIL = {"Affairs", "Relations", "Trade", "Security", "Development", "Cooperation"}


class Officials:
    """The officials dictionary, and the persons a text names with a title or as one of the
    dictionary's officials."""

    def __init__(self, dictionaries_dir: Path, nlp_dir: Path, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer
        self.index = OfficialsIndex(dictionaries_dir)
        self.titles = TitlePatterns(dictionaries_dir, nlp_dir)

    # ---- dictionary
    def lookup(
        self,
        name: str,
        when: date | None = None,
        country: str | None = None,
        role: str | None = None,
    ) -> Official | None:
        """Dictionary entry for a full name or alias, or for a surname only one entry in office
        on ``when`` has; ``country`` (known from the text) rules out namesakes elsewhere and
        ``role`` (the text's title) finds the holder when the date does not."""
        return self.index.lookup(name, when, country, role)

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
        """Persons named with a title or apposition anywhere in the text, or officials of the
        dictionaries in office on ``when``, in order of appearance."""
        found = Sightings(self.gaz, self.index, text, when)
        for pos, surface, off in self.index.find(text, when):  # named without a title
            if self.gaz.actor(surface) is None:
                found.add(pos, surface, off.country, off.role_on(when))
        starts = self.titles.starts(text)
        self._learn_titles(text, found, starts)
        self._learn_appositions(text, found, starts)
        self._learn_counterparts(text, found)
        self._learn_administrations(text, found)
        persons = found.persons(self.titles.family_first)
        learn_initials(text, persons)
        return persons

    def _learn_administrations(self, text: str, found: Sightings) -> None:
        """ "the Trump administration": the surname of the one dictionary official in office
        then (a state's name, "the Chinese government", is not a surname)."""
        for m in self.titles.administration.finditer(text):
            name = m.group("name")
            off = self.lookup(name, found.when)
            if off is not None and self.gaz.actor(name) is None:
                found.add(m.start("name"), off.name, off.country, off.role_on(found.when))

    def _learn_titles(self, text: str, found: Sightings, starts: list[int]) -> None:
        """ "Foreign Minister X", "Niger's president X", "Presidents X of A and Y of B",
        "Ambassador to Germany X", "Minister of Information X"."""
        for m in scan(self.titles.title_name, text, starts):
            title = m.group("title")
            if self.gaz.actor(m.group(0)) is not None:  # "General Assembly"
                continue
            country = country_before(self.gaz, text, m.start())
            if title[0].islower() and title.lower() not in _LOWER_TITLES:
                # a lower-case title only right after a state or body ("Niger's president")
                if not _ACTOR_JUST_BEFORE.search(text[: m.start()]):
                    continue
                country = country_before(self.gaz, text, m.start(), window=30)
                if country is None:
                    continue
            name = self._clean_name(m.group("name"))
            country = country or country_after(self.gaz, text, m.end("name"))
            found.add(m.start("name"), name, country, self.titles.role(title))
        for m in scan(self.titles.plural, text, starts):
            role = self.titles.role(m.group("title"))
            before = country_before(self.gaz, text, m.start())
            for n, c in (("n1", "c1"), ("n2", "c2")):
                a = self.gaz.actor(m.group(c)) if m.group(c) else None
                name = self._clean_name(m.group(n))
                found.add(m.start(n), name, a.code if a else before, role)
        for m in self.titles.title_compl.finditer(text):
            self._title_complement(text, m, found)

    def _title_complement(self, text: str, m: re.Match[str], found: Sightings) -> None:
        words = m.group("rest").split()
        title, prep = m.group("title"), m.group("prep").lower()
        for k in range(1, min(4, len(words))):
            if f"{title} {prep} {' '.join(words[:k])}".lower() in self.titles.title_to_role:
                return  # a title of its own ("Minister of Foreign Affairs"): matched above
        k = 1
        if prep == "to":  # "Ambassador to Germany X": the state hosting the ambassador
            k = next(
                (
                    i
                    for i in range(1, min(4, len(words) - 1))
                    if self.gaz.actor(" ".join(words[:i]))
                ),
                0,
            )
            role = self.titles.role(title)
        else:  # "Minister of Information X": the portfolio names the role
            if len(words) > 3 and words[1] in _PORTFOLIO_TAIL:
                k = 2
            role = f"{' '.join(words[:k]).lower()} {self.titles.role(title) or title.lower()}"
        name = self._clean_name(" ".join(words[k:]))
        if k == 0 or not name or len(name.split()) < 2:
            return
        found.add(m.start("rest"), name, country_before(self.gaz, text, m.start()), role)

    def _learn_appositions(self, text: str, found: Sightings, starts: list[int]) -> None:
        """ "X, South Korea's foreign minister" and "the foreign minister, X"."""
        for m in self.titles.name_appos.finditer(text):
            name = self._clean_name(m.group("name"))
            country = country_before(
                self.gaz, text, m.start("title"), window=len(m.group("mid")) + 2
            ) or country_after(self.gaz, text, m.end("title"))  # "X, the foreign minister of Cuba"
            if country:
                found.add(m.start("name"), name, country, self.titles.role(m.group("title")))
        for m in scan(self.titles.title_appos, text, starts):
            name = self._clean_name(m.group("name"))
            country = country_before(self.gaz, text, m.start(), window=60)
            found.add(m.start("name"), name, country, self.titles.role(m.group("title")))

    def _learn_counterparts(self, text: str, found: Sightings) -> None:
        """ "his US and Japanese counterparts, A and B": the office of the closest titled person."""
        for m in self.titles.counterparts.finditer(text):
            prior = [p for pos, p in found.items if pos < m.start() and p.role]
            base = prior[-1].role if prior else None
            canon = next((k for k, v in self.titles.counterpart.items() if base in v), base)
            pairs = [(m.group("c1"), m.group("n1")), (m.group("c2"), m.group("n2"))]
            if m.group("n2") is None and m.group("c2"):
                pairs = [(m.group("c1"), m.group("n1"))]
            for ctext, ntext in pairs:
                if not ntext:
                    continue
                # "With Israeli counterpart X" at a sentence start: the state is the last word
                a = (self.gaz.actor(ctext) or self.gaz.actor(ctext.split()[-1])) if ctext else None
                country = a.code if a else None
                found.add(
                    m.start("n1"),
                    self._clean_name(ntext),
                    country,
                    self.titles.role_title(canon, country),
                )
