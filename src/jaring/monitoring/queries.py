"""Reads that the CLI, the exports and the dashboards share: contest leaderboards and monev, target status
with its roll-up over the office tree, potential market and penetration.

Every function reads tallies and coverage deltas only (through ``monitoring.readings``) and returns plain
frozen dataclasses; formatting belongs to the caller (``monitoring.formatting``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jaring.channels.models import Outlet
from jaring.common.clock import local_date
from jaring.common.rows import plain_rows
from jaring.monitoring import readings
from jaring.monitoring.arithmetic import (
    Calendar,
    Entry,
    Growth,
    rank_entries,
)
from jaring.monitoring.closing import CONTEST_MEASURES, PeriodFigures, period_figures, periods_figures
from jaring.monitoring.contests import contest_outlets
from jaring.monitoring.formatting import JSON
from jaring.monitoring.models import Contest, ContestPeriod
from jaring.monitoring.progress import (
    Market,
    TargetLine,
    TargetStatus,
    informal_share,
    office_market,
    owner_status,
    target_progress,
    target_status,
)
from jaring.org.models import Office

UPCOMING, RUNNING, CLOSED = "upcoming", "running", "closed"

__all__ = [
    "Leaderboard",
    "LeaderboardRow",
    "Market",
    "Monev",
    "OutletMonev",
    "PeriodTotal",
    "TargetLine",
    "TargetStatus",
    "contest_get",
    "contest_leaderboard",
    "contest_monev",
    "contest_period",
    "contest_winners",
    "informal_share",
    "office_get",
    "office_market",
    "outlet_get",
    "owner_status",
    "target_progress",
    "target_status",
]  # fmt: skip


def contest_get(code: str) -> Contest:
    contest = Contest.objects.filter(code=code).first()
    if contest is None:
        raise ValidationError({"contest": _("Unknown contest %(code)s.") % {"code": code}})
    return contest


def period_state(period: ContestPeriod, as_of: date) -> str:
    """Upcoming before its first day, running up to and including its last day, closed after it."""
    if as_of < period.start:
        return UPCOMING
    return CLOSED if as_of > period.end else RUNNING


def contest_period(contest: Contest, code: str | None = None, *, as_of: date | None = None) -> ContestPeriod:
    """The period ``code`` of the contest; without a code, the period running on ``as_of`` (default today),
    else the last one started, else the first."""
    periods = list(contest.periods.order_by("start"))
    if code:
        for period in periods:
            if period.code == code:
                return period
        raise ValidationError(
            {"period": _("Contest %(c)s has no period %(p)s.") % {"c": contest.code, "p": code}}
        )
    as_of = as_of or local_date()
    started = [period for period in periods if period.start <= as_of]
    return started[-1] if started else periods[0]


# --- Leaderboard -------------------------------------------------------------------------------------------


@dataclass(slots=True)  # not frozen: a national board makes thousands, and a frozen one costs twice
class LeaderboardRow:
    rank: int
    outlet: str
    name: str
    value: int
    prize: int
    shared: bool = False  # the rank is shared: same value, reached on the same day
    reached: date | None = None  # when the value was first reached (computed for equal values only)
    carried: int = 0  # of the value: late records of closed periods credited here (monitoring.closing)


@dataclass(frozen=True)
class Leaderboard:
    contest: str
    contest_name: str
    metric: str
    period: str
    start: date
    end: date
    as_of: date
    state: str  # upcoming, running or closed on as_of
    rows: tuple[LeaderboardRow, ...]
    final: bool = False  # the period is closed: its standings are kept as they were closed
    closed_at: datetime | None = None

    @property
    def closed_on(self) -> date | None:
        return local_date(self.closed_at) if self.closed_at else None

    @property
    def carried(self) -> int:
        return sum(row.carried for row in self.rows)

    @property
    def through(self) -> date | None:
        return Calendar(self.start, self.end, self.as_of).through

    @property
    def total(self) -> int:
        return sum(row.value for row in self.rows)

    @property
    def winners(self) -> tuple[LeaderboardRow, ...]:
        return tuple(row for row in self.rows if row.prize > 0)

    def as_json(self) -> dict:
        """Exactly ``{"contest", "period", "rows": [{"rank", "outlet", "name", "value", "prize"}]}``."""
        return {
            "contest": self.contest,
            "period": self.period,
            "rows": [
                {"rank": r.rank, "outlet": r.outlet, "name": r.name, "value": r.value, "prize": r.prize}
                for r in self.rows
            ],
        }


def contest_leaderboard(
    contest: Contest, period: ContestPeriod | str | None = None, as_of: date | None = None
) -> Leaderboard:
    """The ranking of the eligible outlets for one period, on the days up to ``as_of`` (default today):
    live while the period runs, final once it is over. Equal values are ordered by who reached the value
    first (the earliest day the outlet's running total reached its final value); outlets equal on both
    share the rank and split its prizes; an outlet with nothing wins nothing."""
    as_of = as_of or local_date()
    if not isinstance(period, ContestPeriod):
        period = contest_period(contest, period, as_of=as_of)
    outlets = contest_outlets(contest)
    through = Calendar(period.start, period.end, as_of).through
    periods = list(contest.periods.all())
    figures = period_figures(contest, period, periods=periods, outlets=outlets, through=through, as_of=as_of)
    if figures.final:
        return _closed_board(contest, period, figures)
    measure = CONTEST_MEASURES[contest.metric]
    names = {pk: (code, name) for pk, code, name in plain_rows(outlets.values_list("pk", "code", "name"))}
    totals = figures.totals
    by_value: dict[int, list[int]] = defaultdict(list)
    for pk in names:
        by_value[totals.get(pk, 0)].append(pk)
    tied = [pk for value, pks in by_value.items() if value > 0 and len(pks) > 1 for pk in pks]
    reached: dict[int, date | None] = {}
    if tied:
        # The day each reached what its own days counted (a carried amount has no day in the period).
        reached = readings.reached_by_outlet(
            measure,
            period.start,
            through,
            totals={pk: figures.counted.get(pk, 0) for pk in tied},
            segment=contest.segment,
            outlets=outlets,
        )
    prizes = list(period.prizes.order_by("rank").values_list("rank", "amount"))
    table = [0] * max((rank for rank, _amount in prizes), default=0)
    for rank, amount in prizes:
        table[rank - 1] = amount
    placed = rank_entries(
        [Entry(code, totals.get(pk, 0), reached.get(pk)) for pk, (code, _name) in names.items()], table
    )
    by_code = {code: (pk, name) for pk, (code, name) in names.items()}
    carried = figures.carried
    rows = []
    for at in placed:
        key, value, day = at.entry.key, at.entry.value, at.entry.reached
        pk, name = by_code[key]
        rows.append(LeaderboardRow(at.rank, key, name, value, at.prize, at.shared, day, carried.get(pk, 0)))
    return _board(contest, period, tuple(rows), as_of=as_of)


def _closed_board(contest: Contest, period: ContestPeriod, figures: PeriodFigures) -> Leaderboard:
    """A closed period's leaderboard: its standings as they were closed."""
    rows = tuple(
        LeaderboardRow(
            rank=s.rank,
            outlet=s.outlet.code,
            name=s.outlet.name,
            value=s.value,
            prize=s.prize,
            shared=s.shared,
            reached=s.reached,
            carried=s.carried,
        )
        for s in figures.standings
    )
    return _board(contest, period, rows, as_of=max(local_date(period.closed_at), period.end))


def _board(contest: Contest, period: ContestPeriod, rows: tuple, *, as_of: date) -> Leaderboard:
    """The leaderboard of ``period`` with its ``rows``; final when the period is closed."""
    return Leaderboard(
        contest=contest.code,
        contest_name=contest.name,
        metric=contest.metric,
        period=period.code,
        start=period.start,
        end=period.end,
        as_of=as_of,
        state=CLOSED if period.closed_at is not None else period_state(period, as_of),
        rows=rows,
        final=period.closed_at is not None,
        closed_at=period.closed_at,
    )


def contest_winners(contest: Contest, period: ContestPeriod | str, as_of: date | None = None) -> Leaderboard:
    """The final leaderboard of a closed period (its winners are the rows with a prize)."""
    board = contest_leaderboard(contest, period, as_of)
    if board.state != CLOSED:
        raise ValidationError(
            {
                "period": _("Period %(p)s is not over yet (it ends on %(end)s).")
                % {"p": board.period, "end": board.end}
            }
        )
    return board


# --- Monev -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodTotal:
    period: str
    start: date
    end: date
    state: str
    through: date | None  # the last day counted (None for an upcoming period)
    total: int | None  # None for an upcoming period
    growth: Growth | None  # against the whole previous period (to date for a running one)
    compared_with: str | None

    @property
    def to_date(self) -> bool:
        return self.state == RUNNING


@dataclass  # not frozen: a national monev makes thousands, and a frozen one costs twice
class OutletMonev:
    outlet: str
    name: str
    values: tuple[int | None, ...]  # one per period, in period order

    @cached_property
    def growths(self) -> tuple[Growth | None, ...]:
        """One per period: against the previous period (None for the first, or where either is not
        counted). Worked out when asked: a national monev has thousands of outlets and a page shows few."""
        values = self.values
        return tuple(
            Growth(values[i], values[i - 1])
            if i and values[i] is not None and values[i - 1] is not None
            else None
            for i in range(len(values))
        )


@dataclass(frozen=True)
class Monev:
    contest: str
    contest_name: str
    metric: str
    as_of: date
    periods: tuple[PeriodTotal, ...]
    outlets: tuple[OutletMonev, ...]

    def as_json(self) -> dict:
        def growth(g: Growth | None) -> dict | None:
            if g is None:
                return None
            return {
                "pct": None if g.pct is None else float(g.pct),
                "arithmetic": JSON.growth(g, self.metric),
            }

        codes = [p.period for p in self.periods]
        return {
            "contest": self.contest,
            "name": self.contest_name,
            "metric": self.metric,
            "as_of": self.as_of.isoformat(),
            "periods": [
                {
                    "period": p.period,
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat(),
                    "state": p.state,
                    "through": p.through.isoformat() if p.through else None,
                    "total": p.total,
                    "compared_with": p.compared_with,
                    "to_date": p.to_date,
                    "growth_pct": None if p.growth is None or p.growth.pct is None else float(p.growth.pct),
                    "arithmetic": None if p.growth is None else JSON.growth(p.growth, self.metric),
                }
                for p in self.periods
            ],
            "outlets": [
                {
                    "outlet": o.outlet,
                    "name": o.name,
                    "values": dict(zip(codes, o.values, strict=True)),
                    "growth": {
                        code: growth(g) for code, g in zip(codes, o.growths, strict=True) if g is not None
                    },
                }
                for o in self.outlets
            ],
        }


def contest_monev(contest: Contest, as_of: date | None = None) -> Monev:
    """Per period: the total over every eligible outlet and each outlet's value; growth between
    consecutive periods (``value / previous - 1``), overall and per outlet. A running period counts its
    days up to ``as_of`` and is compared with the whole previous period (growth to date)."""
    as_of = as_of or local_date()
    outlets = contest_outlets(contest)
    names = plain_rows(outlets.values_list("pk", "code", "name"))
    periods = list(contest.periods.order_by("start"))
    per_period: list[dict[int, int] | None] = [
        figures.totals if figures.final or Calendar(period.start, period.end, as_of).through else None
        for period, figures in zip(
            periods, periods_figures(contest, periods, outlets=outlets, as_of=as_of), strict=True
        )
    ]
    totals: list[PeriodTotal] = []
    for index, period in enumerate(periods):
        values = per_period[index]
        total = None if values is None else sum(values.values())
        growth, compared = None, None
        if index and total is not None and totals[-1].total is not None:
            growth, compared = Growth(total, totals[-1].total), periods[index - 1].code
        totals.append(
            PeriodTotal(
                period=period.code,
                start=period.start,
                end=period.end,
                state=period_state(period, as_of),
                through=Calendar(period.start, period.end, as_of).through,
                total=total,
                growth=growth,
                compared_with=compared,
            )
        )
    rows = [
        OutletMonev(code, name, tuple([None if v is None else v.get(pk, 0) for v in per_period]))
        for pk, code, name in names
    ]
    latest = max((i for i, values in enumerate(per_period) if values is not None), default=None)
    if latest is not None:
        rows.sort(key=attrgetter("outlet"))
        rows.sort(key=lambda row: row.values[latest] or 0, reverse=True)  # stable: equal values by code
    return Monev(contest.code, contest.name, contest.metric, as_of, tuple(totals), tuple(rows))


def outlet_get(code: str) -> Outlet:
    outlet = Outlet.objects.filter(code=code).first()
    if outlet is None:
        raise ValidationError({"outlet": _("Unknown outlet %(code)s.") % {"code": code}})
    return outlet


def office_get(code: str) -> Office:
    office = Office.objects.filter(code=code).first()
    if office is None:
        raise ValidationError({"office": _("Unknown office %(code)s.") % {"code": code}})
    return office
