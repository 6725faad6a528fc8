"""The demo's SME hand-over: a few companies the BPJS branches handed to Pos outlets, in every state, so the
leads page and the yield table have something to show. Built through the same services as the desk and
the command line (``employers.leads.services``, ``employer_register``, ``employment_start``, the bills)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction

from jaring.accounts.audit import Actor
from jaring.channels.models import Outlet, Partner
from jaring.employers.bills.services import employer_bill_issue, employer_bill_pay
from jaring.employers.leads.services import (
    LeadRequest,
    lead_contacted,
    lead_declined,
    lead_register,
    leads_hand_over,
)
from jaring.employers.models import Lead
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
from jaring.regions.models import Region
from jaring.rules.months import Month
from jaring.rules.nik import Sex, make_nik

ACTOR = Actor("demo world")
TELLER_OUTLET = "POS-KRW"  # the outlet of the demo's teller login


@dataclass(frozen=True)
class _Company:
    name: str
    contact: str
    # what came of it: handed_over, contacted, registered, declined, or reopened (declined, then
    # contacted again)
    fate: str
    workers: int = 0


COMPANIES = (
    _Company("CV Sumber Rejeki", "Ibu Wati", "registered", workers=2),
    _Company("UD Maju Bersama", "Pak Slamet", "registered", workers=1),
    _Company("CV Tirta Makmur", "Ibu Rina", "contacted"),
    _Company("Toko Bangunan Sinar Jaya", "Pak Hendra", "declined"),
    _Company("CV Karya Mandiri", "Ibu Sri", "handed_over"),
    _Company("UD Berkah Tani", "Pak Joko", "reopened"),
    _Company("Bengkel Las Putra", "Pak Agus", "handed_over"),
    _Company("CV Rasa Nusantara", "Ibu Dewi", "registered", workers=1),
)
REASONS = ("sudah terdaftar lewat asuransi lain", "pemilik belum bersedia", "usaha sedang tutup sementara")


def leads_demo(*, today: date, now: datetime, seed: int) -> list[Lead]:
    """Hands ``COMPANIES`` over from the branches to the first Pos outlets reporting to them (a few days
    apart in the weeks before ``today``) and moves each to its state: the registered ones become
    employers registered by that outlet, with a worker or two enrolled from this month and the month's
    bill paid. Does nothing when there is no Pos outlet with a branch, or leads exist already."""
    if Lead.objects.exists():
        return []
    rng = random.Random(seed)
    # the demo teller's KCU Karawang first (its leads are on the teller's desk), then Pos outlets by code
    outlets = sorted(
        Outlet.objects.select_related("office").filter(
            partner__kind=Partner.Kind.POS, is_active=True, office__isnull=False
        ),
        key=lambda outlet: (outlet.code != TELLER_OUTLET, outlet.code),
    )[:3]
    if not outlets:
        return []
    made: list[Lead] = []
    for index, company in enumerate(COMPANIES):
        outlet = outlets[index % len(outlets)]
        village = _village(outlet)
        nib = f"{rng.randrange(10**12, 10**13)}"
        handed_at = min(now, datetime.combine(today, now.timetz()) - timedelta(days=3 + 4 * index))
        request = LeadRequest(
            name=company.name,
            office=outlet.office,
            outlet=outlet,
            nib=nib,
            village_code=village or "",
            phone=f"08{rng.randrange(10**9, 10**10)}",
            contact_name=company.contact,
        )
        (answer,) = leads_hand_over(requests=[request], actor=ACTOR, now=handed_at)
        lead = answer.lead
        if company.fate in ("contacted", "reopened"):
            lead = lead_contacted(lead=lead, note="ditelepon, minta didatangi", actor=ACTOR)
        if company.fate in ("declined", "reopened"):
            lead = lead_declined(lead=lead, reason=rng.choice(REASONS), actor=ACTOR)
        if company.fate == "reopened":
            lead = lead_contacted(lead=lead, note="pemilik baru, berminat", actor=ACTOR)
        if company.fate == "registered" and village:
            request = EmployerRequest(
                name=company.name, village_code=village, sector="G", workforce=rng.randint(3, 15),
                nib=nib, outlet=outlet,
            )  # fmt: skip
            registered_at = handed_at + timedelta(days=2)  # in the demo's time, like the hand-over
            with transaction.atomic():
                book = EmployerBook.load(requests=[request], now=registered_at)
                (employer,) = employers_apply([employer_check(request, book)])
            lead = lead_register(lead=lead, employer=employer, actor=ACTOR)
            _workers_enrol(
                employer, company.workers, today=today, village=village, rng=rng, serial=100 * index,
                at=registered_at,
            )  # fmt: skip
        made.append(lead)
    return made


def _village(outlet: Outlet) -> str | None:
    """A village of the outlet's district."""
    return (
        Region.objects.filter(parent_id=outlet.region_id, level=Region.Level.VILLAGE)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


def _workers_enrol(
    employer, count: int, *, today: date, village: str, rng: random.Random, serial: int, at: datetime
) -> None:
    """Enrols ``count`` workers new to jaring (registered where the employer enrols: its Pos outlet)
    from this month, then issues and pays the month's bill."""
    if not count:
        return
    month = Month.from_date(today)
    district = village[:8]
    enrolled = 0
    for offset in range(1, 50):
        if enrolled == count:
            break
        born = date(1985 + rng.randrange(15), rng.randrange(1, 13), rng.randrange(1, 28))
        sex = rng.choice("MF")
        nik = make_nik(district, born, Sex(sex), 9000 - serial - offset)
        if Participant.objects.filter(nik=nik).exists():
            continue
        worker = Worker(
            name=rng.choice(("Agus Salim", "Siti Rahayu", "Budi Hartono", "Nur Aini")),
            birth_date=born,
            sex=sex,
            village_code=village,
            occupation_code="PEDAGANG_PASAR",
            outlet=enrolment_outlet(employer),
        )
        request = EmploymentStart(
            employer=employer, nik=nik, wage=rng.choice((2_500_000, 3_100_000, 4_200_000)),
            first_month=month, worker=worker,
        )  # fmt: skip
        with transaction.atomic():
            book = EmploymentBook.load(requests=[request], now=at)
            employments_apply([employment_check(request, book)], book)
        enrolled += 1
    bill = employer_bill_issue(employer=employer, month=month, actor=ACTOR, issued_at=at)
    if bill is not None:
        employer_bill_pay(
            bill=bill, amount=bill.amount, reference=f"DEMO-{employer.number}", paid_at=at, actor=ACTOR
        )
