"""Contribution pricing from effective-dated schedules kept as data.

A contribution month is priced with the schedule in force for that month, then every adjustment (a
temporary cut by regulation) in force for that month and that payer. Rates and periods live in
``data/bpu_rates.json`` or in database rows, never in code: ``load_ratebook`` turns either into a
``RateBook``.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from jaring.rules.money import format_rupiah, round_half_up
from jaring.rules.months import Month, month_span
from jaring.rules.programmes import Programme, format_programmes, parse_programmes
from jaring.rules.schedules import Adjustment, CoveragePolicy, Schedule, check_income

__all__ = [
    "Adjustment",
    "CoveragePolicy",
    "MonthPrice",
    "NoPolicy",
    "NoSchedule",
    "Price",
    "Programme",
    "RateBook",
    "Schedule",
    "default_ratebook",
    "format_programmes",
    "load_ratebook",
    "parse_programmes",
]

_ORDER = (Programme.JKK, Programme.JKM, Programme.JHT)


class NoSchedule(LookupError):
    """No contribution schedule is in force for the month asked about."""


class NoPolicy(LookupError):
    """No coverage policy is in force for the month asked about."""


@dataclass(frozen=True)
class MonthPrice:
    """What one contribution month costs, per programme and in total (whole rupiah).

    ``schedule_code`` and ``adjustment_codes`` say which rules produced the amounts (for the ledger);
    they do not take part in equality.
    """

    month: Month
    lines: Mapping[Programme, int]
    total: int
    schedule_code: str = field(default="", compare=False)
    adjustment_codes: tuple[str, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": str(self.month),
            "lines": {programme.value: amount for programme, amount in self.lines.items()},
            "total": self.total,
        }


@dataclass(frozen=True)
class Price:
    """What a run of contribution months costs: each month priced on its own, and the sum."""

    months: tuple[MonthPrice, ...]
    total: int

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form: {"total": ..., "months": [{"month": "2024-05", "lines": {...}, "total": ...}]}.

        Lines are keyed by programme code, in the order JKK, JKM, JHT.
        """
        return {"total": self.total, "months": [month.as_dict() for month in self.months]}


