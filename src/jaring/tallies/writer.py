"""Writing tallies beside the facts: the services of registrations and the ledger fill a ``TallyBatch`` and
write it in their transaction.

Writers add to tallies with one grouped upsert (``INSERT ... ON CONFLICT DO UPDATE SET count = count +
excluded.count``, the same SQL on SQLite and PostgreSQL), so a bulk chunk of 5,000 rows costs a handful
of statements, and two transactions adding to one tally row add up instead of overwriting each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from django.db import connection

from jaring.common.rows import as_date
from jaring.rules.coverage import Run
from jaring.rules.months import Month
from jaring.rules.segments import PU, Stretch, segment_moves
from jaring.tallies.models import CoverageDelta, OfficeMonth, OutletMonth, Tally

REGISTERED, FIRST_PAID, PAID = Tally.Kind.REGISTERED.value, Tally.Kind.FIRST_PAID.value, Tally.Kind.PAID.value
MOVED = Tally.Kind.MOVED.value
EMPLOYERS = Tally.Kind.EMPLOYERS.value
DIED = Tally.Kind.DIED.value
COVERED = OfficeMonth.COVERED
OFFICE_MONTH_KEY = ("kind", "month", "office_id", "channel", "segment")
OUTLET_MONTH_KEY = ("kind", "month", "outlet_id", "office_id", "channel", "segment")
_SUMS = ("count", "amount")
# Kept beside the outlet roll-up's sums: the latest day of the month a row of its kind, outlet, office,
# channel and segment counted something (a contest's tie-break: the day an outlet last registered), for
# the kinds whose daily counts never go down, so that the day stays exact (a registration that later
# "first paid" may be taken back by a reversal; a move or a payment may be undone).
_LATEST = ("last_day",)
LAST_DAY_KINDS = frozenset({REGISTERED, EMPLOYERS})


class TableRows(NamedTuple):
    """What a batch adds to one table: its key columns, the columns added up, the columns that keep their
    latest value (``_LATEST``), and the rows (keys, then sums, then latest values)."""

    model: type
    keys: tuple[str, ...]
    sums: tuple[str, ...]
    rows: list[tuple]
    latest: tuple[str, ...] = ()


class Who(NamedTuple):
    """The dimensions a participant is counted under: branch office, acquiring outlet and agent,
    channel, segment (0 for a missing office or agent). A tuple: it keys every tally of a chunk, and a
    tuple is made and hashed in C."""

    office_id: int
    outlet_id: int
    agent_id: int
    channel: str
    segment: str

    @classmethod
    def of(cls, participant) -> Who:
        return cls(
            participant.office_id or 0,
            participant.outlet_id or 0,
            participant.agent_id or 0,
            participant.channel,
            participant.segment,
        )

    @classmethod
    def of_employer(
        cls, *, office_id: int | None, outlet_id: int | None, agent_id: int | None, channel: str | None
    ) -> Who:
        """A company's dimensions: its serving branch, the outlet and agent that registered it and the
        outlet's channel (none for a branch's own registration), in the wage earners' segment."""
        return cls(office_id or 0, outlet_id or 0, agent_id or 0, channel or "", PU)


