"""Fraud signals of claims: each raised with the evidence a branch checks, none for a clean claim."""

import json
from datetime import date
from io import StringIO

from django.core.management import call_command
from tests.claims.conftest import BRI_ACCOUNT, heir
from tests.conftest import jakarta

from jaring.claims.fraud import (
    DeathSoonAfterStart,
    PaidAfterIncident,
    SameIncidentTwice,
    SharedAccount,
    claim_signals,
)
from jaring.claims.models import ClaimRule
from jaring.claims.services import ClaimRequest, claim_submit


def of_kind(kind):
    return [signal for signal in claim_signals() if isinstance(signal, kind)]


def test_a_clean_claim_raises_no_signal(worker, pay, jkm):
    pay(worker, 12, jakarta(2024, 1, 5))
    claim_submit(request=jkm(worker, jakarta(2024, 9, 14)), actor=None)
    assert claim_signals() == []


def test_a_death_within_months_of_registration_is_a_signal_with_its_dates(worker, pay, jkm):
    pay(worker, 12, jakarta(2024, 1, 5))
    claim = claim_submit(request=jkm(worker, jakarta(2024, 3, 14)), actor=None)
    [signal] = of_kind(DeathSoonAfterStart)
    assert signal.claims == (claim.number,) and signal.participant == worker.number
    assert signal.start == "registration" and signal.started_on == date(2024, 1, 5)
    assert signal.months_after == 2 and signal.within_months == 6
    assert signal.incident_at == jakarta(2024, 3, 14)


def test_a_death_soon_after_coverage_restarts_from_a_lapse_is_a_signal(world, register, pay, jkm):
    worker = register(registered_at=jakarta(2022, 1, 5))
    pay(worker, 3, jakarta(2022, 1, 5))  # January to March 2022, then two years unpaid: lapsed
    pay(worker, 12, jakarta(2024, 6, 5))  # coverage restarts in June 2024
    claim = claim_submit(request=jkm(worker, jakarta(2024, 8, 20)), actor=None)
    assert claim.eligible
    [signal] = of_kind(DeathSoonAfterStart)
    assert signal.claims == (claim.number,) and signal.start == "reactivation"
    assert signal.started_on == date(2024, 6, 1) and signal.months_after == 2


def test_the_months_are_read_from_the_fraud_rule(worker, pay, jkm):
    pay(worker, 12, jakarta(2024, 1, 5))
    claim_submit(request=jkm(worker, jakarta(2024, 9, 14)), actor=None)
    assert of_kind(DeathSoonAfterStart) == []
    rule = ClaimRule.objects.get(kind="fraud")
    rule.data = {**rule.data, "death_within_months": 12}
    rule.save()
    [signal] = of_kind(DeathSoonAfterStart)
    assert signal.within_months == 12 and signal.months_after == 8


def test_one_account_for_heirs_of_three_participants_is_a_signal_with_the_account_masked(
    world, register, pay, jkm
):
    numbers, participants = [], []
    for _ in range(3):
        worker = register(registered_at=jakarta(2023, 1, 5))
        pay(worker, 12, jakarta(2024, 1, 5))
        numbers.append(claim_submit(request=jkm(worker, jakarta(2024, 9, 14)), actor=None).number)
        participants.append(worker.number)
        if len(numbers) == 2:
            assert of_kind(SharedAccount) == []  # two families may share an account (relatives)
    [signal] = of_kind(SharedAccount)
    assert signal.claims == tuple(sorted(numbers)) and signal.participants == tuple(sorted(participants))
    assert signal.bank == "BRI" and signal.account == "*" * 11 + BRI_ACCOUNT[-4:]
    assert signal.threshold == 3 and BRI_ACCOUNT not in json.dumps(signal.as_dict(), default=str)


def test_a_month_paid_after_the_death_is_a_signal_with_the_payment(worker, pay, jkm):
    pay(worker, 1, jakarta(2024, 1, 5))
    pay(worker, 6, jakarta(2024, 2, 20, hour=15))  # February to July, paid at 15:00 on the day of death
    claim = claim_submit(request=jkm(worker, jakarta(2024, 2, 20, hour=9)), actor=None)
    assert claim.state == "rejected"
    [signal] = of_kind(PaidAfterIncident)
    assert signal.claims == (claim.number,) and signal.cover_reason == "paid_after"
    assert signal.incident_at == jakarta(2024, 2, 20, hour=9) and signal.month == "2024-02"
    assert signal.paid_at == jakarta(2024, 2, 20, hour=15) and signal.paid_months == "2024-02..2024-07"
    assert signal.state == "rejected"


def test_arrears_paid_after_an_accident_are_a_signal_even_when_they_restore_cover(worker, pay):
    from jaring.contributions.models import RateRule
    from jaring.contributions.queries import ratebook_forget

    policy = RateRule.objects.get(kind="policy")
    policy.data = {**policy.data, "restore_cover_for_past_events": True}
    policy.save()
    ratebook_forget()
    pay(worker, 6, jakarta(2024, 1, 5))  # January to June
    pay(worker, 3, jakarta(2024, 8, 20))  # July to September, after the accident of 2 August
    claim = claim_submit(request=jkk(worker, jakarta(2024, 8, 2), "JKK-1"), actor=None)
    assert claim.eligible and claim.decision["cover"]["reason"] == "restored"
    [signal] = of_kind(PaidAfterIncident)
    assert signal.claims == (claim.number,) and signal.cover_reason == "restored"
    assert signal.paid_months == "2024-07..2024-09" and signal.paid_at == jakarta(2024, 8, 20)


def jkk(worker, moment, key):
    return ClaimRequest(
        participant=worker.nik, kind="JKK", incident_at=moment, incident_place="Pasar Baru",
        details={"medical_bill": 500_000, "bank": "BRI", "account_number": BRI_ACCOUNT,
                 "account_name": "Ahmad Yani"},
        source="test", idempotency_key=key,
    )  # fmt: skip


def test_the_same_accident_claimed_twice_is_a_signal_naming_both_claims(worker, pay):
    pay(worker, 12, jakarta(2024, 1, 5))
    first = claim_submit(request=jkk(worker, jakarta(2024, 10, 2, hour=8), "JKK-A"), actor=None)
    second = claim_submit(request=jkk(worker, jakarta(2024, 10, 2, hour=16), "JKK-B"), actor=None)
    claim_submit(request=jkk(worker, jakarta(2024, 10, 9), "JKK-C"), actor=None)  # another accident
    [signal] = of_kind(SameIncidentTwice)
    assert signal.claims == (first.number, second.number) and signal.kind == "JKK"
    assert signal.day == date(2024, 10, 2) and signal.states == ("submitted", "submitted")
    assert signal.participant == worker.number


def test_the_command_line_lists_the_signals_as_json(worker, pay, jkm):
    pay(worker, 12, jakarta(2024, 1, 5))
    claim = claim_submit(request=jkm(worker, jakarta(2024, 3, 14), heirs=[heir()]), actor=None)
    out = StringIO()
    call_command("claim", "signals", "--json", stdout=out)
    [signal] = json.loads(out.getvalue())["signals"]
    assert signal["signal"] == "death_soon_after_start" and signal["claims"] == [claim.number]
    assert signal["started_on"] == "2024-01-05"
    text = StringIO()
    call_command("claim", "signals", stdout=text)
    assert claim.number in text.getvalue() and "1 signals" in text.getvalue()
