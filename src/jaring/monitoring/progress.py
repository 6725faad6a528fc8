"""Reads of targets and the potential market: the status of an office's targets rolled up its subtree, of
an outlet's or an agent's targets, and an office's penetration of its market. Tallies and coverage deltas
only; plain dataclasses out (``monitoring.queries`` re-exports these functions)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Sum

from jaring.accounts.scope import outlet_family
from jaring.common.clock import local_date
from jaring.monitoring import readings
from jaring.monitoring.arithmetic import (
    Calendar,
    attainment,
    run_rate,
    small_percent,
    target_verdict,
)
from jaring.monitoring.formatting import (
    JSON,
    Style,
    attainment_sum,
    estimate_sum,
    penetration_sum,
    projection_sum,
)
from jaring.monitoring.models import InformalShare, PotentialMarket, Target
from jaring.monitoring.targets import served_regencies
from jaring.org.models import Office
from jaring.org.queries import OfficeTree, office_subtree
from jaring.regions.models import Region
from jaring.rules.money import round_half_up
from jaring.rules.months import Month

TARGET_MEASURES = {
    Target.Metric.NEW_PARTICIPANTS: readings.NEW_REGISTRATIONS,
    Target.Metric.CONTRIBUTIONS: readings.AMOUNT_COLLECTED,
    Target.Metric.NEW_COMPANIES: readings.NEW_COMPANIES,
    Target.Metric.NEW_WORKERS: readings.SEGMENT_GROWTH,
}
OWN, BELOW = "own", "below"
LEVELS = frozenset({Target.Metric.ACTIVE_PARTICIPANTS, Target.Metric.ACTIVE_AGENTS})


@dataclass(frozen=True)
class OfficeReading:
    """What a metric read outside monitoring says per office id (0 for none): ``achieved`` on the day asked
    about, ``baseline`` (a level: the day before the period). A ratio also gives ``per``, its denominator:
    the achievement of a subtree is then the sum of ``achieved`` over the sum of ``per`` (never a sum of
    ratios)."""

    achieved: dict[int, int]
    baseline: dict[int, int] = field(default_factory=dict)
    per: dict[int, int] | None = None


# Target metrics whose figures another app keeps (the Perisai agent metrics), registered by that app when
# it starts: metric -> reader(start, end, through, office_ids) -> OfficeReading. ``through`` is the last day
# counted (the day asked about, or the period's end); ``office_ids`` None means every office.
OFFICE_READERS: dict[str, Callable[..., OfficeReading]] = {}


def office_reader_register(metric: str, reader: Callable[..., OfficeReading]) -> None:
    OFFICE_READERS[metric] = reader


@dataclass(frozen=True)
class TargetLine:
    """One target (or the roll-up of the targets below) of one owner, with its achievement on ``as_of``.

    ``target_source`` is "own" (set on this owner), "below" (the sum of the nearest targets set below it;
    ``targets_below`` says how many) or None. For a level (active participants) ``baseline`` is the level
    in the month before the period, and the projection continues the pace of the change since then.
    """

    owner: str
    owner_name: str
    metric: str
    segment: str
    start: date
    end: date
    as_of: date
    target: int | None
    target_source: str | None
    targets_below: int
    achievement: int | None
    baseline: int
    elapsed_days: int
    total_days: int
    projection: int | None
    status: str
    children: tuple[TargetLine, ...] = ()

    @property
    def attainment_pct(self) -> Decimal | None:
        if self.target is None or self.achievement is None:
            return None
        return attainment(self.achievement, self.target)

    @property
    def is_level(self) -> bool:
        return self.metric in LEVELS

    def attainment_sum(self, style: Style = JSON) -> str:
        return attainment_sum(style, self.achievement, self.target, self.attainment_pct, self.metric)

    def projection_sum(self, style: Style = JSON) -> str:
        return projection_sum(
            style,
            achievement=self.achievement,
            baseline=self.baseline,
            elapsed=self.elapsed_days,
            total=self.total_days,
            projection=self.projection,
            target=self.target,
            status=self.status,
            metric=self.metric,
            level=self.is_level,
        )

    def as_json(self) -> dict:
        pct = self.attainment_pct
        return {
            "owner": self.owner,
            "name": self.owner_name,
            "metric": self.metric,
            "segment": self.segment,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "target": self.target,
            "target_source": self.target_source,
            "targets_below": self.targets_below,
            "achievement": self.achievement,
            "baseline": self.baseline if self.is_level else None,
            "elapsed_days": self.elapsed_days,
            "total_days": self.total_days,
            "attainment_pct": None if pct is None else float(pct),
            "projection": self.projection,
            "status": self.status,
            "arithmetic": {"attainment": self.attainment_sum(), "projection": self.projection_sum()},
            "children": [child.as_json() for child in self.children],
        }


@dataclass(frozen=True)
class Market:
    """Penetration: active informal (BPU) participants over the potential market of the regencies/cities
    an office's branches serve. The potential of a regency/city is the staff figure in force where one is
    loaded, else its population x the employed per resident x the informal share in force."""

    active: int
    staff_regencies: int
    staff_workers: int
    estimated_regencies: int
    estimated_population: int
    share: Decimal | None
    estimated_workers: int
    employed: Decimal | None = None

    @property
    def potential(self) -> int:
        return self.staff_workers + self.estimated_workers

    @property
    def penetration_pct(self) -> Decimal | None:
        return small_percent(Fraction(self.active, self.potential)) if self.potential else None

    def as_json(self) -> dict:
        pct = self.penetration_pct
        return {
            "active": self.active,
            "potential": self.potential,
            "penetration_pct": None if pct is None else float(pct),
            "staff_figures": {"regencies": self.staff_regencies, "workers": self.staff_workers},
            "estimate": {
                "regencies": self.estimated_regencies,
                "population": self.estimated_population,
                "share": None if self.share is None else str(self.share),
                "employed": None if self.employed is None else str(self.employed),
                "workers": self.estimated_workers,
            },
            "arithmetic": {
                "penetration": penetration_sum(JSON, self.active, self.potential, pct),
                "estimate": estimate_sum(
                    JSON, self.estimated_population, self.share, self.estimated_workers, self.employed
                ),
            },
        }


@dataclass(frozen=True)
class TargetStatus:
    owner: str
    owner_name: str
    kind: str  # the office kind, "outlet" or "agent"
    as_of: date
    lines: tuple[TargetLine, ...]
    market: Market | None
    # segment -> (registered on as_of, active in its month): formal and informal side by side
    segments: dict[str, tuple[int, int]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "owner": self.owner,
            "name": self.owner_name,
            "kind": self.kind,
            "as_of": self.as_of.isoformat(),
            "targets": [line.as_json() for line in self.lines],
            "market": None if self.market is None else self.market.as_json(),
            "segments": {
                segment: {"registered": registered, "active": active}
                for segment, (registered, active) in self.segments.items()
            },
        }


def _rolled_target(tree: OfficeTree, pk: int, own: dict[int, int]) -> tuple[int | None, str | None, int]:
    """The office's own target, or else the sum of the nearest targets below it, and how many."""
    if pk in own:
        return own[pk], OWN, 0
    total, count = 0, 0
    for child in tree.children.get(pk, []):
        value, source, below = _rolled_target(tree, child.pk, own)
        if value is not None:
            total += value
            count += below if source == BELOW else 1
    return (total, BELOW, count) if count else (None, None, 0)


