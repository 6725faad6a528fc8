from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from tests.conftest import jakarta

from jaring.contributions.models import GroupMembership, Payer, PayerGroup
from jaring.contributions.services import (
    bill_issue,
    bill_pay,
    deposit_record,
    payment_record,
    payment_reverse,
)
from jaring.imports.services import import_job_for_file, import_run
from jaring.imports.synthetic import registrations_file_write
from jaring.rules.months import Month
from jaring.tallies.models import CoverageDelta, Tally
from jaring.tallies.verify import months_to_verify, tallies_verify


def verify_passes() -> bool:
    call_command("tallies", "verify", stdout=StringIO())
    return True


def test_single_registrations_and_payments_keep_tallies_equal_to_the_facts(world, register):
    worker = register(registered_at=jakarta(2024, 1, 5))
    first = payment_record(
        history_allowed=True,
        participant=worker,
        months=1,
        amount=16_800,
        source="t",
        idempotency_key="a",
        paid_at=jakarta(2024, 1, 5),
        outlet=world.pos_karawang,
    ).payment
    payment_record(
        history_allowed=True,
        participant=worker,
        months=3,
        amount=50_400,
        source="t",
        idempotency_key="b",
        paid_at=jakarta(2024, 2, 5),
        outlet=world.bank_karawang,
    )
    payment_reverse(payment=first, reason="salah input", source="t", idempotency_key="r")
    register(registered_at=jakarta(2024, 1, 6), agent=world.agent)
    assert verify_passes()
    registered = Tally.objects.filter(kind="registered").aggregate(n=Sum("count"))["n"]
    assert registered == 2
    paid = Tally.objects.filter(kind="paid").aggregate(n=Sum("count"), amount=Sum("amount"))
    assert paid == {"n": 1, "amount": 50_400}
    by_outlet = dict(Tally.objects.filter(kind="paid").values_list("outlet_id").annotate(Sum("amount")))
    assert by_outlet == {world.pos_karawang.pk: 0, world.bank_karawang.pk: 50_400}


def test_active_participants_come_from_coverage_deltas(world, register):
    worker = register(registered_at=jakarta(2024, 1, 5))
    payment_record(
        history_allowed=True,
        participant=worker,
        months=3,
        amount=50_400,
        source="t",
        idempotency_key="a",
        paid_at=jakarta(2024, 1, 5),
    )

    def active(month: Month) -> int:
        return CoverageDelta.objects.filter(month__lte=month).aggregate(n=Sum("delta"))["n"] or 0

    assert [active(Month.of(2024, m)) for m in (1, 3, 4)] == [1, 1, 0]


def test_deposits_bills_and_imports_keep_tallies_equal_to_the_facts(world, register, tmp_path):
    saver = register(registered_at=jakarta(2025, 9, 1))
    for day in range(1, 13):
        deposit_record(
            history_allowed=True,
            participant=saver,
            amount=3_000,
            source="m",
            idempotency_key=f"d{day}",
            collected_at=jakarta(2025, 9, day),
        )
    payer = Payer.objects.create(code="DKI", name="DKI", kind="APBD", outlet=world.pos_karawang)
    group = PayerGroup.objects.create(payer=payer, code="PPSU", name="PPSU")
    for _ in range(2):
        member = register(registered_at=jakarta(2025, 9, 1), occupation_code="PPSU")
        GroupMembership.objects.create(group=group, participant=member, first_month=Month.of(2025, 9))
    bill_pay(
        bill=bill_issue(payer=payer, month=Month.of(2025, 10)),
        paid_at=jakarta(2025, 10, 3),
        history_allowed=True,
    )
    path = tmp_path / "w.csv"
    registrations_file_write(path, 300, outlets=["POS-BPN", "POS-KRW"], regencies=["64.71"], bad_every=30)
    import_run(import_job_for_file(path=path, kind="registrations"), chunk_rows=100)
    assert tallies_verify() == []


def test_verify_fails_on_a_difference_and_rebuild_restores(world, register):
    register()
    Tally.objects.update(count=7)
    with pytest.raises(CommandError):
        call_command("tallies", "verify", stdout=StringIO())
    call_command("tallies", "rebuild", stdout=StringIO())
    assert verify_passes()
    assert Tally.objects.get(kind="registered").count == 1


def test_first_paid_counts_a_registration_once_on_its_registration_day(world, register):
    worker = register(registered_at=jakarta(2024, 3, 30))
    for key, when in (("a", jakarta(2024, 4, 2)), ("b", jakarta(2024, 5, 2))):
        payment_record(
            history_allowed=True,
            participant=worker,
            months=1,
            amount=16_800,
            source="t",
            idempotency_key=key,
            paid_at=when,
        )
    first_paid = Tally.objects.get(kind="first_paid")
    assert (first_paid.day, first_paid.count) == (date(2024, 3, 30), 1)


def test_verify_goes_month_by_month_and_finds_a_drift_in_any_month(world, register):
    """Verifying compares one month at a time: a month asked for alone reports only its differences, and
    a stray row in a month with no fact at all (so no roll-up either) is still found."""
    register(registered_at=jakarta(2024, 3, 5))
    register(registered_at=jakarta(2024, 5, 31, 23))  # 31 May in Jakarta, 31 May 16:00 UTC
    assert tallies_verify() == []
    march, may = Month.of(2024, 3), Month.of(2024, 5)
    assert march in months_to_verify() and may in months_to_verify()
    Tally.objects.filter(kind="registered", day=date(2024, 5, 31)).update(count=5)
    Tally.objects.create(kind="registered", day=date(2001, 3, 1), count=1, segment="BPU")
    assert [d.key[1] for d in tallies_verify(months=[march])] == []
    (may_drift,) = [d for d in tallies_verify(months=[may]) if d.what == "tally"]
    assert (may_drift.key[1], may_drift.stored, may_drift.expected) == (date(2024, 5, 31), (5, 0), (1, 0))
    every = tallies_verify()
    assert {d.key[1] for d in every if d.what == "tally"} == {date(2024, 5, 31), date(2001, 3, 1)}
    call_command("tallies", "rebuild", stdout=StringIO())
    assert tallies_verify() == []
