"""Closed contest periods: standings kept as they were closed, late records credited forward.

A record may arrive late (a settlement file, an offline desk syncing, a payment taken yesterday) with a
date inside a period that is already closed and whose prizes are decided. The tallies take it on the day
it happened (they are the truth of when), but a closed period's standings never change: they are read
from ``ContestStanding``. What the late records add to (or, with a reversal, take from) the closed
periods is credited to each outlet in the contest's first period still open, as a carried amount:

    carried into the first open period = sum over closed periods of (their tallies today - what they
    counted when closed) - what earlier closings already carried

so every late record is counted once, in the first period still open when it is read, whatever the
number of closed periods behind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.utils.translation import gettext as _

from jaring.common.clock import end_of_day, local_date, start_of_day
from jaring.monitoring import readings
from jaring.monitoring.arithmetic import Calendar
from jaring.monitoring.models import Contest, ContestPeriod, ContestStanding

CONTEST_MEASURES = {
    Contest.Metric.NEW_REGISTRATIONS: readings.NEW_REGISTRATIONS,
    Contest.Metric.FIRST_PAID_REGISTRATIONS: readings.FIRST_PAID_REGISTRATIONS,
    Contest.Metric.AMOUNT_COLLECTED: readings.AMOUNT_COLLECTED,
    Contest.Metric.NEW_COMPANIES: readings.NEW_COMPANIES,
}


@dataclass(frozen=True)
class PeriodFigures:
    """Outlet id -> value for one period: ``counted`` on its own days, ``carried`` in from closed
    periods, ``totals`` the two together (what is ranked). A closed period's figures are its kept
    ``standings``."""

    counted: dict[int, int] = field(default_factory=dict)
    carried: dict[int, int] = field(default_factory=dict)
    standings: tuple[ContestStanding, ...] | None = None

    @property
    def final(self) -> bool:
        return self.standings is not None

    @property
    def totals(self) -> dict[int, int]:
        totals = dict(self.counted)
        for pk, amount in self.carried.items():
            totals[pk] = totals.get(pk, 0) + amount
        return totals


def close_refusal(period: ContestPeriod, periods: Sequence[ContestPeriod], today: date) -> str | None:
    """Why ``period`` cannot be closed on ``today`` (``periods``: all its contest's), or None when it can:
    it is over, not closed yet, and every period before it is closed."""
    if period.closed_at is not None:
        return _("Period %(p)s is already closed.") % {"p": period.code}
    if today <= period.end:
        return _("Period %(p)s ends on %(end)s; it can be closed from the day after.") % {
            "p": period.code,
            "end": period.end,
        }
    earlier = [p for p in periods if p.start < period.start and p.closed_at is None]
    if earlier:
        first = min(earlier, key=lambda p: p.start)
        return _("Close period %(p)s first: periods close in order.") % {"p": first.code}
    return None


def first_open(periods: Sequence[ContestPeriod]) -> ContestPeriod | None:
    """The first period, in date order, not closed yet: the one late records are credited to."""
    return next(
        (period for period in sorted(periods, key=lambda p: p.start) if period.closed_at is None), None
    )


def period_figures(
    contest: Contest,
    period: ContestPeriod,
    *,
    periods: Sequence[ContestPeriod],
    outlets: QuerySet,
    through: date | None,
    as_of: date | None = None,
) -> PeriodFigures:
    """The figures of ``period`` counted up to ``through`` (None: nothing counted yet), for the
    eligible ``outlets``, as they stood on ``as_of`` (default today); ``periods`` are all the contest's
    periods."""
    if period.closed_at is not None:
        standings = tuple(period.standings.select_related("outlet").order_by("rank", "outlet__code"))
        return PeriodFigures(
            counted={s.outlet_id: s.counted for s in standings},
            carried={s.outlet_id: s.carried for s in standings if s.carried},
            standings=standings,
        )
    if through is None:
        return PeriodFigures()
    measure = _measure(contest)
    if measure == readings.FIRST_PAID_REGISTRATIONS and as_of is not None and as_of < local_date():
        counted = paid_by_outlet(
            period.start, through, paid_by=as_of, outlets=outlets, segment=contest.segment
        )
    else:
        counted = readings.totals_by_outlet(
            measure, period.start, through, outlets=outlets, segment=contest.segment
        )
    opened = first_open(periods)
    carried = _carried(contest, periods, outlets) if opened is not None and opened.pk == period.pk else {}
    return PeriodFigures(counted=counted, carried=carried)


def periods_figures(
    contest: Contest, periods: Sequence[ContestPeriod], *, outlets: QuerySet, as_of: date
) -> list[PeriodFigures]:
    """``period_figures`` of each of ``periods`` (all the contest's, in any order) as they stood on
    ``as_of``, each counted up to its last day or ``as_of``: the open periods read together, in one read
    of the tallies (monev compares every period)."""
    measure = _measure(contest)
    throughs = [Calendar(period.start, period.end, as_of).through for period in periods]
    together = measure != readings.FIRST_PAID_REGISTRATIONS or as_of >= local_date()
    windows = {
        str(index): (period.start, through)
        for index, (period, through) in enumerate(zip(periods, throughs, strict=True))
        if together and period.closed_at is None and through is not None
    }
    read = readings.totals_by_outlet_over(measure, windows, outlets=outlets, segment=contest.segment)
    opened = first_open(periods)
    figures = []
    for index, (period, through) in enumerate(zip(periods, throughs, strict=True)):
        if str(index) not in windows:
            figures.append(
                period_figures(
                    contest, period, periods=periods, outlets=outlets, through=through, as_of=as_of
                )
            )
            continue
        name = str(index)
        counted = {pk: value for pk, values in read.items() if (value := values[name])}
        carried = _carried(contest, periods, outlets) if opened is not None and opened.pk == period.pk else {}
        figures.append(PeriodFigures(counted=counted, carried=carried))
    return figures


def paid_by_outlet(
    start: date, end: date, *, paid_by: date, outlets: QuerySet, segment: str = ""
) -> dict[int, int]:
    """Outlet id -> the registrations of ``start..end`` at ``outlets`` that had paid by the end of
    ``paid_by`` (a contribution entry paid by then and not reversed by then): ``first_paid`` as it stood
    on an earlier day. The tally keeps only today's answer (keyed on the registration day, a row added
    when the registration first pays), so a day in the past is read from the ledger: an index probe
    (participant, paid_at) per registration of the window, for an "as of" in the past only."""
    from jaring.contributions.models import Payment
    from jaring.members.models import Participant

    until = end_of_day(paid_by)
    reversed_by_then = Payment.objects.filter(
        participant_id=OuterRef("participant_id"), reverses_id=OuterRef("pk"), paid_at__lte=until
    )
    paid = Payment.objects.filter(participant_id=OuterRef("pk"), amount__gt=0, paid_at__lte=until).exclude(
        Exists(reversed_by_then)
    )
    rows = Participant.objects.filter(
        outlet_id__in=outlets.values("pk"),
        registered_at__gte=start_of_day(start),
        registered_at__lte=end_of_day(end),
        **({"segment": segment} if segment else {}),
    ).filter(Exists(paid))
    return dict(rows.values_list("outlet_id").annotate(Count("pk")).order_by())


def _carried(contest: Contest, periods: Sequence[ContestPeriod], outlets: QuerySet) -> dict[int, int]:
    """Outlet id -> what late records of the closed periods add that no closing has counted yet."""
    closed = [period for period in periods if period.closed_at is not None]
    if not closed:
        return {}
    measure = _measure(contest)
    carried: dict[int, int] = defaultdict(int)
    for period in closed:
        live = readings.totals_by_outlet(
            measure, period.start, period.end, outlets=outlets, segment=contest.segment
        )
        for pk, value in live.items():
            carried[pk] += value
    kept = (
        ContestStanding.objects.filter(period__in=closed)
        .values("outlet_id")
        .annotate(counted=Sum("counted"), carried=Sum("carried"))
        .order_by()
    )
    for row in kept:
        carried[row["outlet_id"]] -= row["counted"] + row["carried"]
    return {pk: amount for pk, amount in carried.items() if amount}


def _measure(contest: Contest) -> readings.Measure:
    return CONTEST_MEASURES[contest.metric]