def _year_overlaps(year: int) -> dict:
    return {"start__lte": date(year, 12, 31), "end__gte": date(year, 1, 1)}


@dataclass(frozen=True)
class _Key:
    metric: str
    segment: str
    start: date
    end: date

    def line(self, *, owner, as_of, target, source, count, achievement, baseline, children=()) -> TargetLine:
        calendar = Calendar(self.start, self.end, as_of)
        level = self.metric in LEVELS
        projection = None
        if achievement is not None and calendar.started:
            projection = run_rate(achievement, calendar, baseline=baseline if level else 0)
        return TargetLine(
            owner=owner[0],
            owner_name=owner[1],
            metric=self.metric,
            segment=self.segment,
            start=self.start,
            end=self.end,
            as_of=as_of,
            target=target,
            target_source=source,
            targets_below=count,
            achievement=achievement,
            baseline=baseline if level else 0,
            elapsed_days=calendar.elapsed_days,
            total_days=calendar.total_days,
            projection=projection,
            status=target_verdict(
                target=target, achievement=achievement, projection=projection, calendar=calendar
            ),
            children=children,
        )


def _achievements(key: _Key, as_of: date, office_ids: list[int] | None) -> OfficeReading | None:
    """Per office id: the achievement on ``as_of``, for a level the level in the month before the period,
    for a ratio its denominator; None when jaring has no data for the metric."""
    calendar = Calendar(key.start, key.end, as_of)
    if not calendar.started:
        return OfficeReading({})
    if key.metric in OFFICE_READERS:
        return OFFICE_READERS[key.metric](key.start, key.end, calendar.through, office_ids)
    if key.metric == Target.Metric.ACTIVE_PARTICIPANTS:
        month = Month.from_date(calendar.through)
        before = Month.from_date(key.start) - 1
        return OfficeReading(
            readings.active_by_office(month, office_ids=office_ids, segment=key.segment),
            readings.active_by_office(before, office_ids=office_ids, segment=key.segment),
        )
    if key.metric not in TARGET_MEASURES:
        return None  # a metric whose app is not installed
    measure = TARGET_MEASURES[key.metric]
    return OfficeReading(
        readings.totals_by_office(
            measure, key.start, calendar.through, office_ids=office_ids, segment=key.segment
        )
    )


