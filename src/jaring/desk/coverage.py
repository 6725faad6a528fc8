"""The coverage calendar on the participant page: one row per year, one cell per month, each marked.

Pure: it reads runs and months and asks ``rules.coverage`` which months a payment made now would buy,
so the "can still be paid" marks follow the same rule as the payment itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from jaring.rules.coverage import Run, is_covered, months_for_payment, paid_through
from jaring.rules.months import Month, months_between
from jaring.rules.schedules import CoveragePolicy

BEFORE = "before"  # before registration
COVERED = "covered"  # paid
OWED = "owed"  # unpaid, and the next payment would still cover it (arrears, or the month due now)
UNPAID = "unpaid"  # unpaid and past paying: a gap left while the participant was lapsed
FUTURE = "future"  # not yet due
MARKS = (COVERED, OWED, UNPAID, FUTURE, BEFORE)


@dataclass(frozen=True)
class MonthCell:
    month: Month
    mark: str
    current: bool


@dataclass(frozen=True)
class YearRow:
    year: int
    cells: tuple[MonthCell, ...]


def months_owed(runs: tuple[Run, ...], *, registered: Month, current: Month, policy: CoveragePolicy):
    """The unpaid months up to ``current`` that a payment made in ``current`` would still cover, oldest
    first (arrears, then the month due now); empty when everything up to now is paid."""
    start = months_for_payment(
        runs, registered=registered, current=current, count=min(policy.payment_month_counts), policy=policy
    )[0]
    return months_between(start, current)


def coverage_calendar(
    runs: tuple[Run, ...], *, registered: Month, current: Month, policy: CoveragePolicy
) -> list[YearRow]:
    """Every month from January of the registration year to December of the later of this year and
    the last paid year, marked covered, owed, unpaid, future or before (registration)."""
    owed = set(months_owed(runs, registered=registered, current=current, policy=policy))
    last = max(current, paid_through(runs) or current)
    rows = []
    for year in range(registered.year, last.year + 1):
        cells = []
        for number in range(1, 13):
            month = Month.of(year, number)
            if month < registered:
                mark = BEFORE
            elif is_covered(runs, month):
                mark = COVERED
            elif month in owed:
                mark = OWED
            elif month > current:
                mark = FUTURE
            else:
                mark = UNPAID
            cells.append(MonthCell(month=month, mark=mark, current=month == current))
        rows.append(YearRow(year=year, cells=tuple(cells)))
    return rows
