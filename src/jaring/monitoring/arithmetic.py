"""The arithmetic of monitoring, pure and exact: growth, attainment, run-rate projection, ranking with
ties and prizes. No Django here (it belongs with ``jaring.rules`` in spirit).

Percentages are exact fractions rounded half up to one decimal only when shown, so "16,000 / 2,500 - 1"
is exactly 540 % and a report can print the sum it did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from jaring.rules.money import round_half_up

ON_TRACK, AT_RISK = "on_track", "at_risk"
ACHIEVED, MISSED = "achieved", "missed"
NOT_STARTED, NO_DATA, NO_TARGET = "not_started", "no_data", "no_target"


def percent(fraction: Fraction) -> Decimal:
    """``fraction`` as a percentage rounded half up to one decimal (Fraction(27, 5) -> 540.0)."""
    scaled = fraction * 100
    return (Decimal(scaled.numerator) / Decimal(scaled.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def small_percent(fraction: Fraction) -> Decimal:
    """As ``percent``, but a share under 1 % keeps two significant digits (Fraction(1381, 165142226) ->
    0.00084), so a small penetration does not read 0 %."""
    scaled = fraction * 100
    if scaled == 0 or abs(scaled) >= 1:
        return percent(fraction)
    value = Decimal(scaled.numerator) / Decimal(scaled.denominator)
    return value.quantize(Decimal(1).scaleb(value.adjusted() - 1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Growth:
    """``current / previous - 1``; ``pct`` is None when the previous value is 0 (growth is undefined)."""

    current: int
    previous: int

    @property
    def fraction(self) -> Fraction | None:
        return Fraction(self.current, self.previous) - 1 if self.previous else None

    @property
    def pct(self) -> Decimal | None:
        fraction = self.fraction
        return None if fraction is None else percent(fraction)


def attainment(achievement: int, target: int) -> Decimal | None:
    """Achievement as a percentage of the target (None without a positive target)."""
    return percent(Fraction(achievement, target)) if target > 0 else None


@dataclass(frozen=True)
class Calendar:
    """Where ``as_of`` falls in the period ``start..end`` (both days counted)."""

    start: date
    end: date
    as_of: date

    @property
    def total_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def elapsed_days(self) -> int:
        """Days of the period up to and including ``as_of`` (0 before it starts, all after it ends)."""
        if self.as_of < self.start:
            return 0
        return (min(self.as_of, self.end) - self.start).days + 1

    @property
    def through(self) -> date | None:
        """The last day counted (None before the start)."""
        return None if self.as_of < self.start else min(self.as_of, self.end)

    @property
    def started(self) -> bool:
        return self.as_of >= self.start

    @property
    def over(self) -> bool:
        """The period has ended: ``as_of`` is after its last day."""
        return self.as_of > self.end


def run_rate(achievement: int, calendar: Calendar, *, baseline: int = 0) -> int | None:
    """The value at the end of the period if the pace so far continues:
    ``baseline + (achievement - baseline) / elapsed days x total days``, rounded half up.

    For a flow (new participants, contributions) the baseline is 0. For a level (active participants) it
    is the level before the period started, so the pace is that of the change. None before the start.
    """
    if not calendar.elapsed_days:
        return None
    change = Fraction(achievement - baseline) * calendar.total_days / calendar.elapsed_days
    return baseline + round_half_up(change)


def target_verdict(
    *, target: int | None, achievement: int | None, projection: int | None, calendar: Calendar
) -> str:
    """The status rule: after the period, achieved or missed; before it, not started; during it, on track
    when the run-rate projection reaches the target, at risk when it falls short."""
    if target is None:
        return NO_TARGET
    if achievement is None:
        return NO_DATA
    if calendar.over:
        return ACHIEVED if achievement >= target else MISSED
    if not calendar.started or projection is None:
        return NOT_STARTED
    return ON_TRACK if projection >= target else AT_RISK


@dataclass(slots=True)  # not frozen: a national contest ranks thousands, and a frozen one costs twice
class Entry:
    """One competitor: its key (an outlet code), its value, and the day its cumulative value first reached
    that value (None when not computed or when the value is 0)."""

    key: str
    value: int
    reached: date | None = None


@dataclass(slots=True)
class Placed:
    entry: Entry
    rank: int
    prize: int
    shared: bool  # the rank is shared with another entry (same value, reached the same day)


def rank_entries(entries: Sequence[Entry], prizes: Sequence[int]) -> list[Placed]:
    """Ranks by value (highest first); equal values by who reached the value first; then by key for a stable
    order. Entries still equal on value and day share a rank (1, 2, 2, 4) and split the prizes of the
    ranks they hold equally (rounded down to the rupiah). An entry with nothing (value <= 0) wins nothing.

    ``prizes[i]`` is the prize of rank i + 1.
    """
    far = date.max
    ordered = sorted(entries, key=lambda e: (-e.value, e.reached or far, e.key))
    placed: list[Placed] = []
    position = 0
    while position < len(ordered):
        head = ordered[position]
        group_end = position + 1
        while (
            group_end < len(ordered)
            and ordered[group_end].value == head.value
            and ordered[group_end].reached == head.reached
        ):
            group_end += 1
        size = group_end - position
        pot = sum(prizes[position:group_end])
        prize = pot // size if head.value > 0 else 0
        for entry in ordered[position:group_end]:
            placed.append(Placed(entry, position + 1, prize, size > 1))
        position = group_end
    return placed


def first_reached(daily: Sequence[tuple[date, int]], final: int) -> date | None:
    """The earliest day the running total of ``daily`` (day, value) pairs reached ``final``."""
    running = 0
    for day, value in sorted(daily):
        running += value
        if running >= final:
            return day
    return None