def _subtree_achievement(tree, pk: int, reading: OfficeReading | None) -> int | None:
    if reading is None:
        return None
    if reading.per is None:
        return tree.subtree_sum(pk, reading.achieved)
    per = tree.subtree_sum(pk, reading.per)
    return round_half_up(Fraction(tree.subtree_sum(pk, reading.achieved), per)) if per else None


def target_status(office: Office, as_of: date | None = None, *, year: int | None = None) -> TargetStatus:
    """The targets set on the office or anywhere in its subtree whose period overlaps ``year`` (default:
    the year of ``as_of``), on ``as_of``. Each is compared with the achievement of the office's whole
    subtree: the office's own target when it has one, else the sum of the nearest targets below. One child
    line per direct child office, computed the same way. Also the office's penetration of its potential
    market."""
    as_of = as_of or local_date()
    tree = OfficeTree(office)
    targets = list(Target.objects.filter(office_id__in=tree.ids, **_year_overlaps(year or as_of.year)))
    order = Target.Metric.values
    keys = sorted(
        {_Key(t.metric, t.segment, t.start, t.end) for t in targets},
        key=lambda k: (k.start, k.end, order.index(k.metric), k.segment),
    )
    office_ids = None if tree.national else tree.ids
    lines = []
    for key in keys:
        own = {t.office_id: t.value for t in targets if _Key(t.metric, t.segment, t.start, t.end) == key}
        reading = _achievements(key, as_of, office_ids)

        def line_of(pk: int, children=(), key=key, own=own, reading=reading) -> TargetLine:
            target, source, count = _rolled_target(tree, pk, own)
            return key.line(
                owner=(tree.offices[pk].code, tree.offices[pk].name),
                as_of=as_of,
                target=target,
                source=source,
                count=count,
                achievement=_subtree_achievement(tree, pk, reading),
                baseline=tree.subtree_sum(pk, reading.baseline) if reading is not None else 0,
                children=children,
            )

        children = tuple(
            line
            for line in (line_of(child.pk) for child in tree.children.get(office.pk, []))
            if line.target is not None or line.achievement is not None  # nothing to say about it
        )
        lines.append(line_of(office.pk, children))
    return TargetStatus(
        office.code,
        office.name,
        office.kind,
        as_of,
        tuple(lines),
        office_market(office, as_of),
        readings.segments_by(as_of, office_ids=office_ids),
    )


