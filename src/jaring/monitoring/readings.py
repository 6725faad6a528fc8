"""Reading tallies: sums of a tally kind over days, per outlet, office or agent; active levels from coverage
deltas. Every read here is a GROUP BY over tally rows (days x outlets x offices), never over participants or
payments, so its cost does not grow with the number of people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, QuerySet, Sum

from jaring.monitoring.arithmetic import first_reached
from jaring.monitoring.models import CoverageDelta, Tally
from jaring.monitoring.tallies import FIRST_PAID, PAID, REGISTERED
from jaring.rules.months import Month


@dataclass(frozen=True)
class Measure:
    """Which tally answers a metric: its kind, and whether the count or the amount is summed."""

    kind: str
    field: str  # "count" or "amount"


NEW_REGISTRATIONS = Measure(REGISTERED, "count")
FIRST_PAID_REGISTRATIONS = Measure(FIRST_PAID, "count")
AMOUNT_COLLECTED = Measure(PAID, "amount")


def _flows(measure: Measure, start: date, end: date, segment: str) -> QuerySet:
    rows = Tally.objects.filter(kind=measure.kind, day__gte=start, day__lte=end)
    return rows.filter(segment=segment) if segment else rows


def _summed(rows: QuerySet, key: str, field: str) -> dict[int, int]:
    return {k: v or 0 for k, v in rows.values_list(key).annotate(Sum(field)).order_by()}


def totals_by_outlet(
    measure: Measure, start: date, end: date, *, outlets: QuerySet, segment: str = ""
) -> dict[int, int]:
    """Outlet id -> the measure summed over ``start..end``, for the outlets of ``outlets`` (a queryset,
    used as a subquery)."""
    rows = _flows(measure, start, end, segment).filter(outlet_id__in=outlets.values("pk"))
    return _summed(rows, "outlet_id", measure.field)


def daily_by_outlet(
    measure: Measure, start: date, end: date, *, outlet_ids: list[int], segment: str = ""
) -> dict[int, list[tuple[date, int]]]:
    """Outlet id -> (day, value) for each day with a tally, for the given outlets."""
    rows = _flows(measure, start, end, segment).filter(outlet_id__in=outlet_ids)
    daily: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for outlet_id, day, value in rows.values_list("outlet_id", "day").annotate(Sum(measure.field)).order_by():
        daily[outlet_id].append((_as_date(day), value or 0))
    return dict(daily)


def reached_by_outlet(
    measure: Measure, start: date, end: date, *, totals: dict[int, int], segment: str = ""
) -> dict[int, date | None]:
    """Outlet id -> the first day its running total over ``start..end`` reached its total, for the outlets
    of ``totals`` (outlet id -> total).

    Registrations never go down, so that day is simply the last day with a registration: one row per
    outlet. Collected amounts can (a reversal is negative), so they are summed day by day."""
    if measure.kind in (REGISTERED, FIRST_PAID):
        rows = _flows(measure, start, end, segment).filter(
            outlet_id__in=list(totals), **{f"{measure.field}__gt": 0}
        )
        last = dict(rows.values_list("outlet_id").annotate(Max("day")).order_by())
        return {pk: _as_date(last[pk]) if pk in last else None for pk in totals}
    daily = daily_by_outlet(measure, start, end, outlet_ids=list(totals), segment=segment)
    return {pk: first_reached(daily.get(pk, []), total) for pk, total in totals.items()}


def totals_by_office(
    measure: Measure, start: date, end: date, *, office_ids: list[int] | None, segment: str = ""
) -> dict[int, int]:
    """Office id -> the measure summed over ``start..end`` (every office when ``office_ids`` is None;
    office 0 holds participants whose regency no branch serves)."""
    rows = _flows(measure, start, end, segment)
    if office_ids is not None:
        rows = rows.filter(office_id__in=office_ids)
    return _summed(rows, "office_id", measure.field)


def total_for(
    measure: Measure, start: date, end: date, *, outlet_id: int = 0, agent_id: int = 0, segment: str = ""
) -> int:
    """The measure summed over ``start..end`` for one outlet or one agent."""
    rows = _flows(measure, start, end, segment)
    rows = rows.filter(outlet_id=outlet_id) if outlet_id else rows.filter(agent_id=agent_id)
    return rows.aggregate(n=Sum(measure.field))["n"] or 0


def _deltas(month: Month, segment: str) -> QuerySet:
    rows = CoverageDelta.objects.filter(month__lte=month)
    return rows.filter(segment=segment) if segment else rows


def active_by_office(month: Month, *, office_ids: list[int] | None, segment: str = "") -> dict[int, int]:
    """Office id -> participants covered in ``month`` (the coverage deltas summed up to it)."""
    rows = _deltas(month, segment)
    if office_ids is not None:
        rows = rows.filter(office_id__in=office_ids)
    return _summed(rows, "office_id", "delta")


def active_for(month: Month, *, outlet_id: int = 0, agent_id: int = 0, segment: str = "") -> int:
    """Participants covered in ``month`` that one outlet or agent acquired."""
    rows = _deltas(month, segment)
    rows = rows.filter(outlet_id=outlet_id) if outlet_id else rows.filter(agent_id=agent_id)
    return rows.aggregate(n=Sum("delta"))["n"] or 0


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
