"""What a dashboard shows about one office, outlet or agent in one month, read from the monitoring tallies.

Offices count the participants their subtree serves (by the branch of the regency where they live, as
targets do); outlets and agents count the participants they signed up and the rupiah they collected. Each
figure of a page, of all its children at once, is one GROUP BY over tally rows (``monitoring.readings``):
the number of queries of a page does not depend on the number of offices, outlets or agents below it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from jaring.channels.models import Agent, Outlet
from jaring.common.clock import local_date
from jaring.monitoring import readings
from jaring.monitoring.arithmetic import percent
from jaring.monitoring.readings import Flows
from jaring.org.models import Office
from jaring.org.queries import OfficeTree
from jaring.rules.months import Month

TREND_MONTHS = 12
OFFICE, OUTLET, AGENT, UNASSIGNED = "office", "outlet", "agent", "unassigned"


@dataclass(frozen=True)
class Period:
    """The month a dashboard looks at, counted up to ``through`` (its last day, or today while it runs)."""

    month: Month
    through: date

    @classmethod
    def of(cls, month: Month | None = None, today: date | None = None) -> Period:
        """``month`` (default: the current month in Jakarta); a month not yet begun is the current one."""
        today = today or local_date()
        current = Month.from_date(today)
        month = current if month is None or month > current else month
        return cls(month, min(month.last_day(), today))

    @property
    def start(self) -> date:
        return self.month.first_day()

    @property
    def trend_months(self) -> tuple[Month, ...]:
        return tuple(self.month - offset for offset in range(TREND_MONTHS - 1, -1, -1))


@dataclass(frozen=True)
class Figures:
    registered: int = 0  # registrations ever, up to the last day counted
    active: int = 0  # participants covered in the month
    new: int = 0  # registrations in the month
    collected: int = 0  # rupiah collected in the month

    @classmethod
    def of(cls, flows: Flows | None, active: int) -> Figures:
        flows = flows or Flows()
        return cls(flows.registered, active, flows.new, flows.collected)

    @property
    def active_share(self) -> Decimal | None:
        """Active participants as a share of those registered (percent, one decimal)."""
        return percent(Fraction(self.active, self.registered)) if self.registered else None

    @property
    def is_empty(self) -> bool:
        return not (self.registered or self.active or self.new or self.collected)


@dataclass(frozen=True)
class Child:
    kind: str  # office (with ``office_kind``), outlet, agent or unassigned
    code: str
    name: str
    figures: Figures
    office_kind: str = ""


@dataclass(frozen=True)
class Dashboard:
    kind: str  # office, outlet or agent
    code: str
    name: str
    period: Period
    figures: Figures
    trend: tuple[tuple[Month, int], ...]  # registrations per month, the last 12 months up to the period
    channels: tuple[tuple[str, int], ...]  # registrations per channel over the same months, largest first
    children: tuple[Child, ...]
    compared: tuple[Compared, ...] = ()


NEW, COLLECTED, ACTIVE = "new", "collected", "active"
PREVIOUS_MONTH, LAST_YEAR = "previous_month", "last_year"


@dataclass(frozen=True)
class Compared:
    """One figure of the period beside the same figure of an earlier, comparable period: the same days of
    the month before or of the same month a year before, or the year to date beside the same days of the
    year before. ``active`` compares whole months (a participant is covered for a month)."""

    measure: str  # new, collected or active
    against: str  # previous_month or last_year
    start: date
    through: date
    value: int
    before_start: date
    before_through: date
    before: int

    @property
    def year_to_date(self) -> bool:
        return self.start.month == 1 and self.start.day == 1 and self.through.month != 1

    @property
    def change(self) -> Decimal | None:
        """The change from ``before`` as a percentage (one decimal), None when there was nothing before."""
        return percent(Fraction(self.value - self.before, self.before)) if self.before else None


def same_days(first: date, days: int) -> date:
    """``first`` + ``days``, kept inside ``first``'s month (1-31 January beside 1-28 February)."""
    return min(first + timedelta(days=days), Month.from_date(first).last_day())


