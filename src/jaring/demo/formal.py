"""The formal side of a scenario: companies registered per branch over spans, and the wage earners they
enrol, through the employers' one write path (``employer_check`` / ``employers_apply``,
``employment_check`` / ``employments_apply``) with each day's lists checked as of that day.

A scenario declares, per branch::

    formal:
      - {office: KC-BPN, outlet: BPJS-BPN, companies: {STOCK: 700, Y2019: 230},
         workers: {STOCK: 96000, Y2019: 25000}}

``companies`` are registered by the branch itself (no outlet), spread evenly over each span's days, in
villages of the outlet's district. ``workers`` of a span are spread over the companies registered by the
span's end, in unequal shares (a few large companies, many small ones), each enrolled on a day of the span
no earlier than its company: new NIKs from the outlet's formal block, registered as wage earners credited
to ``outlet``. Loading again adds nothing: a company is known by its NIB (made from the scenario, the branch
and its place in the list) and a worker by the NIK.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jaring.channels.models import Outlet
from jaring.common.clock import ZONE
from jaring.contributions.queries import ratebook, wage_ratebook
from jaring.employers.models import Employer
from jaring.employers.services import (
    EmployerBook,
    EmployerPlan,
    EmployerRequest,
    employer_check,
    employers_apply,
)
from jaring.employers.wage_earners.services import (
    EmploymentBook,
    EmploymentPlan,
    EmploymentStart,
    Worker,
    employment_check,
    employments_apply,
)
from jaring.members.models import Participant
from jaring.members.validation import BulkRegistrationContext
from jaring.monitoring.targets import spread
from jaring.rules.months import Month

FORMAL_KEYS = {"office", "outlet", "companies", "workers", "note"}
SECTORS = ("C", "G", "F", "H", "A", "I", "N", "Q", "B", "P")  # KBLI sections, most common first
CHUNK = 5_000


@dataclass
class FormalSummary:
    companies: int = 0
    workers: int = 0
    companies_added: int = 0
    workers_added: int = 0


@dataclass
class _Company:
    index: int
    registered: date
    nib: str
    name: str
    village: str
    sector: str
    workforce: int = 0
    employer: Employer | None = None


def _nib(scenario: str, office: str, index: int) -> str:
    """A 13-digit NIB for the scenario's company: 9 then twelve digits of a hash (no real NIB begins
    with 9 in jaring's worlds; collisions between scenario companies are as likely as in 10^12)."""
    digest = hashlib.blake2b(f"{scenario}/{office}/{index}".encode(), digest_size=8).digest()
    return "9" + f"{int.from_bytes(digest) % 10**12:012d}"


def _weight(index: int) -> int:
    """Unequal shares: a company's weight falls with its place in a cycle of 40 (1,000 down to 24)."""
    return 1000 // (1 + (index * 37) % 40)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=ZONE)


