from datetime import date

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import jakarta

from jaring.contributions.models import Bill, CoverageRun, GroupMembership, Payer, PayerGroup, Payment
from jaring.contributions.queries import participant_status
from jaring.contributions.services import (
    bill_issue,
    bill_pay,
    deposit_record,
    payment_record,
    payment_reverse,
    statuses_refresh,
)
from jaring.members.models import Participant
from jaring.rules.months import Month


def pay(worker, months, amount, key, when):
    return payment_record(
        history_allowed=True,
        participant=worker,
        months=months,
        amount=amount,
        source="t",
        idempotency_key=key,
        paid_at=when,
    ).payment


def test_arrears_are_paid_first_each_month_at_its_own_rate(register):
    # Paid through 2020-06; in 2020-09 three months are unpaid (arrears) and a 3-month payment buys
    # 2020-07 at the full rate and 2020-08, 2020-09 at the PP 49/2020 cut rate.
    worker = register(registered_at=jakarta(2020, 6, 1))
    pay(worker, 1, 16_800, "jun", jakarta(2020, 6, 1))
    payment = pay(worker, 3, 16_800 + 168 + 168, "sep", jakarta(2020, 9, 10))
    assert payment.first_month == Month.of(2020, 7)
    assert [m["total"] for m in payment.breakdown] == [16_800, 168, 168]


def test_reversal_is_a_new_entry_and_takes_the_months_out_of_coverage(register):
    worker = register(registered_at=jakarta(2024, 1, 5))
    pay(worker, 1, 16_800, "jan", jakarta(2024, 1, 5))
    feb = pay(worker, 3, 50_400, "feb", jakarta(2024, 2, 5))
    reversal = payment_reverse(payment=feb, reason="double entry", source="t", idempotency_key="rev").payment
    assert reversal.amount == -50_400 and reversal.reverses == feb
    assert Payment.objects.filter(participant=worker).count() == 3
    worker.refresh_from_db()
    assert worker.standing.paid_through == Month.of(2024, 1)
    assert list(CoverageRun.objects.filter(participant=worker).values_list("first_month", "last_month")) == [
        (Month.of(2024, 1), Month.of(2024, 1))
    ]
    with pytest.raises(ValidationError):
        payment_reverse(payment=feb, reason="again", source="t", idempotency_key="rev2")


def test_deposits_accumulate_and_buy_whole_months(register):
    worker = register(registered_at=jakarta(2024, 3, 1))
    for day in range(1, 8):  # Rp3,000 a day for a week: one month bought on day 6, Rp4,200 left
        result = deposit_record(
            history_allowed=True,
            participant=worker,
            amount=3_000,
            source="market",
            idempotency_key=f"d{day}",
            collected_at=jakarta(2024, 3, day),
        )
    worker.refresh_from_db()
    assert worker.standing.deposit_balance == 21_000 - 16_800
    bought = Payment.objects.filter(participant=worker, kind="deposit")
    assert [p.first_month for p in bought] == [Month.of(2024, 3)]
    retry = deposit_record(
        history_allowed=True,
        participant=worker,
        amount=3_000,
        source="market",
        idempotency_key="d7",
        collected_at=jakarta(2024, 3, 7),
    )
    assert not retry.created and retry.deposit.pk == result.deposit.pk
    worker.refresh_from_db()
    assert worker.standing.deposit_balance == 4_200


def test_a_payer_bill_covers_every_member_for_the_month_outside_the_pp50_cut(world, register):
    payer = Payer.objects.create(
        code="DKI", name="Pemprov DKI Jakarta", kind=Payer.Kind.APBD, outlet=world.pos_karawang
    )
    group = PayerGroup.objects.create(payer=payer, code="PPSU", name="PPSU")
    members = [register(registered_at=jakarta(2025, 9, 1), occupation_code="PPSU") for _ in range(3)]
    for member in members:
        GroupMembership.objects.create(group=group, participant=member, first_month=Month.of(2025, 9))
    bill = bill_issue(payer=payer, month=Month.of(2025, 10))
    # PP 50/2025 halves JKK+JKM for workers in its window, but not when the APBD pays.
    assert bill.amount == 3 * 16_800 and bill.lines.count() == 3
    assert bill_issue(payer=payer, month=Month.of(2025, 10)).pk == bill.pk
    bill_pay(bill=bill, paid_at=jakarta(2025, 10, 5), history_allowed=True)
    bill_pay(bill=bill, paid_at=jakarta(2025, 10, 5), history_allowed=True)  # paying again adds nothing
    assert Payment.objects.filter(bill=bill).count() == 3
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.PAID
    for member in members:
        assert participant_status(member, as_of=date(2025, 10, 20)).standing == "active"


def test_month_end_run_marks_lapses_set_based(register):
    paid = register(registered_at=jakarta(2024, 1, 5))
    pay(paid, 1, 16_800, "a", jakarta(2024, 1, 5))
    ahead = register(registered_at=jakarta(2024, 1, 5))
    pay(ahead, 12, 12 * 16_800, "b", jakarta(2024, 1, 5))
    late = register(registered_at=jakarta(2024, 3, 5))
    pay(late, 1, 16_800, "c", jakarta(2024, 3, 5))
    never = register(registered_at=jakarta(2024, 4, 5))
    counts = statuses_refresh(today=date(2024, 5, 20))
    statuses = dict(Participant.objects.values_list("pk", "standing__status"))
    assert statuses[paid.pk] == "lapsed"  # Feb..May unpaid: 4 months
    assert statuses[ahead.pk] == "active"
    assert statuses[late.pk] == "arrears"  # Apr, May unpaid
    assert statuses[never.pk] == "new"
    assert counts["lapsed"] == 1 and counts["active"] == 1
    statuses_refresh(today=date(2024, 8, 20))
    assert Participant.objects.get(pk=never.pk).standing.status == "lapsed"


def test_payment_months_must_be_one_three_six_or_twelve(register):
    worker = register(registered_at=jakarta(2024, 1, 5))
    with pytest.raises(ValidationError) as error:
        pay(worker, 2, 33_600, "x", jakarta(2024, 1, 5))
    assert "months" in error.value.message_dict
