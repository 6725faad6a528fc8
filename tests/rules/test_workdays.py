from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.months import Month
from jaring.rules.workdays import WEEKEND, due_date, is_working_day, next_working_day

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
holiday_sets = st.frozensets(days, max_size=40)
months = st.integers(min_value=2000 * 12, max_value=2100 * 12 + 11).map(
    lambda i: Month.of(i // 12, i % 12 + 1)
)


def test_a_fifteenth_on_a_weekday_is_the_due_date():
    assert due_date(Month.of(2026, 12), holidays=set()) == date(2026, 12, 15)  # a Tuesday


def test_a_fifteenth_on_a_sunday_moves_to_monday():
    assert due_date(Month.of(2026, 11), holidays=set()) == date(2026, 11, 16)


def test_a_fifteenth_on_a_holiday_moves_to_the_next_working_day():
    assert due_date(Month.of(2026, 12), holidays={date(2026, 12, 15)}) == date(2026, 12, 16)


def test_a_friday_holiday_moves_past_the_weekend():
    holidays = {date(2026, 5, 15)}  # a Friday
    assert due_date(Month.of(2026, 5), holidays=holidays) == date(2026, 5, 18)


def test_a_week_of_collective_leave_moves_it_past_all_of_it():
    leave = {date(2026, 12, 15) + timedelta(days=n) for n in range(3)}
    assert due_date(Month.of(2026, 12), holidays=leave) == date(2026, 12, 18)


def test_a_week_without_working_days_is_refused():
    with pytest.raises(ValueError):
        next_working_day(date(2026, 1, 1), set(), weekend=set(range(7)))


@given(months, holiday_sets)
def test_the_due_date_is_a_working_day_on_or_after_the_fifteenth(month, holidays):
    due = due_date(month, holidays)
    fifteenth = date(month.year, month.month, 15)
    assert due >= fifteenth
    assert is_working_day(due, holidays)
    # every day skipped was a weekend day or a holiday
    day = fifteenth
    while day < due:
        assert day.weekday() in WEEKEND or day in holidays
        day += timedelta(days=1)


@given(days, holiday_sets)
def test_next_working_day_is_idempotent(day, holidays):
    first = next_working_day(day, holidays)
    assert next_working_day(first, holidays) == first


@given(months, holiday_sets, holiday_sets)
def test_more_holidays_never_bring_the_due_date_earlier(month, holidays, more):
    assert due_date(month, holidays | more) >= due_date(month, holidays)
