"""Working days and the monthly due date: a BPU contribution is due by the 15th of its month, moved to the
next working day when the 15th is a weekend day or a holiday. Which days are holidays is not decided
here: the caller passes them (Indonesia's public holidays from the ``holidays`` package with the
operator's corrections: collective leave added, a moved Islamic holiday removed and added again)."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta

from jaring.rules.months import Month

# Saturday and Sunday (``date.weekday()``): government offices, banks and the agency's branches close.
WEEKEND: frozenset[int] = frozenset({5, 6})
DUE_DAY = 15


def is_working_day(day: date, holidays: Container[date], weekend: Container[int] = WEEKEND) -> bool:
    """True when ``day`` is neither a weekend day nor a holiday."""
    return day.weekday() not in weekend and day not in holidays


def next_working_day(day: date, holidays: Container[date], weekend: Container[int] = WEEKEND) -> date:
    """``day`` itself when it is a working day, else the first working day after it. ValueError when every
    day of the week is a weekend day (no working day would ever come)."""
    if all(weekday in weekend for weekday in range(7)):
        raise ValueError("every day of the week is a weekend day")
    while not is_working_day(day, holidays, weekend):
        day += timedelta(days=1)
    return day


def due_date(
    month: Month, holidays: Container[date], weekend: Container[int] = WEEKEND, day_of_month: int = DUE_DAY
) -> date:
    """The day month ``month``'s contribution is due: its ``day_of_month`` (the 15th), or the next working
    day when that is a weekend day or a holiday (which may fall in the next calendar month after a long
    run of holidays)."""
    return next_working_day(date(month.year, month.month, day_of_month), holidays, weekend)


def add_working_days(
    day: date, count: int, holidays: Container[date], weekend: Container[int] = WEEKEND
) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted, whatever it is): a file
    complete on Friday with 3 working days to pay is due on Wednesday, one day later for each holiday
    in between. ``count`` 0 is ``day`` moved to a working day."""
    if count < 0:
        raise ValueError("count cannot be negative")
    if count == 0:
        return next_working_day(day, holidays, weekend)
    while count:
        day += timedelta(days=1)
        if is_working_day(day, holidays, weekend):
            count -= 1
    return day


def working_days_between(
    start: date, end: date, holidays: Container[date], weekend: Container[int] = WEEKEND
) -> int:
    """The working days after ``start`` up to and including ``end`` (0 when ``end`` is not after it):
    how late a claim paid on ``end`` was, counted from its due day ``start``."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, holidays, weekend):
            days += 1
    return days
