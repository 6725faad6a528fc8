"""Back-dating reversals and bill payments: as for payments, deposits and registrations, only a caller who
may state history dates one before the grace window for late records (the coverage policy's
``late_record_days``); otherwise it is refused as ``too_old`` and nothing is written, so closed days keep
their figures. Accepted history is audited; a date within the window is accepted from anyone."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jaring.accounts.audit import Actor
from jaring.accounts.models import AuditEntry
from jaring.common.clock import local_date
from jaring.contributions.models import Bill, GroupMembership, Payer, PayerGroup, Payment
from jaring.contributions.services import (
    bill_issue,
    bill_pay,
    ledger_record,
    payment_quote,
    payment_record,
    payment_reverse,
)
from jaring.contributions.services.checks import ReversalRequest
from jaring.rules.months import Month

A_YEAR_AGO = 365
YESTERDAY = 1


def moment(days_ago: int):
    return timezone.now() - timedelta(days=days_ago)


@pytest.fixture
def worker(register):
    """A worker registered two years ago (by the operator)."""
    return register(registered_at=moment(2 * A_YEAR_AGO))


def paid(worker, key: str, days_ago: int) -> Payment:
    """A month paid ``days_ago`` days ago, at its price, recorded as the operator records history."""
    _months, price = payment_quote(worker, months=1, at=moment(days_ago))
    return payment_record(
        participant=worker, months=1, amount=price.total, source="t", idempotency_key=key,
        paid_at=moment(days_ago), history_allowed=True,
    ).payment  # fmt: skip


def reverse(payment: Payment, key: str, days_ago: int, **options):
    return payment_reverse(
        payment=payment, reason="double entry", source="t", idempotency_key=key,
        reversed_at=moment(days_ago), **options,
    )  # fmt: skip


def test_a_reversal_dated_a_year_back_is_refused_for_a_caller_who_may_not_state_history(worker):
    payment = paid(worker, "p-1", A_YEAR_AGO)
    with pytest.raises(ValidationError) as refused:
        reverse(payment, "r-1", A_YEAR_AGO)
    assert refused.value.error_dict["reversed_at"][0].code == "too_old"
    assert not Payment.objects.filter(kind=Payment.Kind.REVERSAL).exists()
    worker.refresh_from_db()
    assert worker.standing.paid_through == Month.from_date(local_date(moment(A_YEAR_AGO)))


def test_the_operator_may_date_a_reversal_a_year_back_and_it_is_audited_as_history(worker):
    payment = paid(worker, "p-1", A_YEAR_AGO)
    reversal = reverse(payment, "r-1", A_YEAR_AGO, history_allowed=True, actor=Actor.cli()).payment
    assert reversal.reverses_id == payment.pk and reversal.amount == -payment.amount
    entry = AuditEntry.objects.get(object_type="contributions.payment", object_id=str(reversal.pk))
    assert "with a historical date" in entry.summary and "command line" in entry.username


@pytest.mark.parametrize("history_allowed", [False, True])
def test_a_reversal_dated_yesterday_is_accepted_from_anyone_and_not_audited_as_history(
    worker, history_allowed
):
    payment = paid(worker, "p-1", YESTERDAY)
    reversal = reverse(payment, "r-1", YESTERDAY, history_allowed=history_allowed, actor=Actor.cli()).payment
    assert reversal.reverses_id == payment.pk
    entry = AuditEntry.objects.get(object_type="contributions.payment", object_id=str(reversal.pk))
    assert "historical" not in entry.summary


def test_a_list_of_reversals_refuses_the_one_dated_back_alone(worker):
    old, recent = paid(worker, "p-1", A_YEAR_AGO), paid(worker, "p-2", YESTERDAY)
    common = {"participant": worker.pk, "reason": "double entry", "source": "t"}
    refused, accepted = ledger_record(
        [
            ReversalRequest(payment_id=old.pk, reference="r-1", reversed_at=moment(A_YEAR_AGO), **common),
            ReversalRequest(payment_id=recent.pk, reference="r-2", reversed_at=moment(YESTERDAY), **common),
        ]
    )
    assert [problem.reason for problem in refused] == ["reversed_at:too_old"]
    assert accepted.reverses_id == recent.pk
    reversed_ids = Payment.objects.filter(kind=Payment.Kind.REVERSAL).values_list("reverses_id", flat=True)
    assert list(reversed_ids) == [recent.pk]


def payer_billed(world, worker, days_ago: int, code: str = "DKI") -> Bill:
    """An APBD payer with ``worker`` in its group, billed for the month of ``days_ago`` days ago."""
    payer = Payer.objects.create(code=code, name="Pemprov", kind=Payer.Kind.APBD, outlet=world.pos_karawang)
    group = PayerGroup.objects.create(payer=payer, code="PPSU", name="PPSU")
    month = Month.from_date(local_date(moment(days_ago)))
    GroupMembership.objects.create(group=group, participant=worker, first_month=month)
    return bill_issue(payer=payer, month=month, issued_at=moment(days_ago))


def test_a_bill_paid_a_year_back_is_refused_for_a_caller_who_may_not_state_history(world, worker):
    bill = payer_billed(world, worker, A_YEAR_AGO)
    with pytest.raises(ValidationError) as refused:
        bill_pay(bill=bill, paid_at=moment(A_YEAR_AGO))
    assert refused.value.error_dict["paid_at"][0].code == "too_old"
    assert not Payment.objects.filter(bill=bill).exists()
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.ISSUED


def test_the_operator_may_pay_a_bill_a_year_back_and_it_is_audited_as_history(world, worker):
    bill = payer_billed(world, worker, A_YEAR_AGO)
    bill_pay(bill=bill, paid_at=moment(A_YEAR_AGO), history_allowed=True, actor=Actor.cli())
    assert Payment.objects.filter(bill=bill, participant=worker).count() == 1
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.PAID
    entry = AuditEntry.objects.get(object_type="contributions.bill", object_id=str(bill.pk))
    assert "with a historical date" in entry.summary


@pytest.mark.parametrize("history_allowed", [False, True])
def test_a_bill_paid_yesterday_is_accepted_from_anyone_and_not_audited_as_history(
    world, worker, history_allowed
):
    bill = payer_billed(world, worker, YESTERDAY)
    bill_pay(bill=bill, paid_at=moment(YESTERDAY), history_allowed=history_allowed, actor=Actor.cli())
    assert Payment.objects.filter(bill=bill, participant=worker).count() == 1
    entry = AuditEntry.objects.get(object_type="contributions.bill", object_id=str(bill.pk))
    assert "historical" not in entry.summary
