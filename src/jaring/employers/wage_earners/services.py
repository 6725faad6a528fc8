"""Wage earners at their employers: the one check and the one set-based apply every channel takes.

Three business actions, each a request: ``EmploymentStart`` (an employer enrols a worker from a month,
at a monthly wage: a NIK not yet registered is registered through the registration path in the wage
earners' segment; a registered one, a BPU worker taking a job say, is linked and keeps the number),
``EmploymentEnd`` (the last month of a job) and ``WageChange`` (a new wage from a month).
``employment_check`` judges one against an ``EmploymentBook`` (the participants the list names, their
employments, the registration lookups; read in bulk, the participants' standing rows locked) and answers
a plan or the problems that refuse it; a plan carries warnings (a second employer in the same months)
that do not refuse it. ``employments_apply`` writes a list of plans set-based: the registrations, the
rows closed and opened, and the moves between segments in the tallies, in the caller's transaction.
``employment_start``, ``employment_end`` and ``wage_change`` are lists of one, audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.channels.models import Agent, Outlet
from jaring.common.clock import local_date, month_of
from jaring.common.errors import Problem, problems_error
from jaring.common.text import has_control_character
from jaring.employers.models import Employer, Employment
from jaring.members.models import Participant, Standing
from jaring.members.queries import identifier_parse
from jaring.members.services.registration import (
    RegistrationBook,
    RegistrationPlan,
    RegistrationRequest,
    registration_check,
    registrations_apply,
)
from jaring.members.validation import RegistrationContext
from jaring.rules.money import format_rupiah
from jaring.rules.months import Month
from jaring.rules.segments import PU
from jaring.tallies.writer import TallyBatch, Who

# Not a rule: the bounds of a monthly wage, to refuse typing errors (three zeros too many) and signs.
# The largest wages reported in Indonesia are a few hundred million rupiah a month.
WAGE_MIN = 1
WAGE_MAX = 1_000_000_000
# How far ahead a job, a wage or an end may be stated: the next month (an employer enrolling a worker
# who starts on the first), not beyond.
MONTHS_AHEAD = 1
# What a wage earner registered by an employer is given for paying for themselves, should they one day:
# the mandatory programmes, on their wage within the BPU schedule's bounds.
WAGE_EARNER_PROGRAMMES = "JKK+JKM"


@dataclass(frozen=True)
class Worker:
    """A worker's details, needed when the NIK is not registered yet (the registration's fields)."""

    name: str
    birth_date: date | None
    sex: str | None
    village_code: str
    occupation_code: str
    outlet: Outlet | None  # where the registration is credited: the employer's outlet or branch counter
    agent: Agent | None = None
    phone: str = ""


@dataclass(frozen=True)
class EmploymentStart:
    """An employer takes on the worker named by ``nik`` (a NIK, or a participant number) from
    ``first_month`` at ``wage`` a month; ``worker`` registers them when the NIK is new."""

    employer: Employer
    nik: str
    wage: int | str | None
    first_month: Month | str | None
    worker: Worker | None = None


@dataclass(frozen=True)
class EmploymentEnd:
    """The worker's job at the employer ends: ``last_month`` is its last month."""

    employer: Employer
    nik: str
    last_month: Month | str | None


@dataclass(frozen=True)
class WageChange:
    """The worker's wage at the employer is ``wage`` from ``first_month``."""

    employer: Employer
    nik: str
    wage: int | str | None
    first_month: Month | str | None


EmploymentRequest = EmploymentStart | EmploymentEnd | WageChange


@dataclass(eq=False)
class Job:
    """An employment row as the book holds it: read (``pk``), or opened by a plan of the list."""

    employer: Employer
    wage: int
    first: Month
    last: Month | None
    pk: int | None = None
    closed: bool = False  # its ``last`` was set by a plan of this list

    def covers_from(self, month: Month) -> bool:
        """Whether the job runs in ``month`` or any later month."""
        return self.last is None or self.last >= month


