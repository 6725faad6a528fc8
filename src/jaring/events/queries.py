"""Reads of events: the ones running on a day (the desk offers them), and an event's yield: who signed up
there, new or already registered, what each new participant cost, and how many were still covered 3, 6
and 12 months after they registered (``contributions.queries.covered_after``, the rule the agents'
cohorts use)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, QuerySet

from jaring.contributions.queries import covered_after
from jaring.events.models import Campaign, Event, EventSignup
from jaring.members.models import Participant
from jaring.org.queries import in_office_subtree
from jaring.rules.months import Month

HORIZONS = (3, 6, 12)


def _percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, half up to one decimal (None for a whole of nothing)."""
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else None


def _per_head(cost: int, people: int) -> int | None:
    """Rupiah per person, half up to the rupiah (None without anybody)."""
    return int((Decimal(cost) / people).quantize(Decimal(1), ROUND_HALF_UP)) if people else None


def events_running(day: date) -> list[Event]:
    """The events whose days include ``day``, by code."""
    return list(Event.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("code"))


def events_in_scope(scope, qs: QuerySet | None = None) -> QuerySet:
    """The events a staff member's scope sees: every event nationally, an office subtree's own events for
    regional and branch staff, none for other roles."""
    qs = Event.objects.all() if qs is None else qs
    if scope.is_national:
        return qs
    if scope.office is not None:
        return qs.filter(office__isnull=False).filter(
            office__in=scope.offices().filter(in_office_subtree(scope.office)).values("pk")
        )
    return qs.none()


@dataclass(frozen=True)
class StillCovered:
    """How many of an event's new participants were covered ``months`` months after they registered;
    ``count`` is None while that month has not ended for some of them."""

    months: int
    count: int | None
    of: int

    @property
    def pct(self) -> Decimal | None:
        return None if self.count is None else _percent(self.count, self.of)


@dataclass(frozen=True)
class EventYield:
    """What one event brought: registrations made there (``new``), workers found already registered
    (``already``), its cost per new participant (rounded half up to the rupiah; None without a new one),
    and the new participants still covered later."""

    event: Event
    new: int
    already: int
    still_covered: tuple[StillCovered, ...]

    @property
    def signed_up(self) -> int:
        return self.new + self.already

    @property
    def cost_per_new(self) -> int | None:
        return _per_head(self.event.cost, self.new)

    @property
    def attendance_pct(self) -> Decimal | None:
        attended = self.event.attendance
        return None if attended is None else _percent(attended, self.event.target_attendance)


def event_yields(
    events: QuerySet | list[Event], *, as_of: date, horizons: tuple[int, ...] = HORIZONS
) -> list[EventYield]:
    """The yield of each of ``events`` as known on ``as_of``: one query for the sign-ups (with the latest
    registration month of the new ones, which tells whether a horizon is over), and one per horizon and
    event for the coverage (``horizons=()``: the counts only, for a page that shows no coverage)."""
    events = list(events)
    counts: dict[tuple[int, bool], tuple[int, Month | None]] = {
        (event_id, new): (n, latest)
        for event_id, new, n, latest in EventSignup.objects.filter(event__in=[e.pk for e in events])
        .values_list("event_id", "new")
        .annotate(n=Count("pk"), latest=Max("participant__registered_month"))
        .values_list("event_id", "new", "n", "latest")
        .order_by()
    }
    current = Month.from_date(as_of)
    yields = []
    for event in events:
        new, latest = counts.get((event.pk, True), (0, None))
        joined = Participant.objects.filter(event_signups__event=event, event_signups__new=True)
        still = []
        for months in horizons:
            pending = latest is not None and latest >= current - months
            count = None if pending else covered_after(joined, months, current).count() if new else 0
            still.append(StillCovered(months=months, count=count, of=new))
        already = counts.get((event.pk, False), (0, None))[0]
        yields.append(EventYield(event=event, new=new, already=already, still_covered=tuple(still)))
    return yields


@dataclass(frozen=True)
class CampaignReport:
    """A campaign's events with their yields, and the sums over them."""

    campaign: Campaign
    yields: tuple[EventYield, ...]

    @property
    def target_attendance(self) -> int:
        return sum(y.event.target_attendance for y in self.yields)

    @property
    def attendance(self) -> int:
        return sum(y.event.attendance or 0 for y in self.yields)

    @property
    def cost(self) -> int:
        return sum(y.event.cost for y in self.yields)

    @property
    def new(self) -> int:
        return sum(y.new for y in self.yields)

    @property
    def already(self) -> int:
        return sum(y.already for y in self.yields)

    @property
    def cost_per_new(self) -> int | None:
        return _per_head(self.cost, self.new)

    def still_covered(self) -> tuple[StillCovered, ...]:
        """The events' readings summed horizon by horizon (unknown while one event's is)."""
        totals = []
        for parts in zip(*(y.still_covered for y in self.yields), strict=True):
            known = all(part.count is not None for part in parts)
            count = sum(part.count or 0 for part in parts) if known else None
            totals.append(StillCovered(months=parts[0].months, count=count, of=self.new))
        return tuple(totals)


def campaign_report(
    campaign: Campaign,
    *,
    as_of: date,
    events: QuerySet | None = None,
    horizons: tuple[int, ...] = HORIZONS,
) -> CampaignReport:
    """The campaign's events (those of ``events`` when given: a scope's), by start and code."""
    rows = (events if events is not None else Event.objects.all()).filter(campaign=campaign)
    rows = rows.select_related("city", "office").order_by("starts_on", "code")
    return CampaignReport(campaign=campaign, yields=tuple(event_yields(rows, as_of=as_of, horizons=horizons)))


def campaigns_with_events(events: QuerySet) -> QuerySet:
    """The campaigns holding at least one of ``events``, newest first."""
    return Campaign.objects.filter(events__in=events.values("pk")).distinct().order_by("-starts_on", "code")


def yield_as_dict(item: EventYield) -> dict:
    """One event's yield for scripts (``jaring event report --json``) and exports."""
    event = item.event
    return {
        "code": event.code,
        "name": event.name,
        "kind": event.kind,
        "city": event.city_id,
        "office": event.office.code if event.office else None,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "target_attendance": event.target_attendance,
        "attendance": event.attendance,
        "cost": event.cost,
        "new": item.new,
        "already_registered": item.already,
        "cost_per_new": item.cost_per_new,
        "still_covered": {f"{s.months}_months": s.count for s in item.still_covered},
    }


def report_as_dict(report: CampaignReport) -> dict:
    campaign = report.campaign
    return {
        "code": campaign.code,
        "name": campaign.name,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "note": campaign.note,
        "events": len(report.yields),
        "target_attendance": report.target_attendance,
        "attendance": report.attendance,
        "cost": report.cost,
        "new": report.new,
        "already_registered": report.already,
        "cost_per_new": report.cost_per_new,
        "still_covered": {f"{s.months}_months": s.count for s in report.still_covered()},
        "by_event": [yield_as_dict(item) for item in report.yields],
    }
