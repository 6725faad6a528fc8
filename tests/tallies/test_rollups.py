"""The monthly roll-ups of the tallies: written beside the daily rows, read for whole months, checked by
``tallies verify``."""

from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Max, Sum
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import jakarta

from jaring.contributions.services import payment_record
from jaring.monitoring import readings
from jaring.monitoring.readings import NEW_REGISTRATIONS, Window
from jaring.rules.months import Month
from jaring.tallies.models import CoverageDelta, OfficeMonth, OutletMonth, Tally
from jaring.tallies.verify import tallies_verify
from jaring.tallies.writer import COVERED, LAST_DAY_KINDS, TallyBatch, Who

days = st.dates(date(2023, 1, 1), date(2026, 12, 31))


def _each_day(first: date, last: date):
    while first <= last:
        yield first
        first += timedelta(days=1)


@given(start=st.one_of(st.none(), days), through=days)
def test_a_window_holds_each_of_its_days_once_in_a_whole_month_or_a_day_range(start, through):
    window = Window.of(start, through)
    lowest = start or date(2022, 1, 1)  # "since the beginning", looked at from a day well before
    held: Counter = Counter()
    if window.last is not None:
        month = window.first or Month.from_date(lowest)
        assert window.first is None or window.first.first_day() >= lowest
        while month <= window.last:
            held.update(_each_day(month.first_day(), month.last_day()))
            month += 1
    for first, last in window.days:
        held.update(_each_day(first, last))
    assert held == Counter(_each_day(lowest, through))
    assert len(window.days) <= 2


tally_rows = st.lists(
    st.tuples(
        st.sampled_from(["registered", "paid", "first_paid"]),
        days,
        st.integers(0, 3),  # outlet
        st.integers(0, 3),  # agent
        st.integers(0, 2),  # office
        st.integers(-3, 5),
        st.integers(-50_000, 90_000),
    ),
    max_size=40,
)


@given(rows=tally_rows, deltas=st.lists(st.tuples(days, st.integers(0, 2), st.integers(-2, 2)), max_size=20))
def test_the_rollups_of_a_batch_sum_its_days_by_month(rows, deltas):
    batch = TallyBatch()
    for kind, day, outlet, agent, office, count, amount in rows:
        batch.add(kind, day, Who(office, outlet, agent, "pos", "BPU"), count=count, amount=amount)
    for day, office, delta in deltas:
        batch.deltas[(Month.from_date(day), Who(office, office + 1, 0, "pos", "BPU"))] += delta
    offices, outlets = batch.rollups()
    by_office: Counter = Counter()
    by_outlet: Counter = Counter()
    last_days: dict[tuple, date] = {}
    for (kind, day, outlet, _agent, office, _channel, _segment), (count, amount) in batch.tallies.items():
        month = Month.from_date(day).index
        if count > 0 and kind in LAST_DAY_KINDS:  # the kinds whose daily counts never go down
            key = (kind, month, outlet, office)
            last_days[key] = max(last_days.get(key, day), day)
        by_office[kind, month, office, "n"] += count
        by_office[kind, month, office, "rp"] += amount
        by_outlet[kind, month, outlet, office, "n"] += count
        by_outlet[kind, month, outlet, office, "rp"] += amount
    for (month, who), delta in batch.deltas.items():
        by_office[COVERED, month.index, who.office_id, "n"] += delta
        by_outlet[COVERED, month.index, who.outlet_id, who.office_id, "n"] += delta
    written_office: Counter = Counter()
    for kind, month, office, _channel, _segment, count, amount in offices:
        assert count or amount
        written_office[kind, month, office, "n"] += count
        written_office[kind, month, office, "rp"] += amount
    written_outlet: Counter = Counter()
    for kind, month, outlet, office, _channel, _segment, count, amount, last_day in outlets:
        written_outlet[kind, month, outlet, office, "n"] += count
        written_outlet[kind, month, outlet, office, "rp"] += amount
        # the latest day of the month with a positive count (a contest's tie-break reads it)
        assert last_day == last_days.get((kind, month, outlet, office))
    assert +written_office == +by_office and -written_office == -by_office
    assert +written_outlet == +by_outlet and -written_outlet == -by_outlet


