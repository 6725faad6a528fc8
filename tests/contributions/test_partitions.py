"""The ledger by month: on PostgreSQL the payments (and tallies, coverage deltas, audit trail) are
partitioned by month, and what must be unique across months (a reference within its source, one
reversal per entry) is kept by the ledger keys; SQLite runs the same code unpartitioned."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jaring.accounts.audit import Actor
from jaring.accounts.models import AuditEntry
from jaring.common.bulk import insert_values
from jaring.common.clock import local_date, month_of
from jaring.common.partitions import (
    BY_TABLE,
    PARTITIONED,
    is_partitioned,
    partitions_detach,
    partitions_ensure,
    partitions_of,
)
from jaring.contributions.models import LedgerKey, Payment
from jaring.contributions.services import payment_quote, payment_record, payment_reverse, statuses_refresh
from jaring.rules.months import Month

LEDGER = BY_TABLE["contributions_payment"]
TWO_YEARS = 730


def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")


def paid(worker, key: str, days_ago: int) -> Payment:
    """A month paid ``days_ago`` days ago at its price, recorded as the operator records history."""
    at = timezone.now() - timedelta(days=days_ago)
    _months, price = payment_quote(worker, months=1, at=at)
    return payment_record(
        participant=worker, months=1, amount=price.total, source="outlet:POS-KRW", idempotency_key=key,
        paid_at=at, history_allowed=True,
    ).payment  # fmt: skip


def partition_holding(payment: Payment) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM contributions_payment WHERE id = %s", [payment.pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def worker(register):
    return register(registered_at=timezone.now() - timedelta(days=2 * TWO_YEARS))


@pytest.mark.django_db
def test_each_growing_table_is_partitioned_by_month_with_this_and_next_months_partitions():
    on_postgresql()
    this_month = month_of()
    for spec in PARTITIONED:
        assert is_partitioned(spec.table), spec.table
        partitions = partitions_of(spec.table)
        assert {spec.partition(this_month), spec.partition(this_month + 1), spec.default} <= set(partitions)


@pytest.mark.django_db
def test_sqlite_keeps_plain_tables_and_the_partition_jobs_do_nothing():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's behaviour")
    assert not is_partitioned("contributions_payment")
    assert partitions_ensure(through=month_of() + 12) == []


@pytest.mark.django_db
def test_a_retry_of_a_payment_recorded_in_last_months_partition_is_recognised(worker):
    last_month = month_of() - 1
    first = paid(worker, "KRW-0001", days_ago=local_date().day + 3)  # a day of last month
    partitions_ensure(through=month_of() + 1, since=last_month)
    if connection.vendor == "postgresql":
        assert partition_holding(first) == LEDGER.partition(last_month)

    again = payment_record(
        participant=worker, months=1, amount=first.amount, source="outlet:POS-KRW",
        idempotency_key="KRW-0001", paid_at=first.paid_at, history_allowed=True,
    )  # fmt: skip

    assert not again.created and again.payment.pk == first.pk
    assert Payment.objects.filter(participant=worker).count() == 1
    assert LedgerKey.objects.get(source="outlet:POS-KRW", key="KRW-0001").payment_id == first.pk


@pytest.mark.django_db
def test_the_same_reference_from_the_same_source_cannot_be_written_twice_in_any_month(worker):
    first = paid(worker, "KRW-0002", days_ago=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_values(
            LedgerKey, ("source", "key", "payment_id", "fingerprint"), [("outlet:POS-KRW", "KRW-0002", 1, "")]
        )
    assert LedgerKey.objects.get(source="outlet:POS-KRW", key="KRW-0002").payment_id == first.pk


@pytest.mark.django_db
def test_an_entry_is_reversed_once_whatever_the_month_of_the_reversals(worker):
    payment = paid(worker, "KRW-0003", days_ago=40)
    reversal = payment_reverse(
        payment=payment, reason="double entry", source="t", idempotency_key="r-1"
    ).payment
    assert LedgerKey.objects.get(source=LedgerKey.REVERSED, key=str(payment.pk)).payment_id == reversal.pk

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_values(
            LedgerKey,
            ("source", "key", "payment_id", "fingerprint"),
            [(LedgerKey.REVERSED, str(payment.pk), reversal.pk + 1, "")],
        )


@pytest.mark.django_db
def test_a_payment_dated_before_every_partition_lands_in_the_default_and_moves_when_its_month_is_made(worker):
    on_postgresql()
    old = paid(worker, "KRW-0004", days_ago=TWO_YEARS)
    month = Month.from_date(local_date(old.paid_at))
    assert partition_holding(old) == LEDGER.default

    made = partitions_ensure(through=month, since=month)

    assert LEDGER.partition(month) in made
    assert partition_holding(old) == LEDGER.partition(month)
    assert Payment.objects.get(pk=old.pk).amount == old.amount


@pytest.mark.django_db
def test_the_month_end_run_makes_the_partitions_of_the_next_months():
    on_postgresql()
    ahead = month_of() + 2
    assert LEDGER.partition(ahead) not in partitions_of(LEDGER.table)

    statuses_refresh(today=local_date())

    for spec in PARTITIONED:
        assert spec.partition(ahead) in partitions_of(spec.table)


@pytest.mark.django_db
def test_old_months_are_detached_from_the_ledger_and_the_detaching_is_audited(worker):
    on_postgresql()
    old = paid(worker, "KRW-0005", days_ago=TWO_YEARS)
    month = Month.from_date(local_date(old.paid_at))
    partitions_ensure(through=month, since=month)

    detached = partitions_detach(before=month + 1, actor=Actor.cli())

    assert LEDGER.partition(month) in detached
    assert not Payment.objects.filter(pk=old.pk).exists()
    assert LEDGER.partition(month) not in partitions_of(LEDGER.table)
    assert AuditEntry.objects.filter(summary__contains=LEDGER.partition(month)).exists()


@pytest.mark.django_db
def test_the_command_line_lists_the_partitions_and_makes_months_ahead():
    out = io.StringIO()
    call_command("partitions", "list", stdout=out)
    if connection.vendor != "postgresql":
        assert "contributions_payment: not partitioned" in out.getvalue()
        return
    assert LEDGER.partition(month_of()) in out.getvalue()

    out = io.StringIO()
    call_command("partitions", "ensure", "--through", str(month_of() + 6), stdout=out)

    assert LEDGER.partition(month_of() + 6) in out.getvalue()
    assert LEDGER.partition(month_of() + 6) in partitions_of(LEDGER.table)


@pytest.mark.django_db
def test_detaching_needs_the_month_before_which_partitions_go():
    with pytest.raises(CommandError, match="--before"):
        call_command("partitions", "detach")
    with pytest.raises(CommandError, match="--before"):
        call_command("partitions", "detach", "--before", "2020-13")