def year_before(day: date) -> date:
    """The same day a year before (28 February for the 29th)."""
    month = Month.of(day.year - 1, day.month)
    return min(month.first_day() + timedelta(days=day.day - 1), month.last_day())


def _compared(period: Period, active_now: int, *, by: str, keys=None, **where) -> tuple[Compared, ...]:
    """The period's new registrations and collections beside the same days of the month before and of
    the same month last year (whole months when the period is a whole month); the year to date beside
    last year's; the month's active participants (``active_now``, read by the caller for its cards)
    beside both months. ``keys`` (None: all) are the ``by`` values summed."""
    previous, last_year = period.month - 1, period.month - 12
    whole = period.through == period.month.last_day()  # a whole month beside whole months
    days = 31 if whole else (period.through - period.start).days
    spans = {
        "month": (period.start, period.through),
        PREVIOUS_MONTH: (previous.first_day(), same_days(previous.first_day(), days)),
        LAST_YEAR: (last_year.first_day(), same_days(last_year.first_day(), days)),
        "ytd": (date(period.through.year, 1, 1), period.through),
        "ytd_before": (date(period.through.year - 1, 1, 1), year_before(period.through)),
    }
    measures = {NEW: readings.NEW_REGISTRATIONS, COLLECTED: readings.AMOUNT_COLLECTED}
    windows = {
        f"{name}:{span}": (measure, start, through)
        for name, measure in measures.items()
        for span, (start, through) in spans.items()
    }
    found = readings.sums_over(windows, by=by, **where)

    def total(name: str) -> int:
        return sum(v[name] for key, v in found.items() if keys is None or key in keys)

    def active(month: Month) -> int:
        counted = readings.active_by(month, by=by, **where)
        return sum(v for key, v in counted.items() if keys is None or key in keys)

    lines = []
    for name in measures:
        for against in (PREVIOUS_MONTH, LAST_YEAR):
            lines.append(
                Compared(
                    name,
                    against,
                    *spans["month"],
                    total(f"{name}:month"),
                    *spans[against],
                    total(f"{name}:{against}"),
                )
            )
    for against, month in ((PREVIOUS_MONTH, previous), (LAST_YEAR, last_year)):
        lines.append(
            Compared(
                ACTIVE,
                against,
                period.month.first_day(),
                period.month.last_day(),
                active_now,
                month.first_day(),
                month.last_day(),
                active(month),
            )
        )
    if period.month.month != 1:  # in January the year to date is the month
        for name in measures:
            lines.append(
                Compared(
                    name,
                    LAST_YEAR,
                    *spans["ytd"],
                    total(f"{name}:ytd"),
                    *spans["ytd_before"],
                    total(f"{name}:ytd_before"),
                )
            )
    return tuple(lines)


def _trend_and_channels(period: Period, **where) -> tuple[tuple, tuple]:
    months = period.trend_months
    per_month: dict[Month, int] = dict.fromkeys(months, 0)
    per_channel: dict[str, int] = defaultdict(int)
    for month, channel, value in readings.registrations_by_month_and_channel(
        months[0].first_day(), period.through, **where
    ):
        per_month[month] += value
        per_channel[channel] += value
    channels = sorted(((c, n) for c, n in per_channel.items() if n), key=lambda item: (-item[1], item[0]))
    return tuple(per_month.items()), tuple(channels)


def office_dashboard(office: Office, period: Period, *, outlets=None) -> Dashboard:
    """The office's figures (its whole subtree; for the head office the whole country, participants whose
    regency no branch serves included), and one child line per direct sub-office and per outlet reporting
    to the office itself. ``outlets`` narrows those outlets (a queryset of the viewer's scope)."""
    national = office.parent_id is None
    tree = OfficeTree(office)
    where = {} if national else {"office_id__in": list(tree.offices)}
    flows = readings.flows_by(period.start, period.through, by="office_id", **where)
    active = readings.active_by(period.month, by="office_id", **where)

    def rolled(pks) -> Figures:
        return Figures.of(
            sum((flows.get(pk, Flows()) for pk in pks), Flows()), sum(active.get(pk, 0) for pk in pks)
        )

    total = rolled(set(flows) | set(active)) if national else rolled(tree.below(office.pk))
    children = [
        Child(OFFICE, child.code, child.name, rolled(tree.below(child.pk)), child.kind)
        for child in tree.children.get(office.pk, [])
    ]
    if national:
        unassigned = Figures.of(flows.get(0), active.get(0, 0))
        if not unassigned.is_empty:
            children.append(Child(UNASSIGNED, "", "", unassigned))
    own_outlets = (outlets if outlets is not None else Outlet.objects).filter(office=office)
    children += _outlet_children(period, own_outlets)
    trend, channels = _trend_and_channels(period, **where)
    keys = None if national else set(tree.below(office.pk))
    compared = _compared(period, total.active, by="office_id", keys=keys, **where)
    return Dashboard(
        OFFICE, office.code, office.name, period, total, trend, channels, tuple(children), compared
    )


