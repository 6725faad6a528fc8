"""Calendar months as one small value type."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import overload

_MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, eq=False, slots=True, repr=False)
class Month:
    """A calendar month, stored as ``year * 12 + (month - 1)`` so that months sort and subtract as ints.

    Months are made, compared and hashed by the million in a file import: the comparisons are written
    out on the index, and arithmetic hands out one shared instance per month (``month_at``) instead of
    building a new one."""

    index: int

    def __post_init__(self) -> None:
        # ``type(...) is int`` refuses bools and floats in one cheap test (months are made by the million).
        if type(self.index) is not int:
            raise TypeError(f"Month index must be an int, got {type(self.index).__name__}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is Month:
            return self.index == other.index
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.index)

    def __lt__(self, other: Month) -> bool:
        if other.__class__ is Month:
            return self.index < other.index
        return NotImplemented

    def __le__(self, other: Month) -> bool:
        if other.__class__ is Month:
            return self.index <= other.index
        return NotImplemented

    def __gt__(self, other: Month) -> bool:
        if other.__class__ is Month:
            return self.index > other.index
        return NotImplemented

    def __ge__(self, other: Month) -> bool:
        if other.__class__ is Month:
            return self.index >= other.index
        return NotImplemented

    @classmethod
    def of(cls, year: int, month: int) -> Month:
        """The month ``month`` (1..12) of ``year`` (1..9999); ValueError outside those ranges."""
        if not (_is_int(year) and _is_int(month)):
            raise TypeError("year and month must be ints")
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} is out of range 1..12")
        if not 1 <= year <= 9999:
            raise ValueError(f"year {year} is out of range 1..9999")
        return cls(year * 12 + month - 1)

    @classmethod
    def from_date(cls, day: date) -> Month:
        """The month that contains ``day``."""
        return month_at(day.year * 12 + day.month - 1)

    @classmethod
    def parse(cls, text: str) -> Month:
        """The month written as ``YYYY-MM`` (surrounding whitespace allowed); ValueError otherwise."""
        if not isinstance(text, str):
            raise TypeError(f"Month.parse expects a str, got {type(text).__name__}")
        found = _MONTH_TEXT.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"{text!r} is not a month: expected YYYY-MM, for example 2024-05")
        year, month = int(found[1]), int(found[2])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r} is not a month: month {month:02d} is not in 01..12")
        if year == 0:
            raise ValueError(f"{text!r} is not a month: year 0000 does not exist")
        return cls(year * 12 + month - 1)

    @property
    def year(self) -> int:
        return self.index // 12

    @property
    def month(self) -> int:
        """The month number, 1..12."""
        return self.index % 12 + 1

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __add__(self, months: int) -> Month:
        if months.__class__ is not int:
            return NotImplemented
        return month_at(self.index + months)

    __radd__ = __add__

    @overload
    def __sub__(self, other: Month) -> int: ...

    @overload
    def __sub__(self, other: int) -> Month: ...

    def __sub__(self, other: Month | int) -> int | Month:
        """``month - month`` is the number of months between them; ``month - n`` is the month n earlier."""
        if other.__class__ is Month:
            return self.index - other.index
        if other.__class__ is int:
            return month_at(self.index - other)
        return NotImplemented

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        return f"Month({self})"


_MONTHS: dict[int, Month] = {}
_MONTHS_KEPT = 1_000_000  # far more than any real calendar: a bound for generated tests


def month_at(index: int) -> Month:
    """Month ``index``: the same instance every time (months are immutable), cheaper than ``Month(index)``."""
    month = _MONTHS.get(index) if index.__class__ is int else None
    if month is None:
        month = Month(index)  # refuses anything but an int
        if len(_MONTHS) < _MONTHS_KEPT:
            _MONTHS[index] = month
    return month


def month_span(first: Month, count: int) -> tuple[Month, ...]:
    """``count`` consecutive months starting at ``first`` (empty when count is 0; ValueError if negative)."""
    if count < 0:
        raise ValueError(f"a span cannot have a negative number of months ({count})")
    return tuple(month_at(first.index + offset) for offset in range(count))


def months_between(first: Month, last: Month) -> tuple[Month, ...]:
    """Every month from ``first`` to ``last``, both included; empty when ``last`` is before ``first``."""
    return tuple(month_at(index) for index in range(first.index, last.index + 1))
