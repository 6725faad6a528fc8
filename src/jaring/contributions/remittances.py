"""Reconciling market collectors: the deposits each took against what it remitted, per period.

A collector is an outlet of a market-collector partner (``Remittance`` says why the outlet and not the
agent). Its balance is cumulative: what it still owes at the end of a period is everything it collected up
to then less everything it remitted up to then, whatever the period asked. Days are Jakarta's
(``common.clock``): a period runs from the first instant of its first day to the last of its last day.

Set-based: one GROUP BY over deposits and one over remittances for all the collectors asked, each a range
of the ``(outlet, collected_at)`` / ``(outlet, remitted_at)`` index per outlet. The cost grows with a
collector's deposits since it started; docs/operations.md ("Remittances") says what to do when that
matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from jaring.channels.models import Outlet, Partner
from jaring.common.clock import start_of_day
from jaring.common.errors import error_dict
from jaring.contributions.models import Deposit, Remittance
from jaring.rules.months import Month


@dataclass(frozen=True)
class Period:
    """Calendar days ``first`` to ``last`` (both included), in Jakarta."""

    first: date
    last: date

    @classmethod
    def of_month(cls, month: Month) -> Period:
        return cls(month.first_day(), month.last_day())

    def __str__(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


@dataclass(frozen=True)
class CollectorBalance:
    """One collector over a period, in rupiah: what it owed when the period began, what it collected
    and remitted during it, and what it still owes at its end (negative: it remitted more than the
    deposits recorded, which a deposit not yet recorded usually explains)."""

    outlet: Outlet
    owed_before: int
    collected: int
    remitted: int

    @property
    def owed(self) -> int:
        return self.owed_before + self.collected - self.remitted

    def as_json(self) -> dict:
        return {
            "outlet": self.outlet.code,
            "name": self.outlet.name,
            "owed_before": self.owed_before,
            "collected": self.collected,
            "remitted": self.remitted,
            "owed": self.owed,
        }


def collectors() -> QuerySet[Outlet]:
    """Every outlet of a market-collector partner, closed ones included (they may still owe)."""
    return Outlet.objects.filter(partner__kind=Partner.Kind.MARKET_COLLECTOR).order_by("code")


def collector_balances(period: Period, *, outlets: Sequence[Outlet] | None = None) -> list[CollectorBalance]:
    """The balance of each collector in ``outlets`` (default: every market collector) over ``period``,
    in the order given. Three statements whatever the number of collectors or deposits."""
    if period.first > period.last:
        raise error_dict("period", _("The period ends before it begins."), "invalid")
    outlets = list(collectors() if outlets is None else outlets)
    ids = [outlet.pk for outlet in outlets]
    start, end = start_of_day(period.first), start_of_day(period.last + timedelta(days=1))
    collected = _sums(Deposit.objects.filter(outlet_id__in=ids), "collected_at", start, end)
    remitted = _sums(Remittance.objects.filter(outlet_id__in=ids), "remitted_at", start, end)
    balances = []
    for outlet in outlets:
        collected_before, collected_during = collected.get(outlet.pk, (0, 0))
        remitted_before, remitted_during = remitted.get(outlet.pk, (0, 0))
        balances.append(
            CollectorBalance(
                outlet=outlet,
                owed_before=collected_before - remitted_before,
                collected=collected_during,
                remitted=remitted_during,
            )
        )
    return balances


def _sums(rows: QuerySet, moment: str, start, end) -> dict[int, tuple[int, int]]:
    """Outlet id -> (amount before ``start``, amount from ``start`` until ``end``), one GROUP BY."""
    grouped = (
        rows.filter(**{f"{moment}__lt": end})
        .order_by()
        .values("outlet_id")
        .annotate(
            before=Sum("amount", filter=Q(**{f"{moment}__lt": start}), default=0),
            during=Sum("amount", filter=Q(**{f"{moment}__gte": start}), default=0),
        )
    )
    return {row["outlet_id"]: (row["before"], row["during"]) for row in grouped}
