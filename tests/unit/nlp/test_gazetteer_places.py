"""Place lookups of the gazetteer: which place a bare name means."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.nlp.gazetteer import Gazetteer

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(CONFIG / "dictionaries")


def _country(gaz: Gazetteer, name: str) -> str | None:
    place = gaz.place(name)
    return place.country if place else None


def test_a_state_name_is_the_state_not_a_town_named_after_it(gaz: Gazetteer) -> None:
    # geonames lists towns called Mexico (Philippines), Lebanon (United States), Jordan ...
    assert [_country(gaz, n) for n in ("Mexico", "Lebanon", "Jordan", "Armenia")] == [
        "MEX",
        "LBN",
        "JOR",
        "ARM",
    ]
    assert _country(gaz, "Paris") == "FRA"  # a city's own name is untouched


def test_first_level_regions_are_places_in_their_state(gaz: Gazetteer) -> None:
    assert [_country(gaz, n) for n in ("Quebec", "Alberta", "Helmand", "Balochistan")] == [
        "CAN",
        "CAN",
        "AFG",
        "PAK",
    ]
    # outranks a small town abroad named after it (Ontario, California) ...
    assert _country(gaz, "Ontario") == "CAN"
    # ... but not a state, nor a name two states' regions share
    assert _country(gaz, "Georgia") == "GEO"
    assert gaz.place("Punjab") is None
