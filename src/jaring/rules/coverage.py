"""Coverage arithmetic: which calendar months are covered, standing (active, arrears, lapsed), and which
months a payment buys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from jaring.rules.months import Month, month_span
from jaring.rules.schedules import CoveragePolicy


@dataclass(frozen=True, eq=False, slots=True)
class Run:
    """Consecutive covered months, ``first`` to ``last`` inclusive. Runs key the caches of a file import
    (a chunk's participants share few histories): equality, order and hash are written out on the month
    indexes."""

    first: Month
    last: Month

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a run cannot end ({self.last}) before it starts ({self.first})")

    def _key(self) -> tuple[int, int]:
        return self.first.index, self.last.index

    def __eq__(self, other: object) -> bool:
        if other.__class__ is Run:
            return self.first.index == other.first.index and self.last.index == other.last.index
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.first.index, self.last.index))

    def __lt__(self, other: Run) -> bool:
        return self._key() < other._key() if other.__class__ is Run else NotImplemented

    def __le__(self, other: Run) -> bool:
        return self._key() <= other._key() if other.__class__ is Run else NotImplemented

    def __gt__(self, other: Run) -> bool:
        return self._key() > other._key() if other.__class__ is Run else NotImplemented

    def __ge__(self, other: Run) -> bool:
        return self._key() >= other._key() if other.__class__ is Run else NotImplemented

    def __contains__(self, month: object) -> bool:
        return isinstance(month, Month) and self.first <= month <= self.last


class Standing(StrEnum):
    ACTIVE = "active"
    ARREARS = "arrears"
    LAPSED = "lapsed"


def runs_from_months(months: Iterable[Month]) -> tuple[Run, ...]:
    """The covered months as sorted, non-touching runs; order and duplicates in the input do not matter."""
    runs: list[Run] = []
    for month in sorted(set(months)):
        if runs and runs[-1].last + 1 == month:
            runs[-1] = Run(runs[-1].first, month)
        else:
            runs.append(Run(month, month))
    return tuple(runs)


def runs_with(runs: tuple[Run, ...], months: Iterable[Month]) -> tuple[Run, ...]:
    """The runs once ``months`` are covered too: continuing the last run or starting a run after it
    without rebuilding the others, merging in any other case."""
    months = sorted(set(months))
    if not months:
        return runs
    if runs and runs[-1].last + 1 == months[0] and len(months) == months[-1] - months[0] + 1:
        return (*runs[:-1], Run(runs[-1].first, months[-1]))
    if (not runs or runs[-1].last + 1 < months[0]) and len(months) == months[-1] - months[0] + 1:
        return (*runs, Run(months[0], months[-1]))
    existing = {m for run in runs for m in month_span(run.first, run.last - run.first + 1)}
    return runs_from_months(existing | set(months))


def is_covered(runs: Iterable[Run], month: Month) -> bool:
    """True when some run contains ``month``."""
    return any(run.first <= month <= run.last for run in runs)


def paid_through(runs: Iterable[Run]) -> Month | None:
    """The last covered month, or None when nothing was ever covered."""
    return max((run.last for run in runs), default=None)


def standing_at(runs: Iterable[Run], *, registered: Month, month: Month, arrears_months: int = 3) -> Standing:
    """The participant's standing in ``month``.

    ACTIVE when the month is covered. Otherwise count the unpaid months since the last covered month
    before it (or since registration, when none was ever covered), this month included: up to
    ``arrears_months`` is ARREARS (they may still be paid), more is LAPSED.
    """
    if month < registered:
        raise ValueError(f"{month} is before registration in {registered}")
    runs = tuple(runs)
    if is_covered(runs, month):
        return Standing.ACTIVE
    last = max((run.last for run in runs if run.last < month), default=registered - 1)
    return Standing.ARREARS if month - last <= arrears_months else Standing.LAPSED


def months_for_payment(
    runs: Iterable[Run], *, registered: Month, current: Month, count: int, policy: CoveragePolicy
) -> tuple[Month, ...]:
    """The ``count`` consecutive months a payment made in ``current`` buys.

    ``count`` must be one the policy allows (ValueError otherwise). A participant who is active, in
    arrears or paid in advance continues right after the last paid month: arrears first, then ahead.
    A lapsed participant restarts at ``current``; the unpaid gap can no longer be bought.
    """
    if count not in policy.payment_month_counts:
        allowed = ", ".join(str(n) for n in policy.payment_month_counts)
        raise ValueError(f"a payment covers {allowed} months, not {count}")
    last = paid_through(runs) or registered - 1
    start = last + 1 if last >= current - policy.arrears_months else current
    return month_span(start, count)
