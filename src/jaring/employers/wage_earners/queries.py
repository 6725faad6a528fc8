"""Segments at a date: a participant's segment and history, and the registered and active participants
counted by segment on any day (docs/architecture.md, "Segments over time").

Registered participants by segment come from the tallies alone: the registrations (in the segment each
was made in) and the moves between segments that employments make (``moved``), summed up to the day.
Active participants of a month come from the coverage deltas (counted in the segment of registration),
corrected by one read of the employments running in that month: a covered participant whose segment of
the month is not the one they were registered in is moved to it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum

from jaring.common.clock import local_date
from jaring.contributions.models import CoverageRun
from jaring.employers.models import Employment
from jaring.members.models import Participant
from jaring.rules.months import Month
from jaring.rules.segments import BPU, PU, employed_stretches, home_segment, segment_in
from jaring.tallies.models import CoverageDelta, Tally
from jaring.tallies.writer import DIED, MOVED, REGISTERED


def employments_of(participant: Participant) -> list[Employment]:
    """The participant's jobs, oldest first, with their employers."""
    return list(participant.employments.select_related("employer").order_by("first_month", "id"))


def segment_on(
    participant: Participant, day: date, employments: list[Employment] | None = None
) -> str | None:
    """The participant's segment on ``day``: None before they were registered."""
    if day < local_date(participant.registered_at):
        return None
    if employments is None:
        employments = employments_of(participant)
    stretches = [(job.first_month, job.last_month) for job in employments]
    return segment_in(Month.from_date(day), participant.segment, stretches)


@dataclass(frozen=True)
class SegmentSpell:
    """A run of months in one segment: ``last`` None while it lasts."""

    segment: str
    first: Month
    last: Month | None


def segment_history(
    participant: Participant, employments: list[Employment] | None = None
) -> list[SegmentSpell]:
    """The participant's segments month by month from the month of registration, as spells."""
    if employments is None:
        employments = employments_of(participant)
    start = Month.from_date(local_date(participant.registered_at))
    home = home_segment(participant.segment)
    runs = employed_stretches((job.first_month, job.last_month) for job in employments)
    spells: list[SegmentSpell] = []
    cursor: Month | None = start
    for first, last in runs:
        if last is not None and last < start:
            continue
        first = max(first, start)
        if cursor is not None and first > cursor:
            spells.append(SegmentSpell(home, cursor, first - 1))
        spells.append(SegmentSpell(PU, first, last))
        cursor = None if last is None else last + 1
    if cursor is not None:
        spells.append(SegmentSpell(home, cursor, None))
    return spells


@dataclass(frozen=True)
class SegmentCount:
    segment: str
    registered: int
    active: int


def _employed_in(month: Month):
    return Employment.objects.filter(
        Q(last_month__isnull=True) | Q(last_month__gte=month), first_month__lte=month
    )


def segment_counts(day: date) -> list[SegmentCount]:
    """Registered participants on ``day`` and active ones in its month, by segment.

    Registered: the registration and ``moved`` tallies up to the day, less the deaths. Active: the
    coverage deltas up to the month (each participant in the segment they were registered in), and the
    covered participants whose segment of the month differs moved to it: those employed in the month
    but registered in another segment to PU; those registered as wage earners but employed by nobody in
    the month to BPU. That correction reads the employments running in the month (index
    ``employment_months``) beside the month's coverage runs."""
    month = Month.from_date(day)
    registered: dict[str, int] = defaultdict(int)
    for segment, count in (
        Tally.objects.filter(kind__in=[REGISTERED, MOVED, DIED], day__lte=day)
        .values_list("segment")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        registered[segment] += count or 0
    active: dict[str, int] = defaultdict(int)
    for segment, count in (
        CoverageDelta.objects.filter(month__lte=month)
        .values_list("segment")
        .annotate(n=Sum("delta"))
        .order_by()
    ):
        active[segment] += count or 0
    covered = CoverageRun.objects.filter(first_month__lte=month, last_month__gte=month)
    employed = _employed_in(month).values("participant_id")
    into_pu = (
        covered.filter(participant_id__in=employed)
        .exclude(participant__segment=PU)
        .values_list("participant__segment")
        .annotate(n=Count("id"))
        .order_by()
    )
    for segment, count in into_pu:
        active[segment] -= count
        active[PU] += count
    out_of_pu = covered.filter(participant__segment=PU).exclude(participant_id__in=employed).count()
    active[PU] -= out_of_pu
    active[BPU] += out_of_pu
    segments = [choice for choice, _label in Participant.Segment.choices]
    segments += sorted((set(registered) | set(active)) - set(segments))
    return [SegmentCount(segment, registered.get(segment, 0), active.get(segment, 0)) for segment in segments]
