"""Every employer's bills of a month issued in one set-based job are the bills each employer would get
issued alone: the same lines, wages, prices and figures, read back as written."""

import pytest
from django.db import transaction
from tests.conftest import jakarta
from tests.employers.conftest import BALIKPAPAN_VILLAGE

from jaring.contributions.queries import wage_ratebook
from jaring.employers.bills.services import LINE_CHUNK, employer_bill_issue, employer_bills_issue
from jaring.employers.models import EmployerBill
from jaring.employers.services import employer_register
from jaring.employers.wage_earners.services import employment_start
from jaring.rules.months import Month

MARCH = Month.of(2024, 3)
ISSUED_AT = jakarta(2024, 3, 31, 23)


@pytest.fixture
def employers(world, register):
    """A large, a small and a micro employer; their workers share some wages, so prices are shared."""
    made = [
        employer_register(
            name="PT Besar", village_code=BALIKPAPAN_VILLAGE, sector="C", workforce=250, size="large"
        ),
        employer_register(name="CV Sedang", village_code=BALIKPAPAN_VILLAGE, sector="G", workforce=12),
        employer_register(name="Warung Kecil", village_code=BALIKPAPAN_VILLAGE, sector="I", workforce=3),
    ]
    wages = (12_000_000, 5_000_000, 5_000_000, 3_000_000, 4_250_000)
    for index, wage in enumerate(wages * 2):
        worker = register(registered_at=jakarta(2024, 1, 5))
        employment_start(employer=made[index % 3], nik=worker.nik, wage=wage, first_month="2024-02")
    return made


BILL_FIELDS = ("employer_id", "month", "workers", "amount", "employer_share", "worker_share", "due_on")
BILL_FIELDS += ("terms", "status", "paid_amount", "covered_amount", "fine", "issued_at", "paid_at")
LINE_FIELDS = ("participant_id", "position", "wage", "priced", "amount", "employer_share", "worker_share")


def bills_read() -> list[dict]:
    """Every bill as read back from the database, with its lines."""
    bills = []
    for bill in EmployerBill.objects.order_by("employer_id"):
        read = {name: getattr(bill, name) for name in BILL_FIELDS}
        lines = bill.lines.order_by("position")
        read["lines"] = [{name: getattr(line, name) for name in LINE_FIELDS} for line in lines]
        bills.append(read)
    return bills


def issued(issue) -> list[dict]:
    with transaction.atomic():
        issue()
        bills = bills_read()
        transaction.set_rollback(True)
    return bills


def test_bills_issued_together_are_the_bills_issued_one_by_one(employers):
    together = issued(lambda: employer_bills_issue(month=MARCH, issued_at=ISSUED_AT))
    alone = issued(
        lambda: [employer_bill_issue(employer=e, month=MARCH, issued_at=ISSUED_AT) for e in employers]
    )
    assert together == alone and len(together) == 3
    book = wage_ratebook()
    for employer, bill in zip(employers, together, strict=True):
        assert (bill["month"], bill["issued_at"], bill["status"], bill["paid_at"]) == (
            MARCH,
            ISSUED_AT,
            "issued",
            None,
        )
        for line in bill["lines"]:
            price = book.price_month(
                MARCH, wage=line["wage"], risk_class=employer.risk_class, size=employer.size
            )
            assert line["priced"] == price.as_dict()
            assert (
                line["amount"] == line["employer_share"] + line["worker_share"] == price.as_dict()["billed"]
            )
        assert bill["amount"] == sum(line["amount"] for line in bill["lines"])
        assert bill["workers"] == len(bill["lines"]) and bill["lines"][0]["position"] == 1


def test_a_month_of_more_lines_than_a_statement_holds_is_issued_whole(world, register, monkeypatch):
    from jaring.employers.bills import services

    monkeypatch.setattr(services, "LINE_CHUNK", 3)
    employer = employer_register(name="CV Sedang", village_code=BALIKPAPAN_VILLAGE, sector="G", workforce=12)
    for _ in range(7):
        worker = register(registered_at=jakarta(2024, 1, 5))
        employment_start(employer=employer, nik=worker.nik, wage=5_000_000, first_month="2024-02")
    assert employer_bills_issue(month=MARCH) == 1
    bill = EmployerBill.objects.get()
    assert bill.workers == 7 == bill.lines.count() and LINE_CHUNK > 3
    assert [line.position for line in bill.lines.order_by("position")] == list(range(1, 8))