class RateBook:
    """All schedules, adjustments and coverage policies; answers what is in force for a month.

    Schedules may leave gaps but must not overlap; adjustments may overlap (their factors multiply).
    """

    def __init__(
        self,
        schedules: Iterable[Schedule],
        adjustments: Iterable[Adjustment] = (),
        policies: Iterable[CoveragePolicy] = (),
    ) -> None:
        self.schedules = tuple(sorted(schedules, key=lambda s: s.valid_from))
        self.adjustments = tuple(sorted(adjustments, key=lambda a: (a.valid_from, a.code)))
        self.policies = tuple(sorted(policies, key=lambda p: p.valid_from))
        for earlier, later in pairwise(self.schedules):
            if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                raise ValueError(f"schedules {earlier.code} and {later.code} overlap")
        for earlier, later in pairwise(self.policies):
            if earlier.valid_from == later.valid_from:
                raise ValueError(f"two coverage policies start in {later.valid_from}")
        for kind, codes in (
            ("schedule", [s.code for s in self.schedules]),
            ("adjustment", [a.code for a in self.adjustments]),
        ):
            if len(set(codes)) != len(codes):
                raise ValueError(f"{kind} codes must be unique: {sorted(codes)}")
        self._schedule_starts = [s.valid_from.index for s in self.schedules]
        self._policy_starts = [p.valid_from.index for p in self.policies]
        # A book is immutable, and a month's price depends only on these arguments: remember them (a status
        # page prices 22 months, an import file repeats a few incomes).
        self._month_prices: dict[tuple, MonthPrice] = {}

    def schedule_for(self, month: Month) -> Schedule:
        """The schedule in force for contribution month ``month``; NoSchedule if there is none."""
        at = bisect.bisect_right(self._schedule_starts, month.index) - 1
        if at < 0 or not self.schedules[at].covers(month):
            raise NoSchedule(f"no contribution schedule is in force for {month}")
        return self.schedules[at]

    def policy_for(self, month: Month) -> CoveragePolicy:
        """The coverage policy in force for ``month``; NoPolicy before the first one."""
        at = bisect.bisect_right(self._policy_starts, month.index) - 1
        if at < 0:
            raise NoPolicy(f"no coverage policy is in force for {month}")
        return self.policies[at]

    def adjustments_for(self, month: Month, payer_kind: str | None = None) -> list[Adjustment]:
        """The adjustments that change what is due for ``month`` when a payer of ``payer_kind`` pays
        (None: the worker pays for themself)."""
        return [adjustment for adjustment in self.adjustments if adjustment.applies(month, payer_kind)]

    def price_month(
        self, month: Month, *, income: int, programmes: Iterable[Programme], payer_kind: str | None = None
    ) -> MonthPrice:
        """What ``month`` costs for these programmes at this declared income.

        Each programme's exact amount (income x rate, or the flat amount) is multiplied by every
        adjustment in force and rounded half up once, at the rupiah. Income levels are not enforced
        here: ask ``income_problems`` first.
        """
        check_income(income)
        chosen = frozenset(Programme(programme) for programme in programmes)
        key = (month, income, chosen, payer_kind)
        if (known := self._month_prices.get(key)) is not None:
            return known
        if not chosen:
            raise ValueError("no programme to price")
        schedule = self.schedule_for(month)
        adjustments = self.adjustments_for(month, payer_kind)
        lines: dict[Programme, int] = {}
        for programme in _ORDER:
            if programme not in chosen:
                continue
            exact = schedule.exact_amount(programme, income)
            for adjustment in adjustments:
                if programme in adjustment.programmes:
                    exact *= Fraction(adjustment.factor)
            lines[programme] = round_half_up(exact)
        price = MonthPrice(
            month=month,
            lines=MappingProxyType(lines),
            total=sum(lines.values()),
            schedule_code=schedule.code,
            adjustment_codes=tuple(a.code for a in adjustments if a.programmes & chosen),
        )
        if len(self._month_prices) < 100_000:
            self._month_prices[key] = price
        return price

    def price(
        self,
        first: Month,
        count: int,
        *,
        income: int,
        programmes: Iterable[Programme],
        payer_kind: str | None = None,
    ) -> Price:
        """What ``count`` consecutive months from ``first`` cost, each priced by its own month's rules."""
        if count < 1:
            raise ValueError(f"a payment covers at least one month, not {count}")
        chosen = frozenset(Programme(programme) for programme in programmes)
        months = tuple(
            self.price_month(month, income=income, programmes=chosen, payer_kind=payer_kind)
            for month in month_span(first, count)
        )
        return Price(months=months, total=sum(month.total for month in months))

    def income_problems(self, month: Month, income: int) -> list[str]:
        """Why ``income`` may not be declared for ``month``: below the minimum or above the maximum.

        Empty when the income is acceptable. NoSchedule when no schedule is in force for ``month``.
        """
        check_income(income)
        schedule = self.schedule_for(month)
        problems = []
        if income < schedule.min_income:
            problems.append(
                f"declared income {format_rupiah(income)} is below the minimum "
                f"{format_rupiah(schedule.min_income)} (schedule {schedule.code})"
            )
        if schedule.max_income is not None and income > schedule.max_income:
            problems.append(
                f"declared income {format_rupiah(income)} is above the maximum "
                f"{format_rupiah(schedule.max_income)} (schedule {schedule.code})"
            )
        return problems


def _month(value: object, what: str) -> Month:
    if isinstance(value, Month):
        return value
    if isinstance(value, str):
        return Month.parse(value)
    if isinstance(value, date):
        return Month.from_date(value)
    raise TypeError(f"{what} must be a month like '2024-05', not {type(value).__name__}")


def _decimal(value: object, what: str) -> Decimal:
    # Rates come as text in JSON ("0.01") or Decimal from the database; a float is already inexact.
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except ArithmeticError:
            raise ValueError(f"{what} {value!r} is not a decimal number") from None
    raise TypeError(f"{what} must be a Decimal or decimal text such as '0.01', not {type(value).__name__}")


def _int(value: object, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"{what} must be an int, not {type(value).__name__}")


def _codes(value: object) -> list[str]:
    # Lists in JSON; database rows may hold the same as text: "JKK+JKM", "APBD,APBN".
    if isinstance(value, str):
        return [code for code in re.split(r"[+,\s]+", value.strip()) if code]
    return [str(code) for code in value]  # type: ignore[attr-defined]


