"""Contributions of wage earners (PU), priced on the monthly wage from effective-dated rules kept as data
(``data/pu_rates.json``, copied into rate rule rows; ``load_wage_ratebook`` reads either).

A month's price is a list of lines, one per programme and payer share: JKK (by the employer's risk class,
employer), JKM (employer), JHT (employer and worker), JP (employer and worker, on the wage up to the
ceiling in force that month), and JKP where it is in force (the central government's share, and the part
recomposed out of the employer's JKK, so the employer's total does not change). Each line is rounded half
up at the rupiah on its own. The employer's size class decides the programmes (Perpres 109/2013, kept as
data): a micro employer's workers have JKK and JKM only.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from typing import Any

from jaring.rules.money import round_half_up
from jaring.rules.months import Month

PROGRAMMES = ("JKK", "JKM", "JHT", "JP", "JKP")
SIZES = ("micro", "small", "medium", "large")


class Payer(StrEnum):
    EMPLOYER = "employer"
    WORKER = "worker"
    GOVERNMENT = "government"  # paid by the central budget: never on the employer's bill


class WageRuleMissing(LookupError):
    """No rule is in force for the month asked about (a schedule, a JP ceiling, a size table)."""


def _month(value) -> Month:
    if isinstance(value, Month):
        return value
    if isinstance(value, int):
        return Month(value)
    return Month.parse(str(value))


def _rate(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("rates are decimal text, never floats")
    rate = Decimal(str(value))
    if not Decimal(0) <= rate < Decimal(1):
        raise ValueError(f"rate {value} is not a share between 0 and 1")
    return rate


@dataclass(frozen=True)
class _Window:
    code: str
    valid_from: Month
    valid_to: Month | None

    def covers(self, month: Month) -> bool:
        return self.valid_from <= month and (self.valid_to is None or month <= self.valid_to)


@dataclass(frozen=True)
class WageSchedule(_Window):
    jkk_by_risk_class: Mapping[int, Decimal]
    shares: Mapping[str, Mapping[Payer, Decimal]]
    max_wage: int


@dataclass(frozen=True)
class JkpRule(_Window):
    government: Decimal
    from_jkk: Decimal
    requires: frozenset[str]


@dataclass(frozen=True)
class SizeClass:
    size: str
    max_workers: int | None
    programmes: frozenset[str]


@dataclass(frozen=True)
class SizeTable(_Window):
    classes: tuple[SizeClass, ...]


@dataclass(frozen=True)
class WageLine:
    programme: str
    payer: Payer
    rate: Decimal
    base: int  # the wage the rate applies to (the JP ceiling caps it)
    amount: int
    note: str = ""  # "recomposed from JKK"

    def as_dict(self) -> dict[str, Any]:
        data = {
            "programme": self.programme,
            "payer": self.payer.value,
            "rate": str(self.rate),
            "base": self.base,
            "amount": self.amount,
        }
        return data | ({"note": self.note} if self.note else {})


@dataclass(frozen=True)
class WagePrice:
    month: Month
    wage: int
    risk_class: int
    size: str
    lines: tuple[WageLine, ...]
    codes: tuple[str, ...]  # the rules that produced the lines

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    def paid_by(self, payer: Payer) -> int:
        return sum(line.amount for line in self.lines if line.payer == payer)

    @property
    def billed(self) -> int:
        """What the employer's bill holds for the worker: the employer's and the worker's shares (the
        employer deducts the worker's from the wage); the government's share is not billed."""
        return self.paid_by(Payer.EMPLOYER) + self.paid_by(Payer.WORKER)

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": str(self.month),
            "wage": self.wage,
            "risk_class": self.risk_class,
            "size": self.size,
            "lines": [line.as_dict() for line in self.lines],
            "employer": self.paid_by(Payer.EMPLOYER),
            "worker": self.paid_by(Payer.WORKER),
            "government": self.paid_by(Payer.GOVERNMENT),
            "billed": self.billed,
            "total": self.total,
            "rules": list(self.codes),
        }


class WageRateBook:
    """Every PU rule; answers what is in force for a contribution month."""

    def __init__(
        self,
        schedules: Iterable[WageSchedule],
        ceilings: Iterable[tuple[Month, int, str]] = (),
        jkp: Iterable[JkpRule] = (),
        sizes: Iterable[SizeTable] = (),
    ) -> None:
        self.schedules = tuple(sorted(schedules, key=lambda s: s.valid_from))
        self.ceilings = tuple(sorted(ceilings))
        self.jkp = tuple(sorted(jkp, key=lambda j: j.valid_from))
        self.sizes = tuple(sorted(sizes, key=lambda s: s.valid_from))
        for rules in (self.schedules, self.jkp, self.sizes):
            for earlier, later in pairwise(rules):
                if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                    raise ValueError(f"{earlier.code} and {later.code} overlap")
        for (first, *_), (second, *_) in pairwise(self.ceilings):
            if first == second:
                raise ValueError(f"two JP ceilings start in {first}")
        self._ceiling_starts = [month.index for month, _amount, _code in self.ceilings]

    def _in_force(self, rules, month: Month, what: str):
        for rule in reversed(rules):
            if rule.covers(month):
                return rule
        if what:
            raise WageRuleMissing(f"no {what} is in force for {month}")
        return None

    def schedule_for(self, month: Month) -> WageSchedule:
        return self._in_force(self.schedules, month, "wage-earner contribution schedule")

    def ceiling_for(self, month: Month) -> tuple[int, str]:
        at = bisect.bisect_right(self._ceiling_starts, month.index) - 1
        if at < 0:
            raise WageRuleMissing(f"no JP wage ceiling is recorded for {month}")
        _start, amount, code = self.ceilings[at]
        return amount, code

    def size_table_for(self, month: Month) -> SizeTable:
        return self._in_force(self.sizes, month, "table of employer sizes")

    def size_for(self, workers: int, month: Month) -> str:
        """The size class of an employer with ``workers`` workers."""
        for size_class in self.size_table_for(month).classes:
            if size_class.max_workers is None or workers <= size_class.max_workers:
                return size_class.size
        raise WageRuleMissing(f"no size class holds {workers} workers in {month}")

    def programmes_for(self, size: str, month: Month) -> frozenset[str]:
        for size_class in self.size_table_for(month).classes:
            if size_class.size == size:
                return size_class.programmes
        raise ValueError(f"unknown size class {size!r}: one of {', '.join(SIZES)}")

    def wage_problems(self, month: Month, wage) -> list[str]:
        """What is wrong with a monthly wage for ``month`` (empty: nothing)."""
        if isinstance(wage, bool) or not isinstance(wage, int):
            return ["The wage is whole rupiah."]
        if wage <= 0:
            return ["The wage must be more than zero."]
        most = self.schedule_for(month).max_wage
        if wage > most:
            return [f"A monthly wage above Rp{most:,} is not believable; check the figure."]
        return []

    def price_month(self, month: Month, *, wage: int, risk_class: int, size: str) -> WagePrice:
        """What a worker at ``wage`` costs for contribution month ``month`` at an employer of this risk
        class and size. ValueError for a bad wage, risk class or size; WageRuleMissing when a rule the
        programmes need is not in force."""
        if problems := self.wage_problems(month, wage):
            raise ValueError(problems[0])
        schedule = self.schedule_for(month)
        if risk_class not in schedule.jkk_by_risk_class:
            classes = ", ".join(str(number) for number in sorted(schedule.jkk_by_risk_class))
            raise ValueError(f"risk class {risk_class} does not exist; the classes are {classes}")
        programmes = self.programmes_for(size, month)
        codes = [schedule.code, self.size_table_for(month).code]
        jkp = self._in_force(self.jkp, month, "")
        if jkp is not None and not jkp.requires <= programmes:
            jkp = None
        lines: list[WageLine] = []

        def line(programme: str, payer: Payer, rate: Decimal, base: int, note: str = "") -> None:
            amount = round_half_up(Fraction(rate) * base)
            lines.append(WageLine(programme, payer, rate, base, amount, note))

        jkk = schedule.jkk_by_risk_class[risk_class]
        line("JKK", Payer.EMPLOYER, jkk - jkp.from_jkk if jkp else jkk, wage)
        for programme in ("JKM", "JHT", "JP"):
            if programme not in programmes:
                continue
            base = wage
            if programme == "JP":
                ceiling, code = self.ceiling_for(month)
                base = min(wage, ceiling)
                codes.append(code)
            for payer, rate in schedule.shares[programme].items():
                line(programme, payer, rate, base)
        if jkp is not None:
            line("JKP", Payer.EMPLOYER, jkp.from_jkk, wage, "recomposed from JKK")
            line("JKP", Payer.GOVERNMENT, jkp.government, wage)
            codes.append(jkp.code)
        return WagePrice(month, wage, risk_class, size, tuple(lines), tuple(codes))


def _window(entry: Mapping[str, Any]) -> dict[str, Any]:
    valid_to = entry.get("valid_to")
    return {
        "code": str(entry.get("code") or entry["valid_from"]),
        "valid_from": _month(entry["valid_from"]),
        "valid_to": _month(valid_to) if valid_to not in (None, "") else None,
    }


def _schedule(entry: Mapping[str, Any]) -> WageSchedule:
    risk = {int(number): _rate(rate) for number, rate in entry["jkk_by_risk_class"].items()}
    shares = {
        programme: {Payer(payer): _rate(rate) for payer, rate in split.items()}
        for programme, split in entry["shares"].items()
    }
    if set(shares) != {"JKM", "JHT", "JP"}:
        raise ValueError("shares name JKM, JHT and JP")
    return WageSchedule(
        **_window(entry), jkk_by_risk_class=risk, shares=shares, max_wage=int(entry["max_wage"])
    )


def _jkp(entry: Mapping[str, Any]) -> JkpRule:
    return JkpRule(
        **_window(entry),
        government=_rate(entry["government"]),
        from_jkk=_rate(entry["from_jkk"]),
        requires=frozenset(entry.get("requires") or ()),
    )


def _sizes(entry: Mapping[str, Any]) -> SizeTable:
    classes = tuple(
        SizeClass(
            size=str(item["size"]),
            max_workers=None if item.get("max_workers") is None else int(item["max_workers"]),
            programmes=frozenset(item["programmes"]),
        )
        for item in entry["classes"]
    )
    if [size_class.size for size_class in classes] != list(SIZES):
        raise ValueError(f"the size classes are {', '.join(SIZES)}, in that order")
    return SizeTable(**_window(entry), classes=classes)


def load_wage_ratebook(data: Mapping[str, Any]) -> WageRateBook:
    """A WageRateBook from plain data shaped like ``data/pu_rates.json`` (or database rows read into it)."""
    ceilings = [
        (_month(entry["valid_from"]), int(entry["amount"]), str(entry.get("code") or entry["valid_from"]))
        for entry in data.get("jp_ceilings") or ()
    ]
    return WageRateBook(
        [_schedule(entry) for entry in data.get("wage_schedules") or ()],
        ceilings,
        [_jkp(entry) for entry in data.get("jkp") or ()],
        [_sizes(entry) for entry in data.get("size_classes") or ()],
    )
