"""Recomputing tallies from the facts: ``jaring tallies verify`` (``tallies.services.tallies_rebuild``
replaces them with ``expected()``). The monthly roll-ups are checked against the roll-up of what the
facts imply, so a roll-up row that drifted from its days is found too. Verifying goes a month at a time
(the facts of the month's days and the stored rows of the month), so a national ledger is checked in the
memory of one month's keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, IntegerField, Sum, Value, When
from django.db.models.functions import TruncDate, TruncMonth

from jaring.common.clock import ZONE
from jaring.contributions.models import CoverageRun, Payment
from jaring.employers.models import Employer, Employment
from jaring.members.models import Participant, ParticipantMerge, Standing
from jaring.rules.months import Month
from jaring.tallies.models import CoverageDelta, OfficeMonth, OutletMonth, Tally
from jaring.tallies.writer import (
    DIED,
    EMPLOYERS,
    FIRST_PAID,
    OFFICE_MONTH_KEY,
    OUTLET_MONTH_KEY,
    REGISTERED,
    TallyBatch,
    Who,
)

_WHO = ("office_id", "outlet_id", "agent_id", "channel", "segment")


def _who(row: dict, prefix: str = "") -> Who:
    return Who(
        row[f"{prefix}office_id"] or 0,
        row[f"{prefix}outlet_id"] or 0,
        row[f"{prefix}agent_id"] or 0,
        row[f"{prefix}channel"] or "",
        row[f"{prefix}segment"] or "",
    )


def expected(month: Month | None = None, *, moves: TallyBatch | None = None) -> TallyBatch:
    """The tallies and deltas the facts imply, computed with GROUP BY queries over participants, the
    ledger, the coverage runs and the employers: of every day (``month`` None), or of the days of
    ``month`` and the deltas of ``month`` only. ``moves`` is the moves between segments computed once
    (``segment_moves_expected``) for a caller that asks month by month."""
    batch = TallyBatch()
    window = _window(month)
    registrations = (
        Participant.objects.filter(**_moments("registered_at", window))
        .annotate(day=TruncDate("registered_at"))
        .values("day", *_WHO)
    )
    for row in registrations.annotate(n=Count("id")).order_by():
        batch.add(REGISTERED, row["day"], _who(row), count=row["n"])
    for row in registrations.filter(standing__paid_through__isnull=False).annotate(n=Count("id")).order_by():
        batch.add(FIRST_PAID, row["day"], _who(row), count=row["n"])
    # a record merged into another is taken out of the registrations on the day of the merge
    merges = ParticipantMerge.objects.filter(**_moments("merged_at", window)).annotate(
        day=TruncDate("merged_at")
    )
    who = tuple(f"absorbed__{name}" for name in _WHO)
    for row in merges.values("day", *who).annotate(n=Count("pk")).order_by():
        batch.add(REGISTERED, row["day"], _who(row, "absorbed__"), count=-row["n"])
    sign = Case(
        When(kind=Payment.Kind.REVERSAL, then=Value(-1)), default=Value(1), output_field=IntegerField()
    )
    payments = (
        Payment.objects.filter(**_moments("paid_at", window))
        .annotate(day=TruncDate("paid_at"))
        .values("day", "outlet_id", "agent_id", "channel", "participant__office_id", "participant__segment")
        .annotate(n=Sum(sign), total=Sum("amount"))
        .order_by()
    )
    for row in payments:
        who = Who(row["participant__office_id"] or 0, 0, 0, "", row["participant__segment"])
        batch.payment(
            row["day"],
            who,
            outlet_id=row["outlet_id"],
            agent_id=row["agent_id"],
            channel=row["channel"],
            count=row["n"],
            amount=row["total"],
        )
    dimensions = tuple(f"participant__{name}" for name in _WHO)
    if month is None:
        starts = ends = CoverageRun.objects.all()
    else:  # the runs whose +1 (first month) or -1 (the month after the last) falls in ``month``
        starts, ends = (
            CoverageRun.objects.filter(first_month=month),
            CoverageRun.objects.filter(last_month=month - 1),
        )
    for runs, column, sign_of in ((starts, "first_month", 1), (ends, "last_month", -1)):
        for row in runs.values(column, *dimensions).annotate(n=Count("id")).order_by():
            at = row[column] if sign_of > 0 else row[column] + 1
            batch.deltas[(at, _who(row, "participant__"))] += sign_of * row["n"]
    if moves is None:
        moves = segment_moves_expected()
    for key, (count, amount) in moves.tallies.items():
        if window is None or window[0] <= _as_day(key[1]) <= window[1]:
            entry = batch.tallies[key]
            entry[0] += count
            entry[1] += amount
    _employers(batch, window)
    deaths = Standing.objects.filter(died_on__isnull=False)
    if window is not None:
        deaths = deaths.filter(died_on__gte=window[0], died_on__lte=window[1])
    who = tuple(f"participant__{name}" for name in _WHO)
    for row in deaths.values("died_on", *who).annotate(n=Count("pk")).order_by():
        batch.add(DIED, row["died_on"], _who(row, "participant__"), count=-row["n"])
    return batch


def _window(month: Month | None) -> tuple[date, date] | None:
    return None if month is None else (month.first_day(), month.last_day())


def _moments(field_name: str, window: tuple[date, date] | None) -> dict:
    """The filter of a moment column to the Jakarta days of ``window`` (none for None)."""
    if window is None:
        return {}
    start = datetime.combine(window[0], time.min, tzinfo=ZONE)
    end = datetime.combine(window[1] + timedelta(days=1), time.min, tzinfo=ZONE)
    return {f"{field_name}__gte": start, f"{field_name}__lt": end}


def _as_day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def segment_moves_expected() -> TallyBatch:
    """The moves between segments every employed participant's employments imply (kind ``moved``)."""
    batch = TallyBatch()
    _segment_moves(batch)
    return batch


