"""Reading tallies: sums of a tally kind over days, per outlet, office or agent; active levels from coverage
deltas. Every read here is a GROUP BY over tally rows (days x outlets x offices), never over participants or
payments, so its cost does not grow with the number of people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Q, QuerySet, Sum

from jaring.monitoring.arithmetic import first_reached
from jaring.rules.months import Month
from jaring.tallies.models import CoverageDelta, Tally
from jaring.tallies.writer import FIRST_PAID, PAID, REGISTERED


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


# --- Dashboards: several figures of many offices, outlets or agents in one GROUP BY each --------------------


@dataclass(frozen=True)
class Flows:
    """What the tallies say about one office, outlet or agent for a dashboard: registrations ever (up to
    the last day counted), registrations and rupiah collected from the first day of the period."""

    registered: int = 0
    new: int = 0
    collected: int = 0

    def __add__(self, other: Flows) -> Flows:
        return Flows(
            self.registered + other.registered, self.new + other.new, self.collected + other.collected
        )


def flows_by(start: date, through: date, *, by: str, segment: str = "", **where) -> dict[int, Flows]:
    """``by`` (a tally dimension: ``office_id``, ``outlet_id`` or ``agent_id``) -> its ``Flows`` counted up
    to ``through``, the period starting on ``start``; ``where`` narrows the tally rows (for instance
    ``outlet_id__in=[...]``). One query whatever the number of keys."""
    rows = Tally.objects.filter(kind__in=(REGISTERED, PAID), day__lte=through, **where)
    if segment:
        rows = rows.filter(segment=segment)
    period = Q(day__gte=start)
    found = rows.values_list(by).annotate(
        registered=Sum("count", filter=Q(kind=REGISTERED)),
        new=Sum("count", filter=Q(kind=REGISTERED) & period),
        collected=Sum("amount", filter=Q(kind=PAID) & period),
    )
    return {key: Flows(r or 0, n or 0, c or 0) for key, r, n, c in found.order_by()}


def active_by(month: Month, *, by: str, segment: str = "", **where) -> dict[int, int]:
    """``by`` (``office_id``, ``outlet_id`` or ``agent_id``) -> participants covered in ``month``, for the
    coverage deltas ``where`` selects. One query whatever the number of keys."""
    return _summed(_deltas(month, segment).filter(**where), by, "delta")


def registrations_by_day_and_channel(
    start: date, through: date, *, segment: str = "", **where
) -> list[tuple[date, str, int]]:
    """(day, channel, registrations) for each day of ``start..through`` with registrations, for the tally
    rows ``where`` selects: at most days x channels rows, for a trend and a channel mix."""
    rows = _flows(NEW_REGISTRATIONS, start, through, segment).filter(**where)
    found = rows.values_list("day", "channel").annotate(Sum("count")).order_by()
    return [(_as_date(day), channel, value or 0) for day, channel, value in found]