@pytest.fixture
def history(world, register):
    """Registrations and payments spread over three months, at two outlets and by an agent."""
    for day, outlet, agent in (
        (jakarta(2024, 1, 3), world.pos_karawang, None),
        (jakarta(2024, 1, 20), world.bank_karawang, None),
        (jakarta(2024, 2, 14), world.pos_karawang, world.agent),
        (jakarta(2024, 3, 1), world.bank_karawang, None),
        (jakarta(2024, 3, 28), world.pos_karawang, None),
    ):
        worker = register(registered_at=day, outlet=outlet, **({"agent": agent} if agent else {}))
        payment_record(
            history_allowed=True,
            participant=worker,
            months=1,
            amount=16_800,
            source="t",
            idempotency_key=f"{worker.nik}",
            paid_at=day + timedelta(days=2),
            outlet=outlet,
        )
    return world


def _daily(kind: str, field: str, by: str, first: date | None, last: date) -> dict:
    rows = Tally.objects.filter(kind=kind, day__lte=last)
    if first is not None:
        rows = rows.filter(day__gte=first)
    return {k: v for k, v in rows.values_list(by).annotate(Sum(field)).order_by() if v}


WINDOWS = [
    (date(2024, 1, 1), date(2024, 3, 31)),  # whole months only
    (date(2024, 1, 15), date(2024, 3, 10)),  # a month between two part months
    (date(2024, 1, 4), date(2024, 1, 25)),  # inside one month
    (date(2024, 2, 1), date(2024, 3, 29)),
]


@pytest.mark.parametrize("start, through", WINDOWS)
@pytest.mark.parametrize("by", ["office_id", "outlet_id", "agent_id"])
def test_the_reads_through_the_rollups_sum_what_the_days_sum(history, start, through, by):
    flows = readings.flows_by(start, through, by=by)
    registered = _daily("registered", "count", by, None, through)
    new = _daily("registered", "count", by, start, through)
    collected = _daily("paid", "amount", by, start, through)
    assert {k: f.registered for k, f in flows.items() if f.registered} == registered
    assert {k: f.new for k, f in flows.items() if f.new} == new
    assert {k: f.collected for k, f in flows.items() if f.collected} == collected
    offices = readings.totals_by_office(NEW_REGISTRATIONS, start, through, office_ids=None)
    by_office = _daily("registered", "count", "office_id", start, through)
    assert {k: v for k, v in offices.items() if v} == by_office
    trend = readings.registrations_by_month_and_channel(start, through)
    assert sum(value for _month, _channel, value in trend) == sum(new.values())


@pytest.mark.parametrize("by", ["office_id", "outlet_id", "agent_id"])
def test_active_participants_from_the_rollups_are_the_coverage_deltas_summed(history, by):
    for month in (Month.of(2024, m) for m in (1, 2, 3, 4, 5)):
        deltas = CoverageDelta.objects.filter(month__lte=month).values_list(by).annotate(Sum("delta"))
        from_deltas = {k: v for k, v in deltas.order_by() if v}
        assert {k: v for k, v in readings.active_by(month, by=by).items() if v} == from_deltas
        if by != "office_id":  # one outlet's or one agent's
            for key, value in from_deltas.items():
                assert key == 0 or readings.active_for(month, **{by: key}) == value


def test_a_read_of_whole_months_by_office_never_touches_the_daily_tallies(history):
    with CaptureQueriesContext(connection) as queries:
        flows = readings.flows_by(date(2024, 1, 1), date(2024, 3, 31), by="office_id")
    assert sum(f.new for f in flows.values()) == 5
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "tallies_officemonth" in tables and "monitoring_tally" not in tables


def test_verify_finds_a_rollup_that_drifted_and_rebuild_restores_it(history):
    assert tallies_verify() == []
    OutletMonth.objects.filter(kind="registered").update(count=9)
    OfficeMonth.objects.filter(kind=COVERED).delete()
    found = {difference.what for difference in tallies_verify()}
    assert found == {"outlet_month", "office_month"}
    with pytest.raises(CommandError):
        call_command("tallies", "verify", stdout=StringIO())
    call_command("tallies", "rebuild", stdout=StringIO())
    assert tallies_verify() == []


