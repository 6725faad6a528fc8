"""The demo's formal sector: a company of every size at the Balikpapan branch with its wage earners enrolled
three months ago, the bills of the two months since issued (one set-based job per month) and paid, but for
the large company's last bill (outstanding) and the small one's (paid in part); and the regional office's
formal targets for the year. Through the same services as the desk and the command line."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction

from jaring.accounts.audit import Actor
from jaring.common.clock import ZONE
from jaring.contributions.queries import ratebook
from jaring.employers.bills.services import employer_bill_pay, employer_bills_issue
from jaring.employers.models import Employer, EmployerBill
from jaring.employers.queries import enrolment_outlet
from jaring.employers.services import EmployerBook, EmployerRequest, employer_check, employers_apply
from jaring.employers.wage_earners.services import (
    EmploymentBook,
    EmploymentStart,
    Worker,
    employment_check,
    employments_apply,
)
from jaring.members.models import Participant
from jaring.members.validation import RegistrationContext
from jaring.monitoring.services import target_set
from jaring.monitoring.targets import year_period
from jaring.org.models import Office
from jaring.regions.models import Region
from jaring.rules.months import Month
from jaring.rules.nik import Sex, make_nik

ACTOR = Actor("demo world")
BRANCH = "KC-BPN"


@dataclass(frozen=True)
class _Company:
    name: str
    sector: str
    workers: int
    wage: int


COMPANIES = (
    _Company("Warung Makan Bu Sari", "I", 3, 2_600_000),  # micro: JKK and JKM
    _Company("CV Bengkel Teluk Jaya", "G", 12, 3_400_000),  # small: JHT too
    _Company("PT Kapuas Logistik", "H", 45, 4_800_000),  # medium: JP too
    _Company("PT Borneo Sawit Lestari", "A", 120, 5_600_000),  # large
)


def employers_demo(*, today: date, now: datetime, seed: int) -> list[Employer]:
    """Builds the companies, dated in the demo's time: registered a little before their workers' first
    month, bills issued on the first of the month after and paid by the tenth (nothing when the demo's
    branch is missing or companies of this module exist)."""
    branch = Office.objects.filter(code=BRANCH).first()
    if branch is None or Employer.objects.filter(name=COMPANIES[0].name).exists():
        return []
    village = (
        Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="64.71.")
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    rng = random.Random(seed)
    first = Month.from_date(today) - 3
    registered_at = min(now, _at(first.first_day() - timedelta(days=20)))
    requests = [
        EmployerRequest(name=c.name, village_code=village, sector=c.sector, workforce=c.workers)
        for c in COMPANIES
    ]
    with transaction.atomic():
        book = EmployerBook.load(requests=requests, now=registered_at)
        employers = employers_apply([employer_check(request, book) for request in requests])
    for number, (employer, company) in enumerate(zip(employers, COMPANIES, strict=True)):
        _enrol(
            employer,
            company,
            first=first,
            village=village,
            rng=rng,
            serial=2000 + 200 * number,
            at=registered_at,
        )
    for month in (first, first + 1):
        employer_bills_issue(month=month, actor=ACTOR, issued_at=min(now, _at((month + 1).first_day())))
    for bill in EmployerBill.objects.filter(employer__in=employers).select_related("employer").order_by("id"):
        size = bill.employer.size
        if bill.month == first + 1 and size == Employer.Size.LARGE:
            continue  # outstanding: the worklist and the bills page show it
        amount = bill.amount // 2 if bill.month == first + 1 and size == Employer.Size.SMALL else bill.amount
        paid_at = min(now, _at((bill.month + 1).first_day() + timedelta(days=9)))
        employer_bill_pay(
            bill=bill, amount=amount, reference=f"DEMO-BILL-{bill.pk}", paid_at=paid_at, actor=ACTOR
        )
    start, end = year_period(today.year)
    regional = branch.parent or branch
    target_set(metric="new_companies", segment="", start=start, end=end, value=12, office=regional,
               actor=ACTOR, summary="demo world")  # fmt: skip
    target_set(metric="new_workers", segment="PU", start=start, end=end, value=400, office=regional,
               actor=ACTOR, summary="demo world")  # fmt: skip
    return employers


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=ZONE)


def _enrol(
    employer: Employer, company: _Company, *, first: Month, village: str, rng, serial: int, at: datetime
) -> None:
    """The company's workers, new to jaring, enrolled from ``first`` as one list."""
    outlet = enrolment_outlet(employer)
    district = village[:8]
    requests = []
    for offset in range(company.workers):
        born = date(1975 + rng.randrange(25), rng.randrange(1, 13), rng.randrange(1, 28))
        sex = rng.choice("MF")
        nik = make_nik(district, born, Sex(sex), serial + offset)
        if Participant.objects.filter(nik=nik).exists():
            continue
        worker = Worker(
            name=rng.choice(("Agus Salim", "Siti Rahayu", "Budi Hartono", "Nur Aini", "Rudi Hasibuan")),
            birth_date=born,
            sex=sex,
            village_code=village,
            occupation_code="BURUH_HARIAN",
            outlet=outlet,
        )
        wage = company.wage + 100_000 * rng.randrange(8)
        requests.append(
            EmploymentStart(employer=employer, nik=nik, wage=wage, first_month=first, worker=worker)
        )
    with transaction.atomic():
        book = EmploymentBook.load(
            requests=requests, context=RegistrationContext(ratebook=ratebook()), now=at
        )
        plans = [employment_check(request, book) for request in requests]
        employments_apply([plan for plan in plans if not isinstance(plan, list)], book)
