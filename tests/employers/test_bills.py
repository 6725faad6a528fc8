"""Employers' monthly bills (#15, part 3): a bill lists the employer's workers of the month at their
wages, priced by the wage earners' rates; paying it covers exactly those workers for that month through
the one ledger path; a reference pays once; a late payment owes the fine; the tallies verify."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from tests.conftest import jakarta
from tests.employers.conftest import BALIKPAPAN_VILLAGE

from jaring.accounts.audit import Actor
from jaring.contributions.models import CoverageRun, Payment
from jaring.employers.bills.services import employer_bill_issue, employer_bill_pay, employer_bills_issue
from jaring.employers.models import EmployerBill
from jaring.employers.services import employer_register
from jaring.employers.wage_earners.services import employment_end, employment_start
from jaring.rules.employer_bills import BillTerms, lines_covered, months_late
from jaring.rules.months import Month
from jaring.tallies.verify import tallies_verify

MARCH = Month.of(2024, 3)
# A large employer of risk class 2 (JKK 0.54 %), wage 12,000,000 in March 2024: JP on the ceiling
# 10,042,300; no JKP before February 2025.
BIG_WAGE_LINES = {
    ("JKK", "employer"): 64_800,
    ("JKM", "employer"): 36_000,
    ("JHT", "employer"): 444_000,
    ("JHT", "worker"): 240_000,
    ("JP", "employer"): 200_846,
    ("JP", "worker"): 100_423,
}
BIG_WAGE_BILLED = sum(BIG_WAGE_LINES.values())  # 1,086,069
# 5,000,000 at the same employer: JKK 27,000 + JKM 15,000 + JHT 185,000 + 100,000 + JP 100,000 + 50,000
SMALL_WAGE_BILLED = 477_000


@pytest.fixture
def large(world):
    return employer_register(
        name="PT Besar Sekali",
        village_code=BALIKPAPAN_VILLAGE,
        sector="C",
        workforce=250,
        size="large",
        risk_class=2,
    )


@pytest.fixture
def micro(world):
    return employer_register(
        name="Warung Kecil", village_code=BALIKPAPAN_VILLAGE, sector="G", workforce=3, size="micro"
    )


@pytest.fixture
def workers(register):
    return [register(registered_at=jakarta(2024, 1, 5)) for _ in range(4)]


@pytest.fixture
def march_jobs(large, workers):
    """Two workers employed in March 2024, one who left in February, one who starts in April."""
    a, b, left, later = workers
    employment_start(employer=large, nik=a.nik, wage=12_000_000, first_month="2024-01")
    employment_start(employer=large, nik=b.nik, wage=5_000_000, first_month="2024-03")
    employment_start(employer=large, nik=left.nik, wage=6_000_000, first_month="2024-01")
    employment_end(employer=large, nik=left.nik, last_month="2024-02")
    employment_start(employer=large, nik=later.nik, wage=6_000_000, first_month="2024-04")
    return a, b


def entries(participant, month=MARCH):
    return Payment.objects.filter(participant=participant, first_month=month, kind="bill")


def covered(participant, month=MARCH) -> bool:
    return CoverageRun.objects.filter(
        participant=participant, first_month__lte=month, last_month__gte=month
    ).exists()


def test_a_bill_lists_the_running_jobs_at_their_wages_priced_to_the_rupiah(large, march_jobs):
    a, b = march_jobs
    bill = employer_bill_issue(employer=large, month="2024-03", actor=Actor.cli())
    lines = list(bill.lines.order_by("position"))
    assert [(line.participant_id, line.wage) for line in lines] == [(a.pk, 12_000_000), (b.pk, 5_000_000)]
    big = lines[0]
    assert {(p["programme"], p["payer"]): p["amount"] for p in big.priced["lines"]} == BIG_WAGE_LINES
    assert {p["base"] for p in big.priced["lines"] if p["programme"] == "JP"} == {10_042_300}
    assert big.amount == BIG_WAGE_BILLED == 1_086_069
    assert (big.employer_share, big.worker_share) == (745_646, 340_423)
    assert lines[1].amount == SMALL_WAGE_BILLED
    assert (bill.workers, bill.amount) == (2, BIG_WAGE_BILLED + SMALL_WAGE_BILLED)
    assert bill.employer_share + bill.worker_share == bill.amount
    assert bill.due_on == date(2024, 4, 15) and bill.terms == "PU-BILL-2015-07"
    # issuing again returns the same bill
    assert employer_bill_issue(employer=large, month=MARCH).pk == bill.pk
    assert EmployerBill.objects.count() == 1
    assert tallies_verify() == []


def test_a_micro_employers_bill_has_no_jht_or_jp(micro, register):
    worker = register(registered_at=jakarta(2024, 1, 5))
    employment_start(employer=micro, nik=worker.nik, wage=3_000_000, first_month="2024-02")
    bill = employer_bill_issue(employer=micro, month=MARCH)
    (line,) = bill.lines.all()
    assert {p["programme"] for p in line.priced["lines"]} == {"JKK", "JKM"}
    assert line.worker_share == 0 and line.amount == line.employer_share


def test_paying_covers_exactly_the_listed_workers_for_that_month(large, march_jobs, workers):
    a, b = march_jobs
    bill = employer_bill_issue(employer=large, month=MARCH)
    result = employer_bill_pay(
        bill=bill, amount=bill.amount, reference="TRF-1", paid_at=jakarta(2024, 4, 10), actor=Actor.cli()
    )
    assert result.created and result.covered == 2
    assert result.bill.status == "paid" and result.bill.outstanding == 0 and result.bill.fine == 0
    for worker, amount in ((a, BIG_WAGE_BILLED), (b, SMALL_WAGE_BILLED)):
        (entry,) = entries(worker)
        assert (entry.amount, entry.months, entry.source) == (amount, 1, f"employer-bill:{bill.pk}")
        assert covered(worker) and not covered(worker, MARCH + 1) and not covered(worker, MARCH - 1)
    for other in workers[2:]:
        assert not Payment.objects.filter(participant=other).exists() and not covered(other)
    assert Payment.objects.count() == 2
    assert tallies_verify() == []


def test_paying_twice_with_the_same_reference_covers_once(large, march_jobs):
    bill = employer_bill_issue(employer=large, month=MARCH)
    paid = dict(bill=bill, amount=bill.amount, reference="TRF-1", paid_at=jakarta(2024, 4, 10))
    employer_bill_pay(**paid)
    again = employer_bill_pay(**paid)
    assert not again.created and again.covered == 0
    assert Payment.objects.count() == 2 and again.bill.paid_amount == bill.amount
    assert again.bill.payments.count() == 1
    # another reference for a bill paid in full covers nothing more
    more = employer_bill_pay(**{**paid, "reference": "TRF-2"})
    assert more.created and more.covered == 0 and Payment.objects.count() == 2
    assert tallies_verify() == []


def test_a_worker_at_two_employers_is_on_both_bills_and_both_count(large, micro, register):
    worker = register(registered_at=jakarta(2024, 1, 5))
    employment_start(employer=large, nik=worker.nik, wage=12_000_000, first_month="2024-03")
    employment_start(employer=micro, nik=worker.nik, wage=2_000_000, first_month="2024-03")
    assert employer_bills_issue(month="2024-03") == 2
    bills = list(EmployerBill.objects.order_by("employer_id"))
    assert [list(b.lines.values_list("participant_id", flat=True)) for b in bills] == [[worker.pk]] * 2
    for number, bill in enumerate(bills):
        employer_bill_pay(bill=bill, amount=bill.amount, reference=f"T{number}", paid_at=jakarta(2024, 4, 1))
    assert sorted(entries(worker).values_list("amount", flat=True)) == sorted(b.amount for b in bills)
    assert covered(worker) and CoverageRun.objects.filter(participant=worker).count() == 1
    assert employer_bills_issue(month="2024-03") == 0  # issued once
    assert tallies_verify() == []


def test_a_late_payment_owes_the_fine_for_each_month_begun_after_the_due_day(large, march_jobs):
    bill = employer_bill_issue(employer=large, month=MARCH)
    result = employer_bill_pay(bill=bill, amount=bill.amount, reference="LATE", paid_at=jakarta(2024, 5, 20))
    assert result.payment.months_late == 2
    # 2 % a month, two months, on 1,563,069: 62,522.76 -> 62,523 (half up at the rupiah)
    assert result.payment.fine == result.bill.fine == 62_523
    assert result.bill.status == "paid"
    assert tallies_verify() == []


def test_a_partial_payment_covers_lines_in_the_bills_order_while_the_money_lasts(large, march_jobs):
    a, b = march_jobs
    bill = employer_bill_issue(employer=large, month=MARCH)
    first = employer_bill_pay(bill=bill, amount=1_200_000, reference="P1", paid_at=jakarta(2024, 4, 2))
    assert first.covered == 1 and first.bill.status == "partial"
    assert first.bill.outstanding == SMALL_WAGE_BILLED
    assert covered(a) and not covered(b)
    rest = employer_bill_pay(bill=bill, amount=400_000, reference="P2", paid_at=jakarta(2024, 4, 3))
    assert rest.covered == 1 and rest.bill.status == "paid" and covered(b)
    assert rest.bill.paid_amount == 1_600_000
    assert tallies_verify() == []


def test_bad_requests_are_refused_with_nothing_written(large, march_jobs):
    bill = employer_bill_issue(employer=large, month=MARCH)
    for fields in ({"amount": 0}, {"amount": "lots"}, {"reference": ""}):
        with pytest.raises(ValidationError):
            employer_bill_pay(**{"bill": bill, "amount": 10, "reference": "R", **fields})
    with pytest.raises(ValidationError):
        employer_bill_issue(employer=large, month="2099-01")
    assert not Payment.objects.exists() and not bill.payments.exists()


def test_months_late_and_the_terms():
    due = date(2024, 4, 15)
    assert [months_late(due, day) for day in (date(2024, 4, 1), due, date(2024, 4, 16))] == [0, 0, 1]
    assert [months_late(due, day) for day in (date(2024, 5, 15), date(2024, 5, 16))] == [1, 2]
    assert lines_covered([5, 3, 2], 9) == 2 and lines_covered([5, 3], 4) == 0
    terms = BillTerms.from_data("T", {"due_day": 15, "late_fine_per_month": "0.02"})
    assert terms.due_on(Month.of(2024, 12)) == date(2025, 1, 15)
    assert terms.fine(25, 1) == 1  # 0.5 -> 1, half up


def test_the_command_line_issues_shows_and_pays(large, march_jobs):
    out = StringIO()
    call_command("employer", "bills", "issue", "--month", "2024-03", stdout=out)
    assert "1 issued" in out.getvalue()
    out = StringIO()
    call_command("employer", "bill", large.number, "--month", "2024-03", "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["workers"] == 2 and shown["amount"] == BIG_WAGE_BILLED + SMALL_WAGE_BILLED
    arguments = ["employer", "pay", large.number, "--month", "2024-03", "--amount", str(shown["amount"])]
    out = StringIO()
    call_command(*arguments, "--reference", "CLI-1", "--paid-at", "2024-04-10", "--json", stdout=out)
    paid = json.loads(out.getvalue())
    assert paid["status"] == "paid" and paid["covered_now"] == 2 and paid["recorded"]
    out = StringIO()
    call_command(*arguments, "--reference", "CLI-1", "--paid-at", "2024-04-10", stdout=out)
    assert "paid before" in out.getvalue()
    assert Payment.objects.count() == 2
