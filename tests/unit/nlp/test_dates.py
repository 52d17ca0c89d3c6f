from datetime import date

from pipeline.nlp.dates import find_dates

PUB = date(2024, 2, 23)  # a Friday


def _values(text: str, pub: date | None = PUB) -> list[tuple[str | None, str | None]]:
    return [(d.value, d.precision) for d in find_dates(text, pub)]


def test_find_dates_weekday_resolves_to_latest_on_or_before_publication() -> None:
    assert _values("agreed Thursday to pursue") == [("2024-02-22", "day")]


def test_find_dates_full_date_is_day_precision() -> None:
    assert _values("in Rio de Janeiro on Feb. 22, 2024.") == [("2024-02-22", "day")]


def test_find_dates_bare_month_is_most_recent_past_month() -> None:
    assert _values("talks in San Francisco in November.") == [("2023-11", "month")]


def test_find_dates_relative_month_and_year() -> None:
    assert _values("since assuming his post last month") == [("2024-01", "month")]
    assert _values("in August last year") == [("2023-08", "month")]


def test_find_dates_two_days_are_both_found() -> None:
    assert _values("on July 7 and July 8", date(2022, 7, 9)) == [
        ("2022-07-07", "day"),
        ("2022-07-08", "day"),
    ]


def test_find_dates_without_publication_date_keeps_only_absolute_dates() -> None:
    assert _values("on Thursday", None) == [(None, None)]
    assert _values("on March 3, 2021", None) == [("2021-03-03", "day")]


def test_sentence_initial_year_and_last_month_name_resolve() -> None:
    pub = date(2024, 2, 23)
    assert [d.value for d in find_dates("In 2015, Chile left.", pub)] == ["2015"]
    assert [d.value for d in find_dates("It ended last March.", pub)] == ["2023-03"]
    assert [d.value for d in find_dates("It ended last January.", pub)] == ["2024-01"]


def test_weekends_resolve_to_their_saturday() -> None:
    sat, tue = date(2019, 8, 24), date(2019, 8, 27)
    assert _values("leaders meet this weekend", sat) == [("2019-08-24", "day")]
    assert _values("leaders meet this weekend", tue) == [("2019-08-31", "day")]
    assert _values("talks held over the weekend", tue) == [("2019-08-24", "day")]
    assert _values("talks held last weekend", date(2019, 8, 25)) == [("2019-08-17", "day")]