def _schedule(entry: Mapping[str, Any]) -> Schedule:
    max_income = entry.get("max_income")
    valid_to = entry.get("valid_to")
    return Schedule(
        code=str(entry["code"]),
        valid_from=_month(entry["valid_from"], "valid_from"),
        valid_to=None if valid_to is None else _month(valid_to, "valid_to"),
        percent={Programme(p): _decimal(r, f"{p} rate") for p, r in (entry.get("percent") or {}).items()},
        flat={Programme(p): _int(a, f"{p} flat amount") for p, a in (entry.get("flat") or {}).items()},
        min_income=_int(entry["min_income"], "min_income"),
        max_income=None if max_income is None else _int(max_income, "max_income"),
        source=str(entry.get("source", "")),
        uncertain=bool(entry.get("uncertain", False)),
        note=str(entry.get("note", "")),
    )


def _adjustment(entry: Mapping[str, Any]) -> Adjustment:
    return Adjustment(
        code=str(entry["code"]),
        valid_from=_month(entry["valid_from"], "valid_from"),
        valid_to=_month(entry["valid_to"], "valid_to"),
        programmes=frozenset(Programme(code) for code in _codes(entry["programmes"])),
        factor=_decimal(entry["factor"], "factor"),
        exempt_payer_kinds=frozenset(_codes(entry.get("exempt_payer_kinds") or [])),
        uncertain=bool(entry.get("uncertain", False)),
        source=str(entry.get("source", "")),
        note=str(entry.get("note", "")),
    )


def _policy(entry: Mapping[str, Any]) -> CoveragePolicy:
    counts = entry.get("payment_month_counts", (1, 3, 6, 12))
    if isinstance(counts, str):
        counts = [int(count) for count in _codes(counts)]
    return CoveragePolicy(
        valid_from=_month(entry["valid_from"], "valid_from"),
        arrears_months=_int(entry.get("arrears_months", 3), "arrears_months"),
        payment_month_counts=tuple(_int(count, "payment month count") for count in counts),
        restore_cover_for_past_events=bool(entry.get("restore_cover_for_past_events", False)),
        clock_skew_seconds=_int(entry.get("clock_skew_seconds", 300), "clock_skew_seconds"),
        late_record_days=_int(entry.get("late_record_days", 7), "late_record_days"),
        months_ahead_max=_int(entry.get("months_ahead_max", 12), "months_ahead_max"),
        registration_age_min=_optional_int(entry.get("registration_age_min"), "registration_age_min"),
        registration_age_max=_optional_int(entry.get("registration_age_max"), "registration_age_max"),
        source=str(entry.get("source", "")),
        uncertain=bool(entry.get("uncertain", False)),
        note=str(entry.get("note", "")),
    )


def _optional_int(value: Any, what: str) -> int | None:
    return None if value is None else _int(value, what)


def load_ratebook(data: Mapping[str, Any]) -> RateBook:
    """A RateBook from plain data: {"schedules": [...], "adjustments": [...], "policies": [...]}.

    The shape is that of ``data/bpu_rates.json``; months are "YYYY-MM" text (or Month/date values from
    database rows), rates and factors Decimal or decimal text, amounts ints. Floats are refused. Unknown
    keys (ids, notes) are ignored. A bad entry raises ValueError or TypeError naming the entry.
    """
    parts: list[list[Any]] = []
    for key, build in (("schedules", _schedule), ("adjustments", _adjustment), ("policies", _policy)):
        built = []
        for position, entry in enumerate(data.get(key) or ()):
            name = entry.get("code") or entry.get("valid_from")
            try:
                built.append(build(entry))
            except KeyError as error:
                raise ValueError(f"{key}[{position}] ({name}): missing key {error}") from error
            except (TypeError, ValueError) as error:
                raise type(error)(f"{key}[{position}] ({name}): {error}") from error
        parts.append(built)
    schedules, adjustments, policies = parts
    return RateBook(schedules, adjustments, policies)


@functools.cache
def default_ratebook() -> RateBook:
    """The RateBook shipped with jaring (``rules/data/bpu_rates.json``), read once per process."""
    text = resources.files("jaring.rules").joinpath("data/bpu_rates.json").read_text(encoding="utf-8")
    return load_ratebook(json.loads(text, parse_float=Decimal))
