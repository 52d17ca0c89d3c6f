from datetime import date
from pathlib import Path

import pytest

from pipeline.nlp.gazetteer import Gazetteer
from pipeline.nlp.officials import Officials

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="module")
def officials() -> Officials:
    gaz = Gazetteer(CONFIG / "dictionaries")
    return Officials(CONFIG / "dictionaries", CONFIG / "nlp", gaz)


def test_officials_learn_title_before_name(officials: Officials) -> None:
    ps = officials.learn(
        "Japanese Foreign Minister Yoko Kamikawa attends a meeting.", date(2024, 2, 22)
    )
    assert [(p.name, p.country, p.role) for p in ps] == [
        ("Yoko Kamikawa", "JPN", "foreign minister")
    ]


def test_officials_learn_apposition_with_possessive_country(officials: Officials) -> None:
    ps = officials.learn("Cho Tae-yul, South Korea's foreign minister, said so.", date(2024, 2, 22))
    assert [(p.name, p.country, p.role) for p in ps] == [("Cho Tae-yul", "KOR", "foreign minister")]


def test_officials_counterparts_take_countries_in_order(officials: Officials) -> None:
    text = (
        "South Korean Foreign Minister Park Jin met his US and Japanese counterparts, "
        "Antony Blinken and Yoshimasa Hayashi."
    )
    got = {(p.name, p.country, p.role) for p in officials.learn(text, date(2022, 7, 8))}
    assert ("Antony Blinken", "USA", "secretary of state") in got
    assert ("Yoshimasa Hayashi", "JPN", "foreign minister") in got


def test_officials_role_is_the_one_held_on_the_event_date(officials: Officials) -> None:
    kishida = officials.lookup("Fumio Kishida")
    assert kishida is not None
    assert kishida.role_on(date(2015, 1, 1)) == "foreign minister"
    assert kishida.role_on(date(2023, 1, 1)) == "prime minister"


def test_officials_family_name_first_gives_surname_key(officials: Officials) -> None:
    ps = officials.learn("South Korean Foreign Minister Cho Tae-yul spoke.", date(2024, 2, 22))
    assert "Cho" in ps[0].surname_keys


def test_officials_counterpart_without_possessive_takes_the_office_and_state(
    officials: Officials,
) -> None:
    text = (
        "Defence Minister Ana Silva of Portugal spoke by phone with Moroccan counterpart "
        "Karim Benali on Tuesday."
    )
    got = {(p.name, p.country, p.role) for p in officials.learn(text, date(2023, 5, 2))}
    assert ("Karim Benali", "MAR", "defence minister") in got


def test_officials_title_with_its_posting_before_the_name(officials: Officials) -> None:
    ps = officials.learn(
        "Chile's ambassador to the United Nations, Pablo Rojas, said so.", date(2023, 5, 2)
    )
    assert [(p.name, p.country, p.role) for p in ps] == [("Pablo Rojas", "CHL", "ambassador")]


def test_officials_initials_given_after_the_name_are_a_later_form(officials: Officials) -> None:
    ps = officials.learn(
        "Chilean President Ana Maria Lopez, widely known by her initials AML, met Peru's"
        " president. Peru's leader hosted AML.",
        date(2023, 5, 2),
    )
    lopez = next(p for p in ps if p.name == "Ana Maria Lopez")
    assert "AML" in lopez.surname_keys


def test_officials_apposition_with_the_state_after_the_title(officials: Officials) -> None:
    ps = officials.learn(
        "Pablo Rojas, the foreign affairs minister of Chile, replied on Twitter.", date(2023, 5, 2)
    )
    assert [(p.name, p.country, p.role) for p in ps] == [("Pablo Rojas", "CHL", "foreign minister")]
