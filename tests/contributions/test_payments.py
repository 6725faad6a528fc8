from datetime import date

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import jakarta

from jaring.common.errors import IdempotencyConflict
from jaring.contributions.models import Payment
from jaring.contributions.queries import participant_status
from jaring.contributions.services import payment_record
from jaring.rules.months import Month


def test_first_payment_covers_the_registration_month(register):
    worker = register(registered_at=jakarta(2024, 5, 3))
    result = payment_record(
        history_allowed=True,
        participant=worker,
        months=1,
        amount=16_800,
        source="test",
        idempotency_key="r1",
        paid_at=jakarta(2024, 5, 3),
    )
    assert result.created
    assert result.payment.first_month == Month.of(2024, 5)
    worker.refresh_from_db()
    assert worker.standing.paid_through == Month.of(2024, 5)


def test_paying_twice_with_one_idempotency_key_records_one_payment(register):
    worker = register(registered_at=jakarta(2024, 5, 3))
    first = payment_record(participant=worker, months=3, amount=50_400, source="pos", idempotency_key="k")
    again = payment_record(participant=worker, months=3, amount=50_400, source="pos", idempotency_key="k")
    assert not again.created and again.payment.pk == first.payment.pk
    assert Payment.objects.filter(participant=worker).count() == 1


def test_same_key_with_a_different_request_is_refused(register):
    worker = register(registered_at=jakarta(2024, 5, 3))
    payment_record(participant=worker, months=1, amount=16_800, source="pos", idempotency_key="k")
    with pytest.raises(IdempotencyConflict):
        payment_record(participant=worker, months=3, amount=50_400, source="pos", idempotency_key="k")
    assert Payment.objects.count() == 1


def test_amount_must_equal_the_price(register):
    worker = register(registered_at=jakarta(2024, 5, 3))
    with pytest.raises(ValidationError) as error:
        payment_record(participant=worker, months=1, amount=16_000, source="pos", idempotency_key="k")
    assert "amount" in error.value.message_dict
    assert Payment.objects.count() == 0


def test_unpaid_for_four_months_is_lapsed_and_paying_restarts_at_current_month(register):
    worker = register(registered_at=jakarta(2024, 1, 5))
    payment_record(
        history_allowed=True,
        participant=worker,
        months=1,
        amount=16_800,
        source="t",
        idempotency_key="jan",
        paid_at=jakarta(2024, 1, 5),
    )
    assert participant_status(worker, as_of=date(2024, 4, 20)).standing == "arrears"
    assert participant_status(worker, as_of=date(2024, 5, 20)).standing == "lapsed"
    number = worker.number
    result = payment_record(
        history_allowed=True,
        participant=worker,
        months=1,
        amount=16_800,
        source="t",
        idempotency_key="jun",
        paid_at=jakarta(2024, 6, 2),
    )
    assert result.payment.first_month == Month.of(2024, 6)
    status = participant_status(worker, as_of=date(2024, 6, 3))
    assert status.standing == "active"
    assert status.participant.number == number


def test_the_standing_now_from_the_runs_agrees_with_the_standing_from_the_ledger(register):
    from jaring.common.clock import local_date
    from jaring.contributions.queries import participant_status_now
    from jaring.contributions.services import deposit_record, payment_reverse

    worker = register(registered_at=jakarta(2024, 1, 5))
    payment_record(participant=worker, months=3, amount=50_400, source="t", idempotency_key="a")
    wrong = payment_record(participant=worker, months=6, amount=100_800, source="t", idempotency_key="b")
    payment_reverse(payment=wrong.payment, reason="wrong person", source="t", idempotency_key="r")
    deposit_record(participant=worker, amount=20_000, source="t", idempotency_key="d")
    now, ledger = participant_status_now(worker), participant_status(worker, as_of=local_date())
    assert (now.standing, now.paid_through, now.runs) == (ledger.standing, ledger.paid_through, ledger.runs)
    assert {n: p.total for n, p in now.next_prices.items()} == {
        n: p.total for n, p in ledger.next_prices.items()
    }
    assert now.payments == [] and len(ledger.payments) == 4


def test_the_payment_fingerprint_is_the_request_fingerprint_of_its_fields():
    """Written out for speed, it must stay the hash every stored entry carries, or a retry sent after an
    upgrade would be taken for a new request."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from jaring.common.fingerprint import request_fingerprint
    from jaring.contributions.services import payment_fingerprint

    outlet, agent = SimpleNamespace(pk=3), SimpleNamespace(pk=9)
    for given_outlet, given_agent, paid_at in (
        (outlet, None, None),
        (None, agent, datetime(2024, 5, 3, tzinfo=UTC)),
    ):
        expected = request_fingerprint(
            {
                "participant": 5,
                "months": 3,
                "amount": 50_400,
                "outlet": given_outlet.pk if given_outlet else None,
                "agent": given_agent.pk if given_agent else None,
                "paid_at": paid_at.isoformat() if paid_at else None,
            }
        )
        fingerprint = payment_fingerprint(
            participant_id=5, months=3, amount=50_400, outlet=given_outlet, agent=given_agent, paid_at=paid_at
        )
        assert fingerprint == expected


def test_a_till_retrying_with_fresh_references_cannot_buy_months_without_end(register):
    """The coverage policy's ``months_ahead_max`` (12): a participant is covered at most 12 months beyond
    the month of payment; a payment that would go further is refused, whoever sends it."""
    from jaring.common.clock import month_of

    worker = register()
    now = month_of()
    payment_record(participant=worker, months=12, amount=12 * 16_800, source="till", idempotency_key="T-0")
    taken, refusals = 0, []
    for retry in range(1, 6):
        try:
            payment_record(
                participant=worker, months=1, amount=16_800, source="till", idempotency_key=f"T-{retry}"
            )
            taken += 1
        except ValidationError as error:
            refusals.append(error.error_dict["months"][0].code)
    worker.refresh_from_db()
    assert taken == 1 and worker.standing.paid_through == now + 12
    assert refusals == ["too_far_ahead"] * 4


def test_a_deposit_buys_months_up_to_the_limit_and_keeps_the_rest(register):
    from jaring.common.clock import month_of
    from jaring.contributions.services import deposit_record

    worker = register()
    result = deposit_record(participant=worker, amount=20 * 16_800, source="pasar", idempotency_key="D-1")
    assert len(result.purchases) == 13  # this month and the 12 after it
    assert result.purchases[-1].first_month == month_of() + 12
    assert result.deposit.balance_after == 7 * 16_800


def test_a_closed_outlet_takes_no_payment_on_any_channel(world, register, tmp_path):
    from jaring.channels.models import Outlet
    from jaring.channels.services import outlet_save
    from jaring.imports.services import import_job_for_file, import_run

    worker = register()
    outlet = Outlet.objects.get(pk=world.pos_balikpapan.pk)
    outlet.is_active = False
    outlet_save(outlet=outlet, actor=None, summary="closed")
    outlet = Outlet.objects.select_related("partner").get(pk=outlet.pk)
    with pytest.raises(ValidationError) as refused:
        payment_record(
            participant=worker,
            months=1,
            amount=16_800,
            source="outlet:POS-BPN",
            idempotency_key="C-1",
            outlet=outlet,
        )
    assert refused.value.error_dict["outlet"][0].code == "closed"
    path = tmp_path / "closed.csv"
    path.write_text(f"nik,months,amount,paid_at,outlet_code,reference\n{worker.nik},1,16800,,POS-BPN,C-2\n")
    job = import_run(import_job_for_file(path=path, kind="payments"))
    assert job.reasons == {"outlet:closed": 1} and not Payment.objects.exists()