@pytest.mark.parametrize("start, through", [*WINDOWS, (date(2024, 1, 1), date(2024, 3, 15))])
def test_the_day_each_outlet_reached_its_registrations_is_its_last_registration_day(history, start, through):
    totals = _daily("registered", "count", "outlet_id", start, through)
    rows = Tally.objects.filter(kind="registered", day__gte=start, day__lte=through, count__gt=0)
    last = {pk: day for pk, day in rows.values_list("outlet_id").annotate(Max("day")).order_by()}
    reached = readings.reached_by_outlet(NEW_REGISTRATIONS, start, through, totals={**totals, 999: 0})
    assert reached == {**last, 999: None}


def _stored(model, *place: str, latest: tuple[str, ...] = ()) -> set[tuple]:
    """A roll-up's rows as ``TallyBatch.rollups`` gives them (the month as its index, a day as a date)."""
    columns = (*place, "channel", "segment", "count", "amount", *latest)
    rows = model.objects.values_list("kind", "month", *columns)
    return {
        (
            row[0],
            row[1].index,
            *(_day(v) if k in latest else v for k, v in zip(columns, row[2:], strict=True)),
        )
        for row in rows
    }


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_rollups_from_the_tallies_kept():
    from django.db.migrations.executor import MigrationExecutor

    # 0003 sums the roll-ups from the tallies kept; 0006 adds each outlet month's last counted day.
    before, after = [("tallies", "0002_tallies_partitioned")], [("tallies", "0006_outlet_month_last_day")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    batch = TallyBatch()
    try:
        for kind, day, outlet, agent, office, count, amount in (
            ("registered", date(2024, 1, 3), 1, 0, 2, 2, 0),
            ("registered", date(2024, 1, 30), 1, 7, 2, 1, 0),
            ("paid", date(2024, 2, 1), 3, 0, 2, 1, 16_800),
            ("paid", date(2024, 2, 9), 3, 0, 5, -1, -16_800),
        ):
            old.get_model("tallies", "Tally").objects.create(
                kind=kind, day=day, outlet_id=outlet, agent_id=agent, office_id=office, channel="pos",
                segment="BPU", count=count, amount=amount,
            )  # fmt: skip
            batch.add(kind, day, Who(office, outlet, agent, "pos", "BPU"), count=count, amount=amount)
        for month, outlet, office, delta in ((Month.of(2024, 1), 1, 2, 1), (Month.of(2024, 4), 1, 2, -1)):
            old.get_model("tallies", "CoverageDelta").objects.create(
                month=month, outlet_id=outlet, agent_id=0, office_id=office, channel="pos", segment="BPU",
                delta=delta,
            )  # fmt: skip
            batch.deltas[(month, Who(office, outlet, 0, "pos", "BPU"))] += delta
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        offices, outlets = batch.rollups()
        stored_offices = _stored(OfficeMonth, "office_id")
        stored_outlets = _stored(OutletMonth, "outlet_id", "office_id", latest=("last_day",))
        assert stored_offices == set(offices) and stored_outlets == set(outlets)
        assert ("covered", Month.of(2024, 4).index, 1, 2, "pos", "BPU", -1, 0, None) in stored_outlets
        january = Month.of(2024, 1).index
        assert ("registered", january, 1, 2, "pos", "BPU", 3, 0, date(2024, 1, 30)) in stored_outlets
        # a month whose only day counted down keeps no last day
        assert ("paid", Month.of(2024, 2).index, 3, 5, "pos", "BPU", -1, -16_800, None) in stored_outlets
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_month_so_far_is_read_from_its_rollup_when_nothing_in_it_is_later(history):
    # The last registration is on 28 March, the last payment on 30 March.
    with CaptureQueriesContext(connection) as queries:
        totals = readings.totals_by_office(
            NEW_REGISTRATIONS, date(2024, 1, 1), date(2024, 3, 29), office_ids=None
        )
    assert sum(totals.values()) == 5
    reads = [q["sql"] for q in queries.captured_queries if "SUM" in q["sql"].upper()]
    assert len(reads) == 1 and "tallies_officemonth" in reads[0]
    # A payment on the 30th is later than the 29th: March's roll-up would count it, so the days are read.
    collected = readings.flows_by(date(2024, 3, 1), date(2024, 3, 29), by="office_id")
    assert sum(f.collected for f in collected.values()) == 16_800  # the payment of 3 March only
    assert sum(f.new for f in collected.values()) == 2
