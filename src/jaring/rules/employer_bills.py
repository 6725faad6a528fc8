"""The terms of an employer's monthly bill, kept as data (``data/pu_rates.json``, section
``employer_bills``, copied into rate rule rows): the day of the following month it is due, the late fine
a month, and how a partial payment is spent. The figures are as reported; how months late are counted,
what the fine is charged on and the partial rule are jaring's own until verified (the rule is marked
uncertain)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from jaring.rules.money import round_half_up
from jaring.rules.months import Month

PARTIAL_RULES = ("lines_in_order",)


@dataclass(frozen=True)
class BillTerms:
    code: str
    due_day: int
    late_fine_per_month: Decimal
    partial: str

    @classmethod
    def from_data(cls, code: str, data: Mapping[str, Any]) -> BillTerms:
        partial = str(data.get("partial") or "lines_in_order")
        if partial not in PARTIAL_RULES:
            raise ValueError(f"unknown partial payment rule {partial!r}: one of {', '.join(PARTIAL_RULES)}")
        due_day = int(data["due_day"])
        if not 1 <= due_day <= 28:
            raise ValueError("the due day is a day of the month, 1..28")
        rate = Decimal(str(data["late_fine_per_month"]))
        if not Decimal(0) <= rate < Decimal(1):
            raise ValueError("the late fine is a share between 0 and 1")
        return cls(code, due_day, rate, partial)

    def due_on(self, month: Month) -> date:
        """The day the bill for contribution month ``month`` is due: in the following month."""
        following = month + 1
        return date(following.year, following.month, self.due_day)

    def fine(self, amount: int, months_late: int) -> int:
        """The late fine on ``amount`` paid ``months_late`` months late, half up at the rupiah."""
        return round_half_up(Fraction(self.late_fine_per_month) * amount * months_late)


def months_late(due_on: date, paid_on: date) -> int:
    """Whole months late: 0 on or before the due day, then one more for each month begun after it (the
    day after the due day is one month late; a month and a day after it, two)."""
    if paid_on <= due_on:
        return 0
    months = (paid_on.year - due_on.year) * 12 + paid_on.month - due_on.month
    return months + 1 if paid_on.day > due_on.day else months


def lines_covered(amounts: Iterable[int], money: int) -> int:
    """How many of the bill's lines (their amounts in the bill's order) ``money`` covers under the
    ``lines_in_order`` rule: each line in order while the money lasts, stopping at the first line it
    does not cover whole."""
    covered = 0
    for amount in amounts:
        if amount > money:
            break
        money -= amount
        covered += 1
    return covered