def _outlet_children(period: Period, outlets) -> list[Child]:
    found = list(outlets.order_by("code").values_list("pk", "code", "name"))
    if not found:
        return []
    ids = [pk for pk, _code, _name in found]
    flows = readings.flows_by(period.start, period.through, by="outlet_id", outlet_id__in=ids)
    active = readings.active_by(period.month, by="outlet_id", outlet_id__in=ids)
    return [
        Child(OUTLET, code, name, Figures.of(flows.get(pk), active.get(pk, 0))) for pk, code, name in found
    ]


def outlet_dashboard(outlet: Outlet, period: Period, *, outlets=None, agents=None) -> Dashboard:
    """What the outlet itself signed up and collected (its child outlets count on their own), with one
    child line per agent working there and per child outlet. ``outlets`` and ``agents`` narrow the children
    to the viewer's scope."""
    flows = readings.flows_by(period.start, period.through, by="outlet_id", outlet_id=outlet.pk)
    active = readings.active_by(period.month, by="outlet_id", outlet_id=outlet.pk)
    figures = Figures.of(flows.get(outlet.pk), active.get(outlet.pk, 0))
    staff = list(
        (agents if agents is not None else Agent.objects)
        .filter(outlet=outlet)
        .order_by("code")
        .values_list("pk", "code", "name")
    )
    children: list[Child] = []
    if staff:
        ids = [pk for pk, _code, _name in staff]
        agent_flows = readings.flows_by(period.start, period.through, by="agent_id", agent_id__in=ids)
        agent_active = readings.active_by(period.month, by="agent_id", agent_id__in=ids)
        children += [
            Child(AGENT, code, name, Figures.of(agent_flows.get(pk), agent_active.get(pk, 0)))
            for pk, code, name in staff
        ]
    children += _outlet_children(
        period, (outlets if outlets is not None else Outlet.objects).filter(parent=outlet)
    )
    trend, channels = _trend_and_channels(period, outlet_id=outlet.pk)
    compared = _compared(period, figures.active, by="outlet_id", outlet_id=outlet.pk)
    return Dashboard(
        OUTLET, outlet.code, outlet.name, period, figures, trend, channels, tuple(children), compared
    )


def agent_dashboard(agent: Agent, period: Period) -> Dashboard:
    """What the agent signed up and collected."""
    flows = readings.flows_by(period.start, period.through, by="agent_id", agent_id=agent.pk)
    active = readings.active_by(period.month, by="agent_id", agent_id=agent.pk)
    figures = Figures.of(flows.get(agent.pk), active.get(agent.pk, 0))
    trend, channels = _trend_and_channels(period, agent_id=agent.pk)
    compared = _compared(period, figures.active, by="agent_id", agent_id=agent.pk)
    return Dashboard(AGENT, agent.code, agent.name, period, figures, trend, channels, (), compared)


def outlet_ancestors(outlet: Outlet, limit: int = 5) -> list[Outlet]:
    """The outlets above ``outlet`` (a KC's KCU), top first; one query per level, a few levels at most."""
    found: list[Outlet] = []
    parent_id = outlet.parent_id
    while parent_id and len(found) < limit:
        parent = Outlet.objects.filter(pk=parent_id).first()
        if parent is None or parent in found:
            break
        found.append(parent)
        parent_id = parent.parent_id
    return list(reversed(found))
