from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.months import Month, month_span, months_between

months = st.integers(min_value=Month.of(1900, 1).index, max_value=Month.of(2100, 12).index).map(Month)
offsets = st.integers(min_value=-1200, max_value=1200)


def test_month_index_is_year_times_twelve_plus_zero_based_month():
    assert Month.of(2024, 5).index == 2024 * 12 + 4
    assert Month.of(2024, 5).year == 2024
    assert Month.of(2024, 5).month == 5


def test_month_is_written_year_dash_two_digit_month():
    assert str(Month.of(2024, 5)) == "2024-05"
    assert str(Month.of(2024, 12)) == "2024-12"


def test_parse_reads_year_dash_month():
    assert Month.parse("2024-05") == Month.of(2024, 5)
    assert Month.parse(" 2020-08 ") == Month.of(2020, 8)


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "24-05", "abc", "2024-5", "2024/05", "", "0000-01"])
def test_parse_rejects_text_that_is_not_a_month(text):
    with pytest.raises(ValueError, match="is not a month"):
        Month.parse(text)


def test_parse_names_the_bad_month_number():
    with pytest.raises(ValueError, match=r"month 13 is not in 01\.\.12"):
        Month.parse("2024-13")


@pytest.mark.parametrize(("year", "month"), [(2024, 0), (2024, 13), (0, 1), (10000, 1)])
def test_of_rejects_impossible_months(year, month):
    with pytest.raises(ValueError):
        Month.of(year, month)


def test_from_date_takes_the_month_containing_the_day():
    assert Month.from_date(date(2024, 2, 29)) == Month.of(2024, 2)


def test_february_ends_on_the_29th_in_a_leap_year_only():
    assert Month.of(2024, 2).last_day() == date(2024, 2, 29)
    assert Month.of(2023, 2).last_day() == date(2023, 2, 28)
    assert Month.of(2024, 12).first_day() == date(2024, 12, 1)
    assert Month.of(2024, 12).last_day() == date(2024, 12, 31)


def test_adding_months_crosses_the_year_end():
    assert Month.of(2024, 11) + 3 == Month.of(2025, 2)
    assert 3 + Month.of(2024, 11) == Month.of(2025, 2)
    assert Month.of(2025, 2) - 3 == Month.of(2024, 11)


def test_subtracting_months_counts_the_months_between():
    assert Month.of(2025, 2) - Month.of(2024, 11) == 3


def test_months_do_not_mix_with_floats_or_bools():
    with pytest.raises(TypeError):
        Month.of(2024, 5) + 1.0  # type: ignore[operator]
    with pytest.raises(TypeError):
        Month.of(2024, 5) - True  # type: ignore[operator]
    with pytest.raises(TypeError):
        Month(1.5)  # type: ignore[arg-type]


def test_month_span_counts_forward_from_the_first_month():
    assert month_span(Month.of(2024, 11), 3) == (Month.of(2024, 11), Month.of(2024, 12), Month.of(2025, 1))
    assert month_span(Month.of(2024, 11), 0) == ()
    with pytest.raises(ValueError):
        month_span(Month.of(2024, 11), -1)


def test_months_between_includes_both_ends():
    assert months_between(Month.of(2024, 12), Month.of(2025, 2)) == (
        Month.of(2024, 12),
        Month.of(2025, 1),
        Month.of(2025, 2),
    )
    assert months_between(Month.of(2025, 2), Month.of(2025, 2)) == (Month.of(2025, 2),)
    assert months_between(Month.of(2025, 2), Month.of(2025, 1)) == ()


@given(months)
def test_text_round_trips(month):
    assert Month.parse(str(month)) == month


@given(months, offsets)
def test_adding_then_subtracting_gets_back(month, n):
    assert (month + n) - n == month
    assert (month + n) - month == n


@given(months, months)
def test_months_order_like_year_then_month(a, b):
    assert (a < b) == ((a.year, a.month) < (b.year, b.month))


@given(months)
def test_the_day_after_the_last_day_starts_the_next_month(month):
    assert month.last_day() + timedelta(days=1) == (month + 1).first_day()
    assert Month.from_date(month.last_day()) == month == Month.from_date(month.first_day())


@given(months, st.integers(min_value=0, max_value=40))
def test_span_and_between_agree(first, count):
    span = month_span(first, count)
    assert len(span) == count
    assert all(later - earlier == 1 for earlier, later in pairwise(span))
    if count:
        assert months_between(first, span[-1]) == span