def _employers(batch: TallyBatch, window: tuple[date, date] | None = None) -> None:
    """The companies registered, by day and by who registered them."""
    rows = (
        Employer.objects.filter(**_moments("registered_at", window))
        .annotate(day=TruncDate("registered_at"))
        .values("day", "office_id", "outlet_id", "agent_id", "outlet__partner__kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        who = Who.of_employer(
            office_id=row["office_id"],
            outlet_id=row["outlet_id"],
            agent_id=row["agent_id"],
            channel=row["outlet__partner__kind"],
        )
        batch.add(EMPLOYERS, row["day"], who, count=row["n"])


def _segment_moves(batch: TallyBatch) -> None:
    """The moves between segments every employed participant's employments imply: the jobs read in
    participant order with the participant's dimensions beside them, one participant held at a time."""
    jobs = (
        Employment.objects.annotate(day=TruncDate("participant__registered_at"))
        .values_list(
            "participant_id", "first_month", "last_month", "day", *(f"participant__{name}" for name in _WHO)
        )
        .order_by("participant_id", "first_month", "id")
    )
    current, stretches, who, day = None, [], None, None
    for participant_id, first, last, registered_on, *dimensions in jobs.iterator(chunk_size=10_000):
        if participant_id != current:
            if current is not None:
                batch.segments(who, day, None, stretches)
            current, stretches, day = participant_id, [], registered_on
            office, outlet, agent, channel, segment = dimensions
            who = Who(office or 0, outlet or 0, agent or 0, channel or "", segment or "")
        stretches.append((first, last))
    if current is not None:
        batch.segments(who, day, None, stretches)


def _stored(month: Month) -> tuple[dict, dict]:
    """The stored tallies of the days of ``month`` (read kind by kind, along the tallies' key) and its
    coverage deltas."""
    tallies = {}
    first, last = month.first_day(), month.last_day()
    for kind in Tally.Kind.values:
        for row in Tally.objects.filter(kind=kind, day__gte=first, day__lte=last).values_list(
            "kind", "day", "outlet_id", "agent_id", "office_id", "channel", "segment", "count", "amount"
        ):
            tallies[(row[0], _as_day(row[1]), *row[2:7])] = [row[7], row[8]]
    deltas = {}
    for outlet, agent, office, channel, segment, delta in CoverageDelta.objects.filter(
        month=month
    ).values_list("outlet_id", "agent_id", "office_id", "channel", "segment", "delta"):
        deltas[(month, Who(office, outlet, agent, channel, segment))] = delta
    return tallies, deltas


def months_to_verify() -> list[Month]:
    """Every month that holds a fact or a stored tally: the months of the monthly roll-ups and the
    coverage deltas (small tables), of the daily tallies (a row that drifted without its roll-up), and of
    the registrations, payments, coverage runs and companies (one grouped read each)."""
    months: set[Month] = set()
    for model in (OfficeMonth, CoverageDelta):
        months.update(model.objects.values_list("month", flat=True).distinct().order_by())
    for model, column in (
        (Tally, "day"),
        (Participant, "registered_at"),
        (Payment, "paid_at"),
        (Employer, "registered_at"),
        (Standing, "died_on"),
        (ParticipantMerge, "merged_at"),
    ):
        for value in (
            model.objects.annotate(m=TruncMonth(column)).values_list("m", flat=True).distinct().order_by()
        ):
            if value is not None:
                months.add(Month.from_date(value.date() if isinstance(value, datetime) else value))
    for first, last in CoverageRun.objects.values_list("first_month", "last_month").distinct().order_by():
        months.update((first, last + 1))
    return sorted(months)


@dataclass(frozen=True)
class Difference:
    what: str
    key: tuple
    stored: object
    expected: object


def tallies_verify(months: list[Month] | None = None) -> list[Difference]:
    """Every difference between the stored tallies and what the facts imply (empty when all agree), in
    ``months`` (default: every month with a fact or a tally). Compared a month at a time, so what is held
    in memory is one month's keys, whatever the length of the ledger."""
    moves = segment_moves_expected()
    differences = []
    for month in months_to_verify() if months is None else months:
        differences += _month_differences(month, expected(month, moves=moves))
    return sorted(differences, key=lambda d: (d.what, tuple(str(part) for part in d.key)))


def _month_differences(month: Month, batch: TallyBatch) -> list[Difference]:
    tallies, deltas = _stored(month)
    wanted_tallies = {(key[0], _as_day(key[1]), *key[2:]): value for key, value in batch.tallies.items()}
    differences = []
    for key in set(tallies) | set(wanted_tallies):
        have = tuple(tallies.get(key, (0, 0)))
        want = tuple(wanted_tallies.get(key, (0, 0)))
        if have != want:
            differences.append(Difference("tally", key, have, want))
    for key in set(deltas) | set(batch.deltas):
        have, want = deltas.get(key, 0), batch.deltas.get(key, 0)
        if have != want:
            differences.append(Difference("coverage_delta", key, have, want))
    for what, model, key, values, rows in zip(
        ("office_month", "outlet_month"),
        (OfficeMonth, OutletMonth),
        (OFFICE_MONTH_KEY, OUTLET_MONTH_KEY),
        (("count", "amount"), ("count", "amount", "last_day")),
        batch.rollups(),
        strict=True,
    ):
        width = len(key)
        wanted = {tuple(row[:width]): _values(row[width:]) for row in rows}
        stored = {
            (row[0], row[1].index, *row[2:width]): _values(row[width:])
            for row in model.objects.filter(month=month).values_list(*key, *values)
        }
        nothing = (0, 0, None)[: len(values)]
        for one in set(stored) | set(wanted):
            have, want = stored.get(one, nothing), wanted.get(one, nothing)
            if have != want:
                differences.append(Difference(what, one, have, want))
    return differences


def _values(values) -> tuple:
    """A roll-up row's values compared alike whichever side they come from (a day as a date)."""
    return tuple(_as_day(value) if isinstance(value, str) else value for value in values)
