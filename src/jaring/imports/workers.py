"""A file of an employer's wage earners: each row the request ``jaring employer enrol`` makes
(``EmploymentStart``), a chunk of rows judged by ``employment_check`` and written by
``employments_apply`` as one list.

What is the file's own business stays here: the employer named by its registration number, NIB or NPWP
(the chunk's employers read in one statement), the birth date as text, and where a new NIK is registered:
the employer's enrolment outlet (``employers.queries.enrolment_outlet``), worked out once per employer
and chunk. The wage, the month, the NIK registered or not, the worker's details and the second employer
are the checks', with the same reason codes as the command line.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from jaring.channels.models import Outlet
from jaring.common.clock import parse_day
from jaring.common.errors import Problem
from jaring.common.text import has_control_character
from jaring.employers.models import Employer
from jaring.employers.queries import enrolment_outlet
from jaring.employers.wage_earners.services import (
    EmploymentBook,
    EmploymentPlan,
    EmploymentStart,
    Worker,
    employment_check,
    employments_apply,
)
from jaring.imports.rows import _SEX, CONTROL_MESSAGE, RowResult
from jaring.members.validation import BulkRegistrationContext
from jaring.rules.business_ids import IdentifierError, parse_nib, parse_npwp
from jaring.rules.employer_number import NUMBER_DIGITS, employer_seq


@dataclass
class WorkerRow:
    """One worker taken on by an employer, as it arrived (text fields, as in a file)."""

    row: int
    employer: str
    nik: str
    name: str
    birth_date: str
    sex: str
    phone: str
    village_code: str
    occupation: str
    wage: str
    first_month: str


def employers_named(texts) -> dict[str, Employer]:
    """The employers the texts name (registration number, NIB or NPWP, as ``employer_find`` reads them),
    by the text as given; one statement whatever their number. A text naming none is left out."""
    wanted: dict[tuple[str, object], list[str]] = {}
    for text in set(texts):
        given = (text or "").strip()
        if not given or has_control_character(given):
            continue
        if len(given) == NUMBER_DIGITS:
            with suppress(ValueError):  # a mistyped number (its check digit) names nobody
                wanted.setdefault(("pk", employer_seq(given)), []).append(text)
            continue
        for parse, field_name in ((parse_nib, "nib"), (parse_npwp, "npwp")):
            try:
                wanted.setdefault((field_name, parse(given)), []).append(text)
                break
            except IdentifierError:
                continue
    if not wanted:
        return {}
    keys: dict[str, set] = {"pk": set(), "nib": set(), "npwp": set()}
    for field_name, value in wanted:
        keys[field_name].add(value)
    condition = Q()
    for field_name, values in keys.items():
        if values:
            condition |= Q(**{f"{field_name}__in": sorted(values)})
    named: dict[str, Employer] = {}
    for employer in Employer.objects.filter(condition).order_by("pk"):
        for key in (("pk", employer.pk), ("nib", employer.nib), ("npwp", employer.npwp)):
            for text in wanted.get(key, ()):
                named.setdefault(text, employer)
    return named


class _Chunk:
    """The employers a chunk names and where each enrols a new worker, read once for the chunk."""

    def __init__(self, rows: list[WorkerRow]) -> None:
        self.employers = employers_named(row.employer for row in rows)
        self.outlets: dict[int, Outlet | None] = {}

    def outlet(self, employer: Employer) -> Outlet | None:
        if employer.pk not in self.outlets:
            self.outlets[employer.pk] = enrolment_outlet(employer)
        return self.outlets[employer.pk]


def _unknown_employer(text: str) -> Problem:
    if has_control_character(text):
        return Problem("employer", "invalid", CONTROL_MESSAGE)
    return Problem(
        "employer",
        "unknown",
        _("No employer has the registration number, NIB or NPWP %(employer)s.") % {"employer": text or "-"},
    )


def worker_request(row: WorkerRow, chunk: _Chunk) -> EmploymentStart | list[Problem]:
    """The row as the request ``jaring employer enrol`` makes: the worker's details are read when any is
    given (the check uses them only for a NIK not registered yet)."""
    problems: list[Problem] = []
    employer = chunk.employers.get(row.employer)
    if employer is None:
        problems.append(_unknown_employer(row.employer.strip()))
    birth_date = parse_day(row.birth_date)
    if row.birth_date.strip() and birth_date is None:
        problems.append(
            Problem("birth_date", "invalid", _("The birth date is written YYYY-MM-DD or DD/MM/YYYY."))
        )
    if problems:
        return problems
    details = (row.name, row.birth_date, row.sex, row.village_code, row.occupation)
    worker = None
    if any(cell.strip() for cell in details):
        sex = row.sex.strip().upper()
        worker = Worker(
            name=row.name,
            birth_date=birth_date,
            sex=_SEX.get(sex, sex) or None,
            village_code=row.village_code.strip(),
            occupation_code=row.occupation.strip(),
            phone=row.phone,
            outlet=chunk.outlet(employer),
        )
    return EmploymentStart(
        employer=employer, nik=row.nik, wage=row.wage, first_month=row.first_month, worker=worker
    )


def worker_rows_apply(
    rows: list[WorkerRow], *, context: BulkRegistrationContext, now: datetime, history_allowed: bool = False
) -> list[RowResult]:
    """Checks and enrols a chunk of workers as one list (the book read once for the chunk); one result
    per row, in order: the participant number and the employment's id for an accepted row, a second
    employer noted beside it. Must run inside a transaction. A row states no moment (a new worker is
    registered now, a job may start in any month up to the next), so ``history_allowed`` changes
    nothing here."""
    chunk = _Chunk(rows)
    results, requests = [], []
    for row in rows:
        result = RowResult(row=row.row)
        results.append(result)
        request = worker_request(row, chunk)
        if isinstance(request, list):
            result.refuse(request)
        else:
            requests.append((result, request))
    book = EmploymentBook.load(requests=[request for _result, request in requests], context=context, now=now)
    outcomes = [(result, employment_check(request, book)) for result, request in requests]
    employments_apply([plan for _result, plan in outcomes if isinstance(plan, EmploymentPlan)], book)
    for result, outcome in outcomes:
        if isinstance(outcome, EmploymentPlan):
            result.status, result.number = "accepted", outcome.person.number
            result.record_id = outcome.opens.pk
            for warning in outcome.warnings:
                result.note(warning.field, warning.message, warning.code)
        else:
            result.refuse(outcome)  # after the apply: a refusal may name a registration of this list
    return results
