"""Recomputing tallies from the facts: ``jaring tallies verify`` (``tallies.services.tallies_rebuild``
replaces them with ``expected()``). The monthly roll-ups are checked against the roll-up of what the
facts imply, so a roll-up row that drifted from its days is found too."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Sum, Value, When
from django.db.models.functions import TruncDate

from jaring.contributions.models import CoverageRun, Payment
from jaring.employers.models import Employer, Employment
from jaring.members.models import Participant
from jaring.rules.segments import PU
from jaring.tallies.models import CoverageDelta, OfficeMonth, OutletMonth, Tally
from jaring.tallies.writer import (
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


def expected() -> TallyBatch:
    """The tallies and deltas the facts imply, computed with GROUP BY queries over participants, the
    ledger and the coverage runs."""
    batch = TallyBatch()
    registrations = Participant.objects.annotate(day=TruncDate("registered_at")).values("day", *_WHO)
    for row in registrations.annotate(n=Count("id")).order_by():
        batch.add(REGISTERED, row["day"], _who(row), count=row["n"])
    for row in registrations.filter(standing__paid_through__isnull=False).annotate(n=Count("id")).order_by():
        batch.add(FIRST_PAID, row["day"], _who(row), count=row["n"])
    sign = Case(
        When(kind=Payment.Kind.REVERSAL, then=Value(-1)), default=Value(1), output_field=IntegerField()
    )
    payments = (
        Payment.objects.annotate(day=TruncDate("paid_at"))
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
    runs = (
        CoverageRun.objects.values("first_month", "last_month", *(f"participant__{name}" for name in _WHO))
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in runs:
        who = _who(row, "participant__")
        batch.deltas[(row["first_month"], who)] += row["n"]
        batch.deltas[(row["last_month"] + 1, who)] -= row["n"]
    _segment_moves(batch)
    _employers(batch)
    return batch


def _employers(batch: TallyBatch) -> None:
    """The companies registered, by day and by who registered them."""
    rows = (
        Employer.objects.annotate(day=TruncDate("registered_at"))
        .values("day", "office_id", "outlet_id", "agent_id", "outlet__partner__kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        who = Who(
            row["office_id"] or 0,
            row["outlet_id"] or 0,
            row["agent_id"] or 0,
            row["outlet__partner__kind"] or "",
            PU,
        )
        batch.add(EMPLOYERS, row["day"], who, count=row["n"])


def _segment_moves(batch: TallyBatch) -> None:
    """The moves between segments every employed participant's employments imply."""
    stretches: dict[int, list] = defaultdict(list)
    for participant_id, first, last in Employment.objects.values_list(
        "participant_id", "first_month", "last_month"
    ).order_by():
        stretches[participant_id].append((first, last))
    if not stretches:
        return
    employed = (
        Participant.objects.filter(employments__isnull=False)
        .distinct()
        .annotate(day=TruncDate("registered_at"))
        .values("id", "day", *_WHO)
        .order_by()
    )
    for row in employed:
        batch.segments(_who(row), row["day"], None, stretches[row["id"]])


def _stored() -> tuple[dict, dict]:
    tallies = {
        (row[0], row[1], row[2], row[3], row[4], row[5], row[6]): [row[7], row[8]]
        for row in Tally.objects.values_list(
            "kind", "day", "outlet_id", "agent_id", "office_id", "channel", "segment", "count", "amount"
        )
    }
    deltas = {}
    for month, outlet, agent, office, channel, segment, delta in CoverageDelta.objects.values_list(
        "month", "outlet_id", "agent_id", "office_id", "channel", "segment", "delta"
    ):
        deltas[(month, Who(office, outlet, agent, channel, segment))] = delta
    return tallies, deltas


@dataclass(frozen=True)
class Difference:
    what: str
    key: tuple
    stored: object
    expected: object


def tallies_verify() -> list[Difference]:
    """Every difference between the stored tallies and what the facts imply (empty when all agree)."""
    batch = expected()
    tallies, deltas = _stored()
    differences = []
    for key in set(tallies) | set(batch.tallies):
        have = tuple(tallies.get(key, (0, 0)))
        want = tuple(batch.tallies.get(key, (0, 0)))
        if have != want:
            differences.append(Difference("tally", key, have, want))
    for key in set(deltas) | set(batch.deltas):
        have, want = deltas.get(key, 0), batch.deltas.get(key, 0)
        if have != want:
            differences.append(Difference("coverage_delta", key, have, want))
    for what, model, key, rows in zip(
        ("office_month", "outlet_month"),
        (OfficeMonth, OutletMonth),
        (OFFICE_MONTH_KEY, OUTLET_MONTH_KEY),
        batch.rollups(),
        strict=True,
    ):
        wanted = {tuple(row[:-2]): tuple(row[-2:]) for row in rows}
        stored = {
            (row[0], row[1].index, *row[2:-2]): tuple(row[-2:])
            for row in model.objects.values_list(*key, "count", "amount")
        }
        for one in set(stored) | set(wanted):
            have, want = stored.get(one, (0, 0)), wanted.get(one, (0, 0))
            if have != want:
                differences.append(Difference(what, one, have, want))
    return sorted(differences, key=lambda d: (d.what, tuple(str(part) for part in d.key)))