@dataclass(eq=False)
class Person:
    """A participant the list names: registered (``participant``) or registered by a plan of the list,
    with their jobs as read (``before``) and as the list leaves them (``jobs``)."""

    participant: Participant | None
    registration: RegistrationPlan | None
    jobs: list[Job] = field(default_factory=list)
    before: tuple | None = None  # None: registered by this list, no move counted yet

    @property
    def number(self) -> str:
        return self.participant.number if self.participant else self.registration.number

    def who(self) -> tuple[Who, date]:
        """The dimensions the participant is counted under and the day they were registered."""
        if self.participant is not None:
            return Who.of(self.participant), local_date(self.participant.registered_at)
        plan = self.registration
        who = Who(
            plan.office_id or 0,
            plan.outlet.pk,
            plan.agent.pk if plan.agent else 0,
            plan.outlet.partner.kind,
            plan.segment,
        )
        return who, local_date(plan.clean.registered_at)

    def stretches(self) -> list[tuple[Month, Month | None]]:
        return [(job.first, job.last) for job in self.jobs]


@dataclass
class EmploymentPlan:
    """An accepted request: the person, the job it opens (start, wage change) and the one it closes
    (end, wage change), and its warnings."""

    action: str  # "start", "end", "wage"
    person: Person
    employer: Employer
    opens: Job | None
    closes: Job | None
    warnings: list[Problem] = field(default_factory=list)

    @property
    def registered(self) -> bool:
        """Whether the plan registers the worker (a NIK new to jaring)."""
        return self.person.registration is not None


