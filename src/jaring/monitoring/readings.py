"""Reading tallies: sums of a tally kind over days, per outlet, office or agent; active levels from coverage
deltas. Every read here is a GROUP BY over tally rows, never over participants or payments, so its cost does
not grow with the number of people.

A window of days is cut where whole months begin and end (``Window``): the whole months are summed from
the monthly roll-ups (``OfficeMonth`` when a read needs only offices, channels and segments; ``OutletMonth``
when it needs outlets too) and only the days around them from the daily tallies, so a year's read sums
twelve rows per office or outlet instead of a row per day, outlet and agent. The running month counts
as whole when nothing in it is later than the window's end (``_month_so_far``): a read through today sums
roll-up rows only. Reads by agent keep to the daily tallies (an agent's rows are few, found by their
index).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, reduce
from operator import or_

from django.db.models import Count, Max, Q, QuerySet, Sum

from jaring.common.rows import as_date, plain_rows
from jaring.monitoring.arithmetic import first_reached
from jaring.rules.months import Month
from jaring.tallies.models import CoverageDelta, OfficeMonth, OutletMonth, Tally
from jaring.tallies.writer import (
    COVERED,
    DIED,
    EMPLOYERS,
    FIRST_PAID,
    LAST_DAY_KINDS,
    MOVED,
    PAID,
    REGISTERED,
)


@dataclass(frozen=True)
class Measure:
    """Which tallies answer a metric: their kinds (summed together), and whether the count or the amount
    is summed."""

    kind: str | tuple[str, ...]
    field: str  # "count" or "amount"

    @property
    def kinds(self) -> tuple[str, ...]:
        return _kinds(self.kind)


NEW_REGISTRATIONS = Measure(REGISTERED, "count")
FIRST_PAID_REGISTRATIONS = Measure(FIRST_PAID, "count")
AMOUNT_COLLECTED = Measure(PAID, "amount")
NEW_COMPANIES = Measure(EMPLOYERS, "count")
# Registered participants gained in a segment: the registrations made in it and the moves into it, net
# of the moves out (with the segment PU: wage earners gained, a BPU worker taking a job included).
SEGMENT_GROWTH = Measure((REGISTERED, MOVED), "count")
# Tallies that never go down: the day a running total reached its total is its last day with a count.


def _kinds(kind: str | tuple[str, ...]) -> tuple[str, ...]:
    return (kind,) if isinstance(kind, str) else tuple(kind)


def _kind_q(kind: str | tuple[str, ...]) -> Q:
    return Q(kind=kind) if isinstance(kind, str) else Q(kind__in=kind)


@dataclass(frozen=True)
class Window:
    """``start..through`` cut where whole months begin and end: the whole months ``first..last`` (``first``
    None: every month up to ``last``; ``last`` None: no whole month) and the days outside them (at most
    two ranges)."""

    first: Month | None
    last: Month | None
    days: tuple[tuple[date, date], ...]

    @classmethod
    def of(cls, start: date | None, through: date) -> Window:
        """The window of ``start..through`` (``start`` None: since the beginning)."""
        month = Month.from_date(through)
        last = month if through == month.last_day() else month - 1
        if start is None:
            first, head = None, ()
        else:
            first = Month.from_date(start)
            if start.day != 1:
                first += 1
            if first > last:
                return cls(None, None, ((start, through),) if start <= through else ())
            head = ((start, first.first_day() - timedelta(days=1)),) if start.day != 1 else ()
        tail = ((month.first_day(), through),) if last != month else ()
        return cls(first, last, head + tail)

    def months_q(self) -> Q | None:
        """The monthly roll-up rows of the whole months (None: there are none)."""
        if self.last is None:
            return None
        return (
            Q(month__lte=self.last) if self.first is None else Q(month__gte=self.first, month__lte=self.last)
        )

    def days_q(self) -> Q | None:
        """The daily tally rows of the days outside the whole months (None: there are none)."""
        conditions = [Q(day__gte=first, day__lte=last) for first, last in self.days]
        return reduce(or_, conditions) if conditions else None

    def all_days_q(self) -> Q | None:
        """The daily tally rows of every day of the window, its whole months included (for a read no
        roll-up can answer)."""
        conditions = [q for q in (self.days_q(),) if q is not None]
        if self.last is not None:
            last = self.last.last_day()
            first = {} if self.first is None else {"day__gte": self.first.first_day()}
            conditions.append(Q(day__lte=last, **first))
        return reduce(or_, conditions) if conditions else None


def _month_so_far(window: Window, kinds: tuple[str, ...], probes: dict) -> Window:
    """``window`` with the days of its running month (from the 1st to the window's end) read as that whole
    month, when no tally of ``kinds`` lies after them in the month: the month's roll-up then holds exactly
    those days. A dashboard read through today sums roll-up rows only, instead of a row per day, outlet
    and agent of the month so far. ``probes`` keeps the answers of one read (one indexed probe each)."""
    if not window.days:
        return window
    first_day, through = window.days[-1]
    month = Month.from_date(through)
    if first_day != month.first_day() or through == month.last_day():
        return window
    if (kinds, through) not in probes:
        later = Tally.objects.filter(kind__in=kinds, day__gt=through, day__lte=month.last_day())
        probes[kinds, through] = not later.exists()
    if not probes[kinds, through]:
        return window
    return Window(month if window.last is None else window.first, month, window.days[:-1])


def _rollup(columns: set[str]):
    """The narrowest monthly roll-up holding every one of ``columns``, or None."""
    for model in (OfficeMonth, OutletMonth):
        if columns <= _columns_of(model):
            return model
    return None


@cache
def _columns_of(model) -> frozenset[str]:
    return frozenset(field.name for field in model._meta.fields)


def _column(lookup: str) -> str:
    return lookup.split("__")[0]


def _windowed_sums(
    by: str, sums: dict[str, tuple[str | tuple, str, Window]], segment: str, where: dict
) -> dict:
    """``by`` -> {name: value} for each of ``sums`` (name -> (tally kind, "count" or "amount", window)),
    over the tally rows ``where`` and ``segment`` select: whole months from a monthly roll-up where one
    holds ``by`` and every column of ``where``, the other days from the daily tallies. At most two
    queries whatever the number of keys."""
    filters = {**where, **({"segment": segment} if segment else {})}
    rollup = _rollup({by, *map(_column, filters)})
    if rollup is None:
        parts = [(Tally, Window.all_days_q)]
    else:
        parts = [(rollup, Window.months_q), (Tally, Window.days_q)]
        probes: dict = {}
        sums = {
            name: (kind, field, _month_so_far(window, _kinds(kind), probes))
            for name, (kind, field, window) in sums.items()
        }
    found: dict = defaultdict(lambda: dict.fromkeys(sums, 0))
    for model, rows_of in parts:
        wanted = {
            name: (field, _kind_q(kind) & q)
            for name, (kind, field, window) in sums.items()
            if (q := rows_of(window)) is not None
        }
        if not wanted:
            continue
        rows = model.objects.filter(reduce(or_, (q for _field, q in wanted.values())), **filters)
        if model is not Tally and (bounds := _months_bounds([sums[name][2] for name in wanted])):
            # the windows' months as one range too: an index on (kind, month, ...) reads only those
            rows = rows.filter(month__gte=bounds[0], month__lte=bounds[1])
        annotations = {name: Sum(field, filter=q) for name, (field, q) in wanted.items()}
        summed = rows.values_list(by).annotate(**annotations).values_list(by, *wanted).order_by()
        for key, *values in plain_rows(summed):
            sums_of_key = found[key]
            for name, value in zip(wanted, values, strict=True):
                if value:
                    sums_of_key[name] += int(value)  # PostgreSQL sums a bigint column as a numeric
    return dict(found)


def _months_bounds(windows: list[Window]) -> tuple[Month, Month] | None:
    """The first and last whole month of ``windows`` together, or None when one reaches back to the
    beginning."""
    if any(window.first is None for window in windows if window.last is not None):
        return None
    firsts = [window.first for window in windows if window.last is not None]
    lasts = [window.last for window in windows if window.last is not None]
    return (min(firsts), max(lasts)) if firsts else None


def _flows(measure: Measure, start: date, end: date, segment: str) -> QuerySet:
    rows = Tally.objects.filter(_kind_q(measure.kind), day__gte=start, day__lte=end)
    return rows.filter(segment=segment) if segment else rows


def _summed(rows: QuerySet, key: str, field: str) -> dict[int, int]:
    return {k: v or 0 for k, v in rows.values_list(key).annotate(Sum(field)).order_by()}


def _measured(measure: Measure, start: date, end: date, *, by: str, segment: str, **where) -> dict[int, int]:
    sums = _windowed_sums(by, {"value": (measure.kind, measure.field, Window.of(start, end))}, segment, where)
    return {key: values["value"] for key, values in sums.items()}


def totals_by_outlet(
    measure: Measure, start: date, end: date, *, outlets: QuerySet, segment: str = ""
) -> dict[int, int]:
    """Outlet id -> the measure summed over ``start..end``, for the outlets of ``outlets`` (a queryset,
    used as a subquery)."""
    return _measured(measure, start, end, by="outlet_id", segment=segment, outlet_id__in=outlets.values("pk"))


def totals_by_outlet_over(
    measure: Measure, windows: dict[str, tuple[date, date]], *, outlets: QuerySet, segment: str = ""
) -> dict[int, dict[str, int]]:
    """Outlet id -> {name: the measure summed over its window} for each of ``windows`` (name -> (start,
    end)), for the outlets of ``outlets``: every period of a contest in one read of the roll-up."""
    sums = {
        name: (measure.kind, measure.field, Window.of(start, end)) for name, (start, end) in windows.items()
    }
    return _windowed_sums("outlet_id", sums, segment, {"outlet_id__in": outlets.values("pk")})


def daily_by_outlet(
    measure: Measure, start: date, end: date, *, outlet_ids: list[int], segment: str = ""
) -> dict[int, list[tuple[date, int]]]:
    """Outlet id -> (day, value) for each day with a tally, for the given outlets."""
    rows = _flows(measure, start, end, segment).filter(outlet_id__in=outlet_ids)
    daily: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for outlet_id, day, value in rows.values_list("outlet_id", "day").annotate(Sum(measure.field)).order_by():
        daily[outlet_id].append((as_date(day), value or 0))
    return dict(daily)


def reached_by_outlet(
    measure: Measure,
    start: date,
    end: date,
    *,
    totals: dict[int, int],
    segment: str = "",
    outlets: QuerySet | None = None,
) -> dict[int, date | None]:
    """Outlet id -> the first day its running total over ``start..end`` reached its total, for the outlets
    of ``totals`` (outlet id -> total; ``outlets``, a queryset holding them, keeps a list of thousands of
    ids out of the SQL).

    Registrations and companies never go down, so that day is simply the last day with a count: the
    outlet roll-up keeps it per month (``last_day``, ``tallies.writer.LAST_DAY_KINDS``), so one read of
    the window's months answers, and the daily rows are read only for the outlets counted again after
    ``end`` in its month. The other kinds can go down (a reversal takes back a payment and a first
    payment), so they are summed day by day."""
    if not set(measure.kinds) <= LAST_DAY_KINDS:
        daily = daily_by_outlet(measure, start, end, outlet_ids=list(totals), segment=segment)
        return {pk: first_reached(daily.get(pk, []), total) for pk, total in totals.items()}
    wanted = {pk for pk, total in totals.items() if total > 0}
    rows = OutletMonth.objects.filter(
        _kind_q(measure.kind),
        month__gte=Month.from_date(start),
        month__lte=Month.from_date(end),
        count__gt=0,
        outlet_id__in=outlets.values("pk") if outlets is not None else list(wanted),
        **({"segment": segment} if segment else {}),
    )
    found = rows.values_list("outlet_id").annotate(
        last=Max("last_day", filter=Q(last_day__gte=start, last_day__lte=end)),
        later=Count("pk", filter=Q(last_day__gt=end)),
    )
    last: dict[int, date] = {}
    later: list[int] = []  # counted again after ``end`` in its month: that month's days are read
    for pk, day, after in plain_rows(found.order_by()):
        if pk in wanted:
            if day is not None:
                last[pk] = as_date(day)
            if after:
                later.append(pk)
    if later:
        month = Month.from_date(end)
        days = _flows(measure, max(start, month.first_day()), end, segment).filter(
            outlet_id__in=later, **{f"{measure.field}__gt": 0}
        )
        for pk, day in days.values_list("outlet_id").annotate(Max("day")).order_by():
            last[pk] = max(last.get(pk, as_date(day)), as_date(day))
    return {pk: last.get(pk) for pk in totals}


def totals_by_office(
    measure: Measure, start: date, end: date, *, office_ids: list[int] | None, segment: str = ""
) -> dict[int, int]:
    """Office id -> the measure summed over ``start..end`` (every office when ``office_ids`` is None;
    office 0 holds participants whose regency no branch serves)."""
    where = {} if office_ids is None else {"office_id__in": office_ids}
    return _measured(measure, start, end, by="office_id", segment=segment, **where)


def total_for(
    measure: Measure,
    start: date,
    end: date,
    *,
    outlet_id: int = 0,
    agent_id: int = 0,
    outlet_ids: Collection[int] = (),
    segment: str = "",
) -> int:
    """The measure summed over ``start..end`` for one outlet, one agent, or the outlets ``outlet_ids``
    together (an outlet and the outlets below it)."""
    by, where = _one_or_many(outlet_id, agent_id, outlet_ids)
    return sum(_measured(measure, start, end, by=by, segment=segment, **where).values())


def _deltas(month: Month, segment: str) -> QuerySet:
    rows = CoverageDelta.objects.filter(month__lte=month)
    return rows.filter(segment=segment) if segment else rows


def active_by_office(month: Month, *, office_ids: list[int] | None, segment: str = "") -> dict[int, int]:
    """Office id -> participants covered in ``month`` (the coverage deltas summed up to it)."""
    where = {} if office_ids is None else {"office_id__in": office_ids}
    return active_by(month, by="office_id", segment=segment, **where)


def active_for(
    month: Month,
    *,
    outlet_id: int = 0,
    agent_id: int = 0,
    outlet_ids: Collection[int] = (),
    segment: str = "",
) -> int:
    """Participants covered in ``month`` that one outlet or agent acquired, or the outlets ``outlet_ids``
    together."""
    by, where = _one_or_many(outlet_id, agent_id, outlet_ids)
    return sum(active_by(month, by=by, segment=segment, **where).values())


def _one_or_many(outlet_id: int, agent_id: int, outlet_ids: Collection[int]) -> tuple[str, dict]:
    if outlet_ids:
        return "outlet_id", {"outlet_id__in": sorted(outlet_ids)}
    if outlet_id:
        return "outlet_id", {"outlet_id": outlet_id}
    return "agent_id", {"agent_id": agent_id}


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
    ``outlet_id__in=[...]``). At most two queries whatever the number of keys."""
    ever, period = Window.of(None, through), Window.of(start, through)
    sums = {
        "registered": ((REGISTERED, DIED), "count", ever),  # the total registered: the dead left out
        "new": (REGISTERED, "count", period),
        "collected": (PAID, "amount", period),
    }
    found = _windowed_sums(by, sums, segment, where)
    return {key: Flows(v["registered"], v["new"], v["collected"]) for key, v in found.items()}


def sums_over(
    windows: dict[str, tuple[Measure, date | None, date]], *, by: str, segment: str = "", **where
) -> dict[int, dict[str, int]]:
    """``by`` -> {name: value} for each of ``windows`` (name -> (measure, start or None for "since the
    beginning", through)), for the tally rows ``where`` selects: several periods of several measures (a
    month, the month before, the same month a year ago, the year to date) in at most two queries."""
    sums = {
        name: (measure.kind, measure.field, Window.of(start, through))
        for name, (measure, start, through) in windows.items()
    }
    return _windowed_sums(by, sums, segment, where)


def active_by(month: Month, *, by: str, segment: str = "", **where) -> dict[int, int]:
    """``by`` (``office_id``, ``outlet_id`` or ``agent_id``) -> participants covered in ``month``, for the
    coverage deltas ``where`` selects: from a monthly roll-up when one holds ``by`` and ``where``'s
    columns, else from the deltas. One query whatever the number of keys."""
    if (rollup := _rollup({by, *map(_column, where)})) is not None:
        rows = rollup.objects.filter(kind=COVERED, month__lte=month, **where)
        return _summed(rows.filter(segment=segment) if segment else rows, by, "count")
    return _summed(_deltas(month, segment).filter(**where), by, "delta")


def segments_by(through: date, *, office_ids: list[int] | None) -> dict[str, tuple[int, int]]:
    """Segment -> (registered on ``through``, active in its month), for the offices ``office_ids`` (every
    office when None). Registered: the registrations and the moves between segments up to the day, less
    the deaths.
    Active: the coverage deltas up to the month, each participant in the segment they registered in
    (the exact split of covered movers is ``employers.wage_earners.queries.segment_counts``). Two reads of
    the monthly roll-ups and the days of one month."""
    where = {} if office_ids is None else {"office_id__in": office_ids}
    registered = _windowed_sums(
        "segment", {"n": ((REGISTERED, MOVED, DIED), "count", Window.of(None, through))}, "", where
    )
    active = active_by(Month.from_date(through), by="segment", **where)
    return {
        segment: (registered.get(segment, {}).get("n", 0), active.get(segment, 0))
        for segment in sorted(set(registered) | set(active))
    }


def registrations_by_month_and_channel(
    start: date, through: date, *, segment: str = "", **where
) -> list[tuple[Month, str, int]]:
    """(month, channel, registrations) for each month of ``start..through`` with registrations, for the
    tally rows ``where`` selects: at most months x channels rows, for a trend and a channel mix. Whole
    months come from a monthly roll-up when one holds ``where``'s columns."""
    window = Window.of(start, through)
    filters = {**where, **({"segment": segment} if segment else {})}
    rollup = _rollup({"channel", *map(_column, filters)})
    if rollup is not None:
        window = _month_so_far(window, (REGISTERED,), {})
    found: dict[tuple[Month, str], int] = defaultdict(int)
    if rollup is not None and (months := window.months_q()) is not None:
        rows = rollup.objects.filter(months, kind=REGISTERED, **filters)
        for month, channel, value in rows.values_list("month", "channel").annotate(Sum("count")).order_by():
            found[month, channel] += value or 0
    if (days := window.days_q() if rollup is not None else window.all_days_q()) is not None:
        rows = Tally.objects.filter(days, kind=REGISTERED, **filters)
        for day, channel, value in rows.values_list("day", "channel").annotate(Sum("count")).order_by():
            found[Month.from_date(as_date(day)), channel] += value or 0
    return [(month, channel, value) for (month, channel), value in sorted(found.items()) if value]
