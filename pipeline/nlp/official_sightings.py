"""The persons sighted in one text, merged into the article's persons: each sighting is
canonicalized by the officials dictionary when state and date agree, and a former official or a
candidate ("former President X", "presidential candidate X") keeps neither state nor office."""

from __future__ import annotations

import re
from datetime import date

from pipeline.nlp.actors_dictionary import OfficialsIndex, norm_name
from pipeline.nlp.gazetteer import Gazetteer
from pipeline.nlp.persons import PersonInfo, fold_surnames, surname_keys
from pipeline.nlp.text import plain

#: words before a title that make its holder no (longer an) official: "former President X",
#: "presidential candidate X", "ex-Prime Minister X", "the late King X"
_NOT_OFFICIAL = re.compile(
    r"(?:\b(?i:former|ex|late|onetime|one-time|erstwhile)[\s\-]+"
    r"(?:(?:[A-Z][\w.\-]*|to|of|for|the)\s+){0,7}$)|(?:\b(?i:candidates?)\s+$)"
)


class Sightings:
    """Persons collected from one text; merged by normalized name at the end."""

    def __init__(self, gaz: Gazetteer, index: OfficialsIndex, text: str, when: date | None) -> None:
        self.gaz, self.index, self.text, self.when = gaz, index, text, when
        self.items: list[tuple[int, PersonInfo]] = []
        self.former: set[str] = set()

    def add(self, pos: int, name: str | None, country: str | None, role: str | None) -> None:
        """One sighting; the dictionary canonicalizes the name when state and date agree."""
        if not name or len(name) < 3 or self.gaz.actor(name) is not None:
            return
        if country:
            # the state read off the context ("at the UN, President Zelensky") yields to the
            # dictionary's official in office under that name, when there is exactly one
            known = self.index.lookup(name, self.when)
            if known is not None and known.in_office(self.when) and known.country != country:
                country = known.country
        off = self.index.lookup(name, self.when, country, role)
        if off and (country is None or off.country == country):
            # the canonical name ("Volodymyr Zelensky" for "Zelenskyy"), with the text's
            # diacritics when it writes the same name ("Erdoğan")
            if plain(name).lower() != plain(off.name).lower():
                name = off.name
            country = country or off.country
        else:
            off = None
        if _NOT_OFFICIAL.search(self.text[max(0, pos - 40) : pos]):
            self.former.add(norm_name(name))
        self.items.append((pos, PersonInfo(name, country, role, off)))

    def persons(self, family_first: set[str]) -> list[PersonInfo]:
        """Merged persons in order of first mention; the first known state and role win."""
        self.items.sort(key=lambda x: x[0])
        merged: dict[str, PersonInfo] = {}
        for _, p in self.items:
            k = norm_name(p.name)
            if k in merged:
                q = merged[k]
                q.country = q.country or p.country
                q.role = q.role or p.role
                q.official = q.official or p.official
            else:
                merged[k] = p
        out = fold_surnames(list(merged.values()))
        for p in out:
            if norm_name(p.name) in self.former:  # not an official now: no state, no office
                p.country, p.official = None, None
            if p.official:
                dict_role = p.official.role_on(self.when)
                if dict_role:
                    p.role = dict_role
            p.surname_keys = surname_keys(p, family_first)
        return out