@dataclass
class EmploymentBook:
    """What the checks of a list read: the participants named (by NIK or number), their employments,
    and the registration lookups for the new NIKs; held and advanced as plans are accepted, so a list
    ends as the same requests sent one at a time."""

    registrations: RegistrationBook
    now: datetime
    people: dict[str, Person] = field(default_factory=dict)  # by NIK
    numbers: dict[int, str] = field(default_factory=dict)  # participant id -> NIK

    @classmethod
    def load(cls, *, requests: list[EmploymentRequest], context: RegistrationContext | None = None, now=None):
        """Reads the participants the requests name and their employments, locking their standing rows
        (in id order) so that two lists changing one worker's jobs queue: four statements whatever the
        list's length. Must run inside a transaction."""
        if context is None:
            from jaring.contributions.queries import ratebook

            context = RegistrationContext(ratebook=ratebook())
        niks, ids = set(), set()
        for request in requests:
            parsed = identifier_parse(request.nik) if not has_control_character(request.nik or "") else None
            if parsed is not None:
                (niks if parsed[0] == "nik" else ids).add(parsed[1])
        registrations = RegistrationBook.load(context=context, niks=niks, now=now)
        book = cls(registrations=registrations, now=registrations.now)
        found = dict(registrations.existing)
        if ids:
            for participant in Participant.objects.filter(pk__in=ids).select_related("outlet"):
                found[participant.nik] = participant
        if not found:
            return book
        people = {participant.pk: participant for participant in found.values()}
        list(
            Standing.objects.select_for_update(of=("self",))
            .filter(participant_id__in=sorted(people))
            .order_by("participant_id")
            .values_list("participant_id", flat=True)
        )
        for participant in people.values():
            book.people[participant.nik] = Person(participant=participant, registration=None)
            book.numbers[participant.pk] = participant.nik
        rows = Employment.objects.filter(participant_id__in=sorted(people)).select_related("employer")
        for row in rows.order_by("participant_id", "first_month", "id"):
            person = book.people[book.numbers[row.participant_id]]
            person.jobs.append(Job(row.employer, row.wage, row.first_month, row.last_month, pk=row.pk))
        for person in book.people.values():
            person.before = tuple(person.stretches())
        return book

    def person(self, text: str) -> Person | None:
        parsed = identifier_parse(text)
        if parsed is None:
            return None
        if parsed[0] == "pk":
            nik = self.numbers.get(parsed[1])
            return self.people.get(nik) if nik else None
        return self.people.get(parsed[1])


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _wage(value, problems: list[Problem]) -> int | None:
    """The wage as whole rupiah (``5.500.000`` as written in Indonesia), or None with the problem."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        problems.append(Problem("wage", "required", _("The monthly wage is required.")))
        return None
    if isinstance(value, int):
        wage = value
    else:
        text = _text(value).replace(".", "").replace(",", "").replace(" ", "")
        sign = -1 if text.startswith("-") else 1
        digits = text.removeprefix("-").removeprefix("Rp").removeprefix("rp")
        if not (digits.isascii() and digits.isdigit()):
            problems.append(Problem("wage", "invalid", _("The monthly wage is a whole number of rupiah.")))
            return None
        wage = sign * int(digits)
    if wage < WAGE_MIN:
        problems.append(Problem("wage", "range", _("The monthly wage is more than zero.")))
        return None
    if wage > WAGE_MAX:
        problems.append(
            Problem(
                "wage",
                "range",
                _("The monthly wage %(wage)s is above %(most)s: check the zeros.")
                % {"wage": format_rupiah(wage), "most": format_rupiah(WAGE_MAX)},
            )
        )
        return None
    return wage


def _month(value, field_name: str, book: EmploymentBook, problems: list[Problem]) -> Month | None:
    """A month given as ``YYYY-MM`` (or a Month), no later than the next month."""
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(Problem(field_name, "required", _("The month is required (YYYY-MM).")))
        return None
    if isinstance(value, Month):
        month = value
    else:
        try:
            month = Month.parse(value) if isinstance(value, str) else None
        except ValueError:
            month = None
        if month is None:
            problems.append(
                Problem(field_name, "invalid", _("Enter a month as YYYY-MM, for example 2025-08."))
            )
            return None
    latest = month_of(book.now) + MONTHS_AHEAD
    if month > latest:
        problems.append(
            Problem(
                field_name,
                "too_far_ahead",
                _("%(month)s is too far ahead: the latest month is %(latest)s.")
                % {"month": month, "latest": latest},
            )
        )
        return None
    return month


class _EmployerName:
    """'employer 912000111 CV Maju Jaya', made when read."""

    def __init__(self, employer: Employer) -> None:
        self.employer = employer

    def __str__(self) -> str:
        return f"{self.employer.number} {self.employer.name}"


def employment_check(request: EmploymentRequest, book: EmploymentBook) -> EmploymentPlan | list[Problem]:
    """Judges one request against the book and, when it accepts, advances the book (the worker's jobs,
    a registration's NIK taken)."""
    problems: list[Problem] = []
    employer = request.employer
    if isinstance(request, EmploymentStart | WageChange):
        wage = _wage(request.wage, problems)
        first = _month(request.first_month, "first_month", book, problems)
    else:
        last = _month(request.last_month, "last_month", book, problems)
    if employer.status != Employer.Status.ACTIVE and not isinstance(request, EmploymentEnd):
        problems.append(
            Problem(
                "employer", "closed", _("Employer %(employer)s is closed.") % {"employer": employer.number}
            )
        )
    nik = _text(request.nik)
    if has_control_character(nik):
        problems.append(
            Problem("nik", "invalid", _("Remove the control characters (such as NUL) from this text."))
        )
        return problems
    person = book.person(nik)

    if isinstance(request, EmploymentStart):
        if person is None and request.worker is None:
            problems.append(
                Problem(
                    "nik",
                    "unknown",
                    _(
                        "No participant has this NIK or number: give the worker's name, birth date, sex, "
                        "village and occupation to register them."
                    ),
                )
            )
            return problems
        if person is None:
            registration = _registration_check(request, wage, book)
            if isinstance(registration, list):
                return problems + registration
            if problems:
                # The registration was judged only to tell its problems too: the book must not keep it.
                book.registrations.taken.pop(registration.clean.nik, None)
                return problems
            person = Person(participant=None, registration=registration)
            book.people[registration.clean.nik] = person
            return _start(person, employer, wage, first)
        if problems:
            return problems
        running = [job for job in person.jobs if job.employer.pk == employer.pk and job.covers_from(first)]
        if running:
            job = running[0]
            return [
                Problem(
                    "nik",
                    "already_employed",
                    _(
                        "Participant %(number)s already works for this employer from %(first)s; change "
                        "the wage or end the job instead."
                    )
                    % {"number": person.number, "first": job.first},
                )
            ]
        return _start(person, employer, wage, first)

    if person is None:
        problems.append(Problem("nik", "unknown", _("No participant has this NIK or number.")))
        return problems
    if problems:
        return problems
    running = [job for job in person.jobs if job.employer.pk == employer.pk and job.last is None]
    if not running:
        return [
            Problem(
                "nik",
                "not_employed",
                _("Participant %(number)s has no running job at this employer.") % {"number": person.number},
            )
        ]
    job = running[0]
    if isinstance(request, EmploymentEnd):
        if last < job.first:
            return [
                Problem(
                    "last_month",
                    "before_start",
                    _("The job started in %(first)s: its last month is %(first)s or later.")
                    % {"first": job.first},
                )
            ]
        job.last, job.closed = last, True
        return EmploymentPlan("end", person, employer, opens=None, closes=job)
    if first <= job.first:
        return [
            Problem(
                "first_month",
                "not_after_start",
                _("The wage of %(first)s was set when the job started: a new wage is from a later month.")
                % {"first": job.first},
            )
        ]
    if wage == job.wage:
        return [
            Problem("wage", "unchanged", _("The wage is already %(wage)s.") % {"wage": format_rupiah(wage)})
        ]
    job.last, job.closed = first - 1, True
    opened = Job(employer, wage, first, None)
    person.jobs.append(opened)
    return EmploymentPlan("wage", person, employer, opens=opened, closes=job)


def _start(person: Person, employer: Employer, wage: int, first: Month) -> EmploymentPlan:
    others = [job for job in person.jobs if job.employer.pk != employer.pk and job.covers_from(first)]
    warnings = [
        Problem(
            "employer",
            "second_employer",
            _(
                "The worker also works for employer %(employer)s from %(first)s: both jobs stand and both "
                "employers' bills count them."
            )
            % {"employer": _EmployerName(job.employer), "first": job.first},
        )
        for job in others
    ]
    opened = Job(employer, wage, first, None)
    person.jobs.append(opened)
    return EmploymentPlan("start", person, employer, opens=opened, closes=None, warnings=warnings)


def _registration_check(
    request: EmploymentStart, wage: int | None, book: EmploymentBook
) -> RegistrationPlan | list[Problem]:
    """The worker's registration in the wage earners' segment, judged by the registration path."""
    worker = request.worker
    if worker.outlet is None:
        return [
            Problem(
                "outlet",
                "required",
                _("Name the outlet that registers the worker: this employer's branch has no counter."),
            )
        ]
    registration = RegistrationRequest(
        nik=request.nik,
        name=worker.name,
        birth_date=worker.birth_date,
        sex=worker.sex,
        village_code=worker.village_code,
        occupation_code=worker.occupation_code,
        declared_income=_declared_income(wage, book),
        programmes=WAGE_EARNER_PROGRAMMES,
        outlet=worker.outlet,
        agent=worker.agent,
        phone=worker.phone,
        segment=PU,
    )
    return registration_check(registration, book.registrations)


def _declared_income(wage: int | None, book: EmploymentBook) -> int | None:
    """The income a wage earner would pay on for themselves: the wage within the BPU schedule's bounds
    (a wage below the minimum declared income is paid on at the minimum)."""
    try:
        schedule = book.registrations.context.ratebook.schedule_for(month_of(book.now))
    except LookupError:
        return wage or 0
    # No wage (its own problem is told): the minimum, so that the registration tells only its own.
    income = schedule.min_income if wage is None else max(wage, schedule.min_income)
    return income if schedule.max_income is None else min(income, schedule.max_income)


def employments_apply(plans: list[EmploymentPlan], book: EmploymentBook) -> list[Employment]:
    """Writes the accepted plans: the registrations they make, the jobs they close (one statement) and
    open (one), and the moves between segments in the tallies (one grouped upsert). Answers the rows
    opened, in the plans' order (a plan that only closes answers the row closed). Must run inside a
    transaction, after ``EmploymentBook.load``."""
    registrations = [plan.person.registration for plan in plans if plan.registered]
    registrations = list({id(r): r for r in registrations}.values())
    registrations_apply(registrations, book.registrations)
    for person in {id(plan.person): plan.person for plan in plans}.values():
        if person.participant is None:
            person.participant = Participant(pk=person.registration.pk)
            person.participant.nik = person.registration.clean.nik
    closed = {id(plan.closes): plan.closes for plan in plans if plan.closes is not None and plan.closes.pk}
    if closed:
        Employment.objects.bulk_update(
            [Employment(pk=job.pk, last_month=job.last) for job in closed.values()], ["last_month"]
        )
    opened = {id(plan.opens): (plan, plan.opens) for plan in plans if plan.opens is not None}
    rows = Employment.objects.bulk_create(
        Employment(
            participant_id=plan.person.participant.pk,
            employer=job.employer,
            wage=job.wage,
            first_month=job.first,
            last_month=job.last,
        )
        for plan, job in opened.values()
    )
    for (_plan, job), row in zip(opened.values(), rows, strict=True):
        job.pk = row.pk
    tallies = TallyBatch()
    for person in {id(plan.person): plan.person for plan in plans}.values():
        who, registered_on = _who_of(person)
        now = tuple(person.stretches())
        tallies.segments(who, registered_on, person.before, now)
        person.before = now
    tallies.write()
    by_job = {row.pk: row for row in rows}
    answers = []
    for plan in plans:
        job = plan.opens or plan.closes
        row = by_job.get(job.pk) or Employment(
            pk=job.pk,
            participant_id=plan.person.participant.pk,
            employer=job.employer,
            wage=job.wage,
            first_month=job.first,
            last_month=job.last,
        )
        answers.append(row)
    return answers


def _who_of(person: Person) -> tuple[Who, date]:
    """The person's dimensions: of the registration plan when the list registered them."""
    if person.registration is not None:
        return Person(participant=None, registration=person.registration).who()
    return person.who()


@dataclass(frozen=True)
class EmploymentResult:
    """What a single-record call answers: the row opened (or closed), the participant (with their
    number), whether they were registered now, and the warnings."""

    employment: Employment
    participant: Participant
    registered: bool
    warnings: tuple[Problem, ...]


def _one(request: EmploymentRequest, *, actor, said) -> EmploymentResult:
    with transaction.atomic():
        book = EmploymentBook.load(requests=[request])
        outcome = employment_check(request, book)
        if isinstance(outcome, list):
            raise problems_error(outcome)
        (row,) = employments_apply([outcome], book)
        participant = outcome.person.participant
        if outcome.registered:
            participant = Participant.objects.select_related("outlet", "standing").get(pk=participant.pk)
        if actor is not None:
            if outcome.registered:
                audit(
                    actor,
                    "create",
                    obj=participant,
                    after=participant,
                    summary=Said(
                        gettext_noop("registered as a wage earner of employer %(employer)s"),
                        {"employer": request.employer.number},
                    ),
                )
            audit(actor, "create" if outcome.opens else "update", obj=row, after=row, summary=said(outcome))
        return EmploymentResult(row, participant, outcome.registered, tuple(outcome.warnings))


def employment_start(
    *,
    employer: Employer,
    nik: str,
    wage: int | str | None,
    first_month: Month | str | None,
    worker: Worker | None = None,
    actor=None,
) -> EmploymentResult:
    """Enrols the worker named by ``nik`` (NIK or participant number) at ``employer`` from
    ``first_month`` at ``wage``: a registered participant keeps their number; a new NIK is registered in
    the wage earners' segment (``worker`` gives the details). Raises ``ValidationError`` per field and
    writes nothing when refused; a second employer in the same months is a warning in the result."""
    request = EmploymentStart(employer=employer, nik=nik, wage=wage, first_month=first_month, worker=worker)
    return _one(
        request,
        actor=actor,
        said=lambda plan: Said(
            gettext_noop("employed by %(employer)s from %(first)s at %(wage)s a month"),
            {"employer": employer.number, "first": str(plan.opens.first), "wage": plan.opens.wage},
        ),
    )


def employment_end(
    *, employer: Employer, nik: str, last_month: Month | str | None, actor=None
) -> EmploymentResult:
    """Ends the worker's running job at ``employer`` with ``last_month`` its last month."""
    request = EmploymentEnd(employer=employer, nik=nik, last_month=last_month)
    return _one(
        request,
        actor=actor,
        said=lambda plan: Said(
            gettext_noop("job at %(employer)s ended with %(last)s"),
            {"employer": employer.number, "last": str(plan.closes.last)},
        ),
    )


def wage_change(
    *, employer: Employer, nik: str, wage: int | str | None, first_month: Month | str | None, actor=None
) -> EmploymentResult:
    """Sets the worker's wage at ``employer`` from ``first_month``: the running row ends the month before
    and a row with the new wage runs from it."""
    request = WageChange(employer=employer, nik=nik, wage=wage, first_month=first_month)
    return _one(
        request,
        actor=actor,
        said=lambda plan: Said(
            gettext_noop("wage at %(employer)s %(wage)s a month from %(first)s"),
            {"employer": employer.number, "first": str(plan.opens.first), "wage": plan.opens.wage},
        ),
    )