def formal_load(
    items: list[dict], *, spans: dict, outlets: dict[str, Outlet], scale: Fraction, scenario: str, synth
) -> FormalSummary:
    """Registers the companies and enrols the workers ``items`` declare (``synth(scenario, outlet)`` makes
    the workers' NIKs and details); what is there already is left as it is."""
    from jaring.demo.scenarios import _spread, scaled  # the scenario's own spreading and scaling

    summary = FormalSummary()
    for item in items:
        if unknown := sorted(set(item) - FORMAL_KEYS):
            raise ValidationError({"formal": _("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)}})
        outlet = outlets.get(item.get("outlet"))
        if outlet is None:
            raise ValidationError({"formal": _("Unknown outlet %(o)s.") % {"o": item.get("outlet")}})
        for what in ("companies", "workers"):
            if unknown := sorted(set(item.get(what) or {}) - set(spans)):
                raise ValidationError({"formal": _("Unknown span %(s)s.") % {"s": ", ".join(unknown)}})
        makes = synth(f"{scenario}/formal", outlet)
        companies: list[_Company] = []
        for span, count in (item.get("companies") or {}).items():
            for day in _spread(*spans[span], scaled(count, scale)):
                index = len(companies)
                companies.append(
                    _Company(
                        index=index,
                        registered=day,
                        nib=_nib(scenario, item["office"], index),
                        name=f"{('PT', 'CV', 'UD')[index % 3]} {item['office'][3:].title()} {index + 1:05d}",
                        village=makes.villages[(index * 7) % len(makes.villages)],
                        sector=SECTORS[index % len(SECTORS)],
                    )
                )
        enrolments: list[tuple[date, _Company]] = []
        for span, count in (item.get("workers") or {}).items():
            first, last = spans[span]
            open_by_end = [c for c in companies if c.registered <= last]
            if not open_by_end:
                continue
            shares = spread(scaled(count, scale), {c.index: _weight(c.index) for c in open_by_end})
            for company in open_by_end:
                days = _spread(max(first, company.registered), last, shares[company.index])
                company.workforce += len(days)
                enrolments += [(day, company) for day in days]
        summary.companies += len(companies)
        summary.workers += len(enrolments)
        summary.companies_added += _companies_register(companies)
        enrolments.sort(key=lambda e: (e[0], e[1].index))
        workers = [(day, company, makes.worker(day)) for day, company in enrolments]
        summary.workers_added += _workers_enrol(workers, outlet)
    return summary


def _companies_register(companies: list[_Company]) -> int:
    known = dict(Employer.objects.filter(nib__in=[c.nib for c in companies]).values_list("nib", "pk"))
    added = 0
    by_day: dict[date, list[_Company]] = {}
    for company in companies:
        if company.nib not in known:
            by_day.setdefault(company.registered, []).append(company)
    wages = wage_ratebook()
    for day, todays in sorted(by_day.items()):
        requests = [
            EmployerRequest(
                name=c.name,
                village_code=c.village,
                sector=c.sector,
                workforce=max(c.workforce, 1),
                nib=c.nib,
            )
            for c in todays
        ]
        with transaction.atomic():
            book = EmployerBook.load(requests=requests, wages=wages, now=_at(day))
            plans = [employer_check(request, book) for request in requests]
            refused = [plan for plan in plans if not isinstance(plan, EmployerPlan)]
            if refused:
                raise ValidationError({"formal": [str(problem.message) for problem in refused[0]]})
            employers_apply(plans)
        added += len(plans)
    employers = {e.nib: e for e in Employer.objects.filter(nib__in=[c.nib for c in companies])}
    for company in companies:
        company.employer = employers[company.nib]
    return added


def _workers_enrol(workers: list, outlet: Outlet) -> int:
    registered = set(
        Participant.objects.filter(nik__in=[w.nik for _day, _company, w in workers]).values_list(
            "nik", flat=True
        )
    )
    context = BulkRegistrationContext.load(ratebook=ratebook())
    added = 0
    by_day: dict[date, list] = {}
    for day, company, worker in workers:
        if worker.nik not in registered:
            by_day.setdefault(day, []).append((company, worker))
    for day, todays in sorted(by_day.items()):
        for start in range(0, len(todays), CHUNK):
            requests = [
                EmploymentStart(
                    employer=company.employer,
                    nik=worker.nik,
                    wage=3_000_000 + (company.index + serial) % 11 * 500_000,
                    first_month=Month.from_date(day),
                    worker=Worker(
                        name=worker.row[1],
                        birth_date=date.fromisoformat(worker.row[2]),
                        sex=worker.row[3],
                        village_code=worker.row[5],
                        occupation_code=worker.row[6],
                        outlet=outlet,
                        phone=worker.row[4],
                    ),
                )
                for serial, (company, worker) in enumerate(todays[start : start + CHUNK])
            ]
            with transaction.atomic():
                book = EmploymentBook.load(requests=requests, context=context, now=_at(day))
                plans = [employment_check(request, book) for request in requests]
                refused = [plan for plan in plans if not isinstance(plan, EmploymentPlan)]
                if refused:
                    raise ValidationError({"formal": [str(problem.message) for problem in refused[0]]})
                employments_apply(plans, book)
            added += len(plans)
    return added
