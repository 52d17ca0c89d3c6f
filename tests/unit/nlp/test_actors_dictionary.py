"""Actor dictionaries: officials resolved as of a date, bodies, groups, non-actors, territories,
and the Phoenix conversion script, on small hand-written data and texts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.nlp.actors_dictionary import OfficialsIndex, norm_name
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.gazetteer import GROUP, Gazetteer
from pipeline.nlp.officials import Officials
from scripts.build_actor_dictionaries import display, parse
from tests.unit.nlp.support import events_of as _events

CONFIG = Path(__file__).resolve().parents[3] / "config"

CURATED = """\
version: 1
officials:
  - {name: Ada Obi, country: GHA, roles: [{role: president, from: 2015-01-07, to: 2020-01-07}]}
  - {name: Ada Obi, country: AU, roles: [{role: chairperson, from: 2021-02-01, to: null}]}
"""
PHOENIX = (
    "# name\tcountry\taliases\tsector@from@to@role;...\n"
    "Jean Dupont\tTGO\tDupont|J. Dupont\tGOV@2010-01-01@@\n"
    "Tomás Ñúñez\tPER\t\tGOV@2012-03-01@2016-07-28@foreign minister\n"
    "Broken Row\tPER\n"
    "Paul Martin\tBEN\t\tGOV@2000-01-01@2001-01-01@\n"
    "Luc Martin\tTGO\t\tGOV@1999-01-01@@\n"
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> OfficialsIndex:
    d = tmp_path_factory.mktemp("dicts")
    (d / "officials.yaml").write_text(CURATED, encoding="utf-8")
    (d / "officials_phoenix.tsv").write_text(PHOENIX, encoding="utf-8")
    return OfficialsIndex(d)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(CONFIG / "dictionaries")


@pytest.fixture(scope="module")
def officials(gaz: Gazetteer) -> Officials:
    return Officials(CONFIG / "dictionaries", CONFIG / "nlp", gaz)


def test_malformed_rows_are_skipped_not_fatal(index: OfficialsIndex) -> None:
    assert index.skipped == 1
    assert index.lookup("Jean Dupont") is not None


def test_same_person_resolves_to_the_state_or_body_held_on_the_date(index: OfficialsIndex) -> None:
    early = index.lookup("Ada Obi", date(2018, 5, 1))
    late = index.lookup("Ada Obi", date(2022, 5, 1))
    assert early is not None and early.country == "GHA" and early.role_on(date(2018, 5, 1))
    assert late is not None and (late.country, late.role_on(date(2022, 5, 1))) == (
        "AU",
        "chairperson",
    )


def test_names_match_without_accents_and_dictionary_roles_are_dated(
    index: OfficialsIndex,
) -> None:
    assert norm_name("Tomás Ñúñez") == norm_name("Tomas Nunez")
    off = index.lookup("Tomas Nunez", date(2014, 1, 1))
    assert off is not None and off.role_on(date(2014, 1, 1)) == "foreign minister"
    assert off.role_on(date(2019, 1, 1)) is None  # left office: no role, not in office
    assert not off.in_office(date(2019, 1, 1))


def test_find_keeps_officials_in_office_and_listed_single_names(index: OfficialsIndex) -> None:
    text = "Talks between Jean Dupont and Tomas Nunez ended. Later Dupont left; Obi stayed."
    found = [(s, o.name) for _, s, o in index.find(text, date(2019, 1, 1))]
    # Nunez was no longer in office in 2019; "Obi" alone is no listed single name
    assert found == [("Jean Dupont", "Jean Dupont"), ("Dupont", "Jean Dupont")]


def test_surname_alone_is_resolved_only_when_one_official_has_it(index: OfficialsIndex) -> None:
    luc = index.lookup("Martin", date(2019, 1, 1))  # Paul Martin left office in 2001
    assert luc is not None and luc.name == "Luc Martin"
    assert index.lookup("Martin", date(2000, 6, 1)) is None  # two Martins in office


def test_former_officials_and_candidates_get_no_state(officials: Officials) -> None:
    text = (
        "Former President Barack Obama spoke, as did the candidate and ex-Vice President "
        "Joe Biden and President Donald Trump."
    )
    got = {p.name: p.country for p in officials.learn(text, date(2019, 6, 1))}
    assert got["Barack Obama"] is None and got["Joe Biden"] is None
    assert got["Donald Trump"] == "USA"


def test_title_shapes_give_state_and_role(officials: Officials) -> None:
    text = (
        "Presidents Kwame Asante of Ghana and Koffi Amegah of Togo signed the accord. "
        "Mali's president Ibrahim Keita welcomed it. US Ambassador to Japan Rahm Emanuel agreed. "
        "Yemen's Minister of Information Salem Nasser said so."
    )
    got = {p.name: (p.country, p.role) for p in officials.learn(text, date(2019, 6, 1))}
    assert got["Kwame Asante"] == ("GHA", "president")
    assert got["Koffi Amegah"] == ("TGO", "president")
    assert got["Ibrahim Keita"] == ("MLI", "president")
    assert got["Rahm Emanuel"] == ("USA", "ambassador")
    assert got["Salem Nasser"] == ("YEM", "information minister")


def test_officials_of_bodies_carry_the_body_code(officials: Officials) -> None:
    ps = officials.learn("NATO Secretary-General Jens Stoltenberg spoke.", date(2019, 6, 1))
    assert [(p.name, p.country) for p in ps] == [("Jens Stoltenberg", "NATO")]


def test_dictionary_official_named_without_title(officials: Officials) -> None:
    ps = officials.learn("Talks with Bashar al-Assad resumed.", date(2019, 6, 1))
    assert [(p.name, p.country) for p in ps] == [("Bashar al-Assad", "SYR")]


def test_odd_characters_in_text_do_not_crash(officials: Officials) -> None:
    text = "Président \u200bX\u0000 met Ḿr. Ṕ\ufffd and Minister of \U0001f600 Ab Cd. \u202eAl-"
    assert isinstance(officials.learn(text, None), list)


def test_body_codes_and_specific_bodies(gaz: Gazetteer) -> None:
    unicef, imf = gaz.actor("UNICEF"), gaz.actor("IMF")
    assert unicef is not None and (unicef.code, unicef.body) == ("UNO", "UNICEF")
    assert imf is not None and (imf.code, imf.body) == ("IGO", "IMF")
    for name, code in (("NATO", "NATO"), ("Interpol", "INTERPOL"), ("European Commission", "EUR")):
        entry = gaz.actor(name)
        assert entry is not None and entry.code == code and gaz.is_igo(code)


def test_institutions_metonyms_and_armed_groups(gaz: Gazetteer) -> None:
    expect = {
        "the Kremlin": ("RUS", "GOV"),
        "Pentagon": ("USA", "MIL"),
        "Downing Street": ("GBR", "GOV"),
        "Houthis": ("YEM", "REB"),
        "Taliban": ("AFG", "REB"),
        "Popular Mobilization Forces": ("IRQ", "REB"),
        "al-Shabab": ("SOM", "REB"),
    }
    for name, (code, sector) in expect.items():
        entry = gaz.actor(name)
        assert entry is not None and (entry.code, entry.sector) == (code, sector), name
    houthis = gaz.actor("Houthis")
    assert houthis is not None and houthis.kind == GROUP


def test_names_containing_a_state_are_not_that_state(gaz: Gazetteer) -> None:
    for name in ("South China Sea", "Korean Air", "Russian Orthodox Church", "China Daily"):
        assert gaz.actor(name) is None, name


def test_territories_are_their_state_and_kosovo_is_kos(gaz: Gazetteer) -> None:
    for name, code in (("Hong Kong", "CHN"), ("Puerto Rico", "USA"), ("Kosovo", "KOS")):
        entry = gaz.actor(name)
        assert entry is not None and entry.code == code, name
    place = gaz.place("Hong Kong")
    assert place is not None and place.country == "CHN"


def test_conversion_reads_tabari_entries(tmp_path: Path) -> None:
    src = tmp_path / "actors.txt"
    src.write_text(
        "# comment\n"
        "ADA_OBI_  # CountryInfo.txt\n"
        "+PRESIDENT_ADA_OBI_\n"
        "+OBI\n"
        "\t[GHAELI 700101-150107]\n"
        "\t[GHAGOV >150107]  # President\n"
        "TOMAS_NUNEZ_\t[PERGOV 19990101-20030228]\n",
        encoding="utf-8",
    )
    entries = parse(src)
    assert [e.names for e in entries] == [
        ["ADA_OBI_", "PRESIDENT_ADA_OBI_", "OBI"],
        ["TOMAS_NUNEZ_"],
    ]
    ada = entries[0].codes
    assert ada[1][:3] == ("GHAGOV", date(2015, 1, 7), None)
    assert entries[1].codes[0][1:3] == (date(1999, 1, 1), date(2003, 2, 28))
    assert display("RECEP_TAYYIP_ERDOĞAN_") == "Recep Tayyip Erdoğan"
    assert display("ORGANIZATION_OF_AMERICAN_STATES") == "Organization of American States"
    assert display("UNICEF_") == "UNICEF"
    assert display("BAD{NAME}") is None


def test_extractor_codes_groups_metonyms_and_skips_names_containing_a_state(
    extractor: EventExtractor,
) -> None:
    ev = _events(extractor, "The Houthis fired missiles at Saudi Arabia on Monday.")[0]
    assert (ev["actors"], ev["recipients"], ev["bodies"]) == (["YEM"], ["SAU"], ["Houthis"])
    ev = _events(extractor, "The Kremlin accused Washington of meddling on Tuesday.")[0]
    assert (ev["actors"], ev["recipients"]) == (["RUS"], ["USA"])
    for ev in _events(extractor, "Korean Air criticized Japan on Monday."):
        assert "KOR" not in ev["actors"] + ev["recipients"]


def test_extractor_gives_former_officials_no_state(extractor: EventExtractor) -> None:
    for ev in _events(extractor, "Former President Barack Obama criticized Russia on Monday."):
        assert "USA" not in ev["actors"] + ev["recipients"]