def target_progress(target: Target, as_of: date | None = None) -> TargetLine:
    """One target on ``as_of``: an agent's from its own tallies, an outlet's from the tallies of the
    outlet and the outlets below it; an office's as in ``target_status`` (compared with its subtree)."""
    as_of = as_of or local_date()
    key = _Key(target.metric, target.segment, target.start, target.end)
    if target.office_id:
        for line in target_status(target.office, as_of, year=target.start.year).lines:
            if _Key(line.metric, line.segment, line.start, line.end) == key:
                return line
    owner = target.outlet or target.agent
    # An outlet's target counts what it and the outlets below it did (a KCU's counts its KCs).
    who = {"outlet_ids": outlet_family(target.outlet)} if target.outlet_id else {"agent_id": target.agent_id}
    calendar = Calendar(target.start, target.end, as_of)
    achievement, baseline = None, 0
    if target.metric == Target.Metric.ACTIVE_PARTICIPANTS:
        achievement = 0
        if calendar.started:
            month = Month.from_date(calendar.through)
            achievement = readings.active_for(month, segment=target.segment, **who)
            baseline = readings.active_for(Month.from_date(target.start) - 1, segment=target.segment, **who)
    elif target.metric in TARGET_MEASURES:
        achievement = 0
        if calendar.started:
            measure = TARGET_MEASURES[target.metric]
            achievement = readings.total_for(
                measure, target.start, calendar.through, segment=target.segment, **who
            )
    return key.line(
        owner=(owner.code, owner.name),
        as_of=as_of,
        target=target.value,
        source=OWN,
        count=0,
        achievement=achievement,
        baseline=baseline,
    )


def owner_status(
    *, outlet=None, agent=None, as_of: date | None = None, year: int | None = None
) -> TargetStatus:
    """The targets of one outlet or one agent whose period overlaps ``year`` (default: the year of
    ``as_of``), on ``as_of``."""
    as_of = as_of or local_date()
    owner = outlet or agent
    targets = Target.objects.filter(
        **({"outlet": outlet} if outlet else {"agent": agent}), **_year_overlaps(year or as_of.year)
    ).order_by("start", "metric")
    lines = tuple(target_progress(target, as_of) for target in targets)
    return TargetStatus(owner.code, owner.name, "outlet" if outlet else "agent", as_of, lines, None)


def informal_share(as_of: date) -> InformalShare | None:
    """The share in force on ``as_of``; before the first one, the first one (there is no older figure)."""
    return (
        InformalShare.objects.filter(effective_from__lte=as_of).order_by("-effective_from").first()
        or InformalShare.objects.order_by("effective_from").first()
    )


def staff_potentials(as_of: date, regencies: Collection[str] | None = None) -> dict[str, PotentialMarket]:
    """Regency/city -> the staff figure of its potential market in force on ``as_of`` (the latest loaded on
    or before it), for ``regencies`` (every one when None); a regency without a figure is left out."""
    rows = PotentialMarket.objects.filter(effective_from__lte=as_of)
    if regencies is not None:
        rows = rows.filter(region_id__in=list(regencies))
    found: dict[str, PotentialMarket] = {}
    for row in rows.order_by("region_id", "effective_from"):
        found[row.region_id] = row  # ordered by date: the latest in force wins
    return found


def office_market(office: Office, as_of: date | None = None) -> Market:
    """The office's active informal participants in the month of ``as_of`` against the potential market of
    the regencies/cities its branches serve (the whole country for the head office)."""
    as_of = as_of or local_date()
    national = office.parent_id is None
    regions = Region.objects.filter(level=Region.Level.REGENCY)
    office_ids = regencies = None
    if not national:
        regencies = served_regencies(office)
        regions = regions.filter(code__in=regencies)
        office_ids = list(office_subtree(office).values_list("pk", flat=True))
    staff = {code: row.workers for code, row in staff_potentials(as_of, regencies).items()}
    estimated = regions.exclude(code__in=list(staff)).aggregate(n=Sum("population"), regencies=Count("code"))
    population = estimated["n"] or 0
    share = informal_share(as_of)
    active = readings.active_by_office(Month.from_date(as_of), office_ids=office_ids, segment="BPU")
    return Market(
        active=sum(active.values()),
        staff_regencies=len(staff),
        staff_workers=sum(staff.values()),
        estimated_regencies=estimated["regencies"],
        estimated_population=population,
        share=share.share if share else None,
        employed=share.employed if share else None,
        estimated_workers=round_half_up(share.share * share.employed * population) if share else 0,
    )