class TallyBatch:
    """Collects tally and coverage-delta changes of one transaction, then writes them with their monthly
    roll-ups in four statements."""

    def __init__(self) -> None:
        self.tallies: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        self.deltas: dict[tuple, int] = defaultdict(int)
        self._changes: dict[tuple, tuple] = {}
        # What negative counts of the ``LAST_DAY_KINDS`` took off a day (a merged record's registration):
        # a day's last-day mark follows what was counted on it, whatever was taken off it later.
        self._taken_off: dict[tuple, int] = defaultdict(int)

    def add(self, kind: str, day: date, who: Who, *, count: int = 1, amount: int = 0) -> None:
        key = (kind, day, who.outlet_id, who.agent_id, who.office_id, who.channel, who.segment)
        entry = self.tallies[key]
        entry[0] += count
        entry[1] += amount
        if count < 0 and kind in LAST_DAY_KINDS:
            self._taken_off[key] -= count

    def payment(
        self,
        day: date,
        participant: Who,
        *,
        outlet_id: int,
        agent_id: int,
        channel: str,
        count: int,
        amount: int,
    ) -> None:
        """A ledger entry: credited to the collecting outlet and agent, under the participant's office."""
        entry = self.tallies[
            (PAID, day, outlet_id or 0, agent_id or 0, participant.office_id, channel, participant.segment)
        ]
        entry[0] += count
        entry[1] += amount

    def coverage(self, who: Who, old: Iterable[Run], new: Iterable[Run]) -> None:
        """The change of a participant's runs from ``old`` to ``new`` (runs both have are skipped)."""
        old, new = tuple(old), tuple(new)
        # A list's participants share few histories (most pay the same months): each change is worked
        # out once.
        if (changes := self._changes.get((old, new))) is None:
            changes = self._changes[old, new] = _run_changes(old, new)
        deltas = self.deltas
        for month, delta in changes:
            deltas[(month, who)] += delta

    def segments(
        self, who: Who, registered_on: date, old: Iterable[Stretch] | None, new: Iterable[Stretch]
    ) -> None:
        """The moves between segments of a participant registered on ``registered_on`` (in
        ``who.segment``) whose employments went from the ``old`` stretches of months to the ``new``
        ones: what the new moves add and the old ones no longer do. ``old`` is None for a participant
        registered in the same transaction (no move was counted for them)."""
        changes: dict[tuple, int] = defaultdict(int)
        for sign, stretches in ((-1, old), (1, new)):
            if stretches is None:
                continue
            for day, segment, count in segment_moves(registered_on, who.segment, stretches):
                changes[day, segment] += sign * count
        for (day, segment), count in changes.items():
            if count:
                self.add(MOVED, day, who._replace(segment=segment), count=count)

    def write(self) -> None:
        for table in self.rows():
            _upsert(table.model._meta.db_table, table.keys, table.sums, table.rows, table.latest)
        self.tallies.clear()
        self.deltas.clear()

    def rows(self) -> list[TableRows]:
        """What ``write`` adds, table by table, rows that add up to nothing left out."""
        tallies = [
            (kind, _day(day), *rest, count, amount)
            for (kind, day, *rest), (count, amount) in self.tallies.items()
            if count or amount
        ]
        deltas = [
            (month.index, who.outlet_id, who.agent_id, who.office_id, who.channel, who.segment, delta)
            for (month, who), delta in self.deltas.items()
            if delta
        ]
        offices, outlets = self.rollups()
        return [
            TableRows(
                Tally,
                ("kind", "day", "outlet_id", "agent_id", "office_id", "channel", "segment"),
                _SUMS,
                tallies,
            ),
            TableRows(
                CoverageDelta,
                ("month", "outlet_id", "agent_id", "office_id", "channel", "segment"),
                ("delta",),
                deltas,
            ),
            TableRows(OfficeMonth, OFFICE_MONTH_KEY, _SUMS, offices),
            TableRows(
                OutletMonth,
                OUTLET_MONTH_KEY,
                _SUMS,
                [(*row[:-1], None if row[-1] is None else _day(row[-1])) for row in outlets],
                _LATEST,
            ),
        ]

    def rollups(self) -> tuple[list[tuple], list[tuple]]:
        """The batch summed by month: ``OfficeMonth`` rows (``OFFICE_MONTH_KEY``, count, amount) and
        ``OutletMonth`` rows (``OUTLET_MONTH_KEY``, count, amount, last day), the coverage deltas in both as
        the kind ``covered``; rows that add up to nothing left out. The last day is the latest day of the
        month with a positive count, for the ``LAST_DAY_KINDS`` (None for the others)."""
        offices: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        outlets: dict[tuple, list] = defaultdict(lambda: [0, 0, None])
        months: dict[date, int] = {}
        taken_off = self._taken_off
        for key, (count, amount) in self.tallies.items():
            kind, day, outlet_id, _agent, office_id, channel, segment = key
            if (month := months.get(day)) is None:
                month = months[day] = Month.from_date(as_date(day)).index
            office = offices[kind, month, office_id, channel, segment]
            office[0] += count
            office[1] += amount
            outlet = outlets[kind, month, outlet_id, office_id, channel, segment]
            outlet[0] += count
            outlet[1] += amount
            if (
                (count > 0 or (taken_off and count + taken_off.get(key, 0) > 0))
                and kind in LAST_DAY_KINDS
                and (outlet[2] is None or as_date(day) > as_date(outlet[2]))
            ):
                outlet[2] = day
        for (month, who), delta in self.deltas.items():
            offices[COVERED, month.index, who.office_id, who.channel, who.segment][0] += delta
            outlets[COVERED, month.index, who.outlet_id, who.office_id, who.channel, who.segment][0] += delta
        return (
            [(*key, count, amount) for key, (count, amount) in offices.items() if count or amount],
            [
                (*key, count, amount, None if last is None else as_date(last))
                for key, (count, amount, last) in outlets.items()
                if count or amount or last is not None
            ],
        )


def _run_changes(old: tuple[Run, ...], new: tuple[Run, ...]) -> tuple[tuple[Month, int], ...]:
    """The +1/-1 per month that turn ``old`` runs into ``new`` ones (runs both have are skipped)."""
    same = 0
    while same < len(old) and same < len(new) and old[same] == new[same]:
        same += 1
    changes = []
    for run in old[same:]:
        changes += [(run.first, -1), (run.last + 1, 1)]
    for run in new[same:]:
        changes += [(run.first, 1), (run.last + 1, -1)]
    return tuple(changes)


def run_deltas(runs: Iterable[Run]) -> dict[Month, int]:
    """+1 at the first month of each run, -1 at the month after its last."""
    deltas: dict[Month, int] = defaultdict(int)
    for run in runs:
        deltas[run.first] += 1
        deltas[run.last + 1] -= 1
    return deltas


def _day(value: date):
    return value if connection.vendor == "postgresql" else value.isoformat()


def latest_sql(table: str, column: str) -> str:
    """The upsert's ``SET`` for a column that keeps the later of the stored and the new value, NULL
    being none (the same SQL on SQLite, where dates are ISO text, and PostgreSQL)."""
    stored, new = f"{table}.{column}", f"excluded.{column}"
    return (
        f"{column} = CASE WHEN {new} IS NULL OR ({stored} IS NOT NULL AND {stored} >= {new}) "
        f"THEN {stored} ELSE {new} END"
    )


def _upsert(
    table: str, keys: tuple[str, ...], sums: tuple[str, ...], rows: list[tuple], latest: tuple[str, ...] = ()
) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in (*keys, *sums, *latest))
    marks = ", ".join(["%s"] * (len(keys) + len(sums) + len(latest)))
    additions = ", ".join(
        [f"{quote(s)} = {quote(table)}.{quote(s)} + excluded.{quote(s)}" for s in sums]
        + [latest_sql(quote(table), quote(column)) for column in latest]
    )
    sql = (
        f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(quote(key) for key in keys)}) DO UPDATE SET {additions}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, sorted(rows, key=lambda row: tuple(str(part) for part in row[: len(keys)])))
