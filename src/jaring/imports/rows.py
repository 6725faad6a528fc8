"""Rows of a file, as requests of the one path: each kind's text row is parsed into the request the
channels' single-record calls make (registration, payment, deposit), and a chunk of rows is judged by the
same checks and written by the same set-based apply, as one list.

What is the file's own business stays here: reading text (whole numbers written ``16.800``, dates
``YYYY-MM-DD``, outlets and agents by code). Everything else (the future, the price, the agent's
standing, a reference or a NIK seen before, earlier in the file or elsewhere) is the checks', with the
same reason codes on every channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jaring.channels.models import Agent, Outlet
from jaring.common.clock import local_date, parse_day, parse_moment
from jaring.common.errors import Problem
from jaring.common.text import CONTROL_CODE, has_control_character
from jaring.contributions.queries import wage_ratebook
from jaring.contributions.services.book import earliest_day
from jaring.contributions.services.checks import (
    DepositRequest,
    PaymentRequest,
    Replay,
)
from jaring.contributions.services.ledger import ReferencesTaken, ledger_record, outlet_source
from jaring.employers.services import (
    EmployerBook,
    EmployerPlan,
    EmployerRequest,
    employer_check,
    employers_apply,
)
from jaring.members.services.registration import (
    RegistrationBook,
    RegistrationPlan,
    RegistrationRequest,
    registration_check,
    registrations_apply,
)
from jaring.members.validation import BulkRegistrationContext
from jaring.rules.participant_number import participant_number


@dataclass(slots=True)
class RowResult:
    """What became of one row: accepted (with the participant number and the record's id), a duplicate
    of what was recorded before (nothing new; the first record's id), or rejected with its reasons.

    ``codes`` are the stable ``field:code`` reasons (``nik:duplicate``) for counting; ``errors`` are the
    messages for people, per field.
    """

    row: int
    status: str = "rejected"  # or "accepted", "duplicate"
    errors: dict[str, list[str]] | None = None  # made at the first problem: most rows have none
    codes: list[str] | tuple = ()
    number: str = ""
    record_id: int | None = None
    historical: bool = False  # accepted with a date before the grace window for late records

    def fail(self, field_name: str, message: str, code: str = "invalid") -> None:
        self.status = "rejected"
        self.note(field_name, message, code)

    def note(self, field_name: str, message: str, code: str) -> None:
        if self.errors is None:
            self.errors, self.codes = {}, []
        self.errors.setdefault(field_name, []).append(str(message))
        self.codes.append(f"{field_name}:{code}")

    def refuse(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.fail(problem.field, problem.message, problem.code)

    @property
    def reason(self) -> str:
        if not self.errors:
            return ""
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in self.errors.items())


@dataclass
class RegistrationRow:
    """One registration as it arrived (text fields, as in a file)."""

    row: int
    nik: str
    name: str
    birth_date: str
    sex: str
    phone: str
    village_code: str
    occupation: str
    declared_income: str
    programmes: str
    outlet_code: str
    agent_code: str = ""
    registered_at: str = ""
    event_code: str = ""


@dataclass
class PaymentRow:
    """One payment as it arrived: the participant by NIK or participant number."""

    row: int
    nik: str
    months: str
    amount: str
    paid_at: str
    outlet_code: str
    reference: str
    agent_code: str = ""


@dataclass
class DepositRow:
    """One deposit (daily collection) as it arrived."""

    row: int
    nik: str
    amount: str
    collected_at: str
    outlet_code: str
    reference: str
    agent_code: str = ""


@dataclass
class EmployerRow:
    """One employer as it arrived (text fields, as in a file)."""

    row: int
    name: str
    village_code: str
    sector: str
    workforce: str
    nib: str
    npwp: str
    risk_class: str
    size: str
    outlet_code: str = ""
    agent_code: str = ""


_SEX = {"M": "M", "L": "M", "F": "F", "P": "F"}
# Messages made only when a cell is unreadable (translating a message costs more than reading a cell).
MONTHS_MESSAGE = gettext_lazy("The number of months is a whole number (1, 3, 6 or 12).")
AMOUNT_MESSAGE = gettext_lazy("The amount is a positive whole number of rupiah.")
PAID_AT_MESSAGE = gettext_lazy("The payment date is written YYYY-MM-DD.")
COLLECTED_AT_MESSAGE = gettext_lazy("The collection date is written YYYY-MM-DD.")
REGISTERED_AT_MESSAGE = gettext_lazy("The registration date is written YYYY-MM-DD.")
DUPLICATE_MESSAGE = gettext_lazy("Already recorded with this reference; nothing was added.")
CONTROL_MESSAGE = gettext_lazy("Remove the control characters (such as NUL) from this text.")


class _Reader:
    """Reads one row's text cells, collecting a problem per unreadable cell."""

    def __init__(self, context) -> None:
        self.context = context
        self.problems: list[Problem] = []

    def outlet(self, code: str) -> Outlet | None:
        outlet = self.context.outlets.get(code.strip())
        if outlet is None and has_control_character(code):
            self.problems.append(Problem("outlet_code", CONTROL_CODE, CONTROL_MESSAGE))
        elif outlet is None:
            message = _("Unknown outlet %(code)s.") % {"code": code or "-"}
            self.problems.append(Problem("outlet_code", "unknown", message))
        return outlet

    def agent(self, code: str) -> Agent | None:
        if not code.strip():
            return None
        agent = self.context.agents.get(code.strip())
        if agent is None and has_control_character(code):
            self.problems.append(Problem("agent_code", CONTROL_CODE, CONTROL_MESSAGE))
        elif agent is None:
            self.problems.append(
                Problem("agent_code", "unknown", _("Unknown agent %(code)s.") % {"code": code})
            )
        return agent

    def whole(self, text: str, field_name: str, message: str) -> int | None:
        text = (text or "").strip().replace(".", "").replace(",", "")
        if text.isdigit() and int(text) > 0:
            return int(text)
        self.problems.append(Problem(field_name, "invalid", message))
        return None

    def moment(self, text: str, field_name: str, message: str) -> datetime | None:
        """None for an empty cell (now, as a call without a date); a problem when unreadable."""
        if not text.strip():
            return None
        moment = parse_moment(text)
        if moment is None:
            self.problems.append(Problem(field_name, "invalid", message))
        return moment


def registration_request(
    row: RegistrationRow, context, history_allowed: bool = False
) -> RegistrationRequest | list[Problem]:
    read = _Reader(context)
    outlet = read.outlet(row.outlet_code)
    agent = read.agent(row.agent_code)
    birth_date = parse_day(row.birth_date)
    if row.birth_date.strip() and birth_date is None:
        read.problems.append(
            Problem("birth_date", "invalid", _("The birth date is written YYYY-MM-DD or DD/MM/YYYY."))
        )
    registered_at = read.moment(row.registered_at, "registered_at", REGISTERED_AT_MESSAGE)
    if read.problems:
        return read.problems
    return RegistrationRequest(
        nik=row.nik,
        name=row.name,
        birth_date=birth_date,
        sex=_SEX.get(row.sex.strip().upper(), row.sex),
        phone=row.phone,
        village_code=row.village_code,
        occupation_code=row.occupation,
        declared_income=row.declared_income,
        programmes=row.programmes,
        outlet=outlet,
        agent=agent,
        registered_at=registered_at,
        event_code=row.event_code,
        history_allowed=history_allowed,
    )


def payment_request(
    row: PaymentRow, context, history_allowed: bool = False
) -> PaymentRequest | list[Problem]:
    read = _Reader(context)
    outlet = read.outlet(row.outlet_code)
    agent = read.agent(row.agent_code)
    months = read.whole(row.months, "months", MONTHS_MESSAGE)
    amount = read.whole(row.amount, "amount", AMOUNT_MESSAGE)
    paid_at = read.moment(row.paid_at, "paid_at", PAID_AT_MESSAGE)
    if read.problems:
        return read.problems
    return PaymentRequest(
        participant=row.nik.strip(),
        months=months,
        amount=amount,
        source=outlet_source(outlet),
        reference=row.reference.strip(),
        paid_at=paid_at,
        outlet=outlet,
        agent=agent,
        history_allowed=history_allowed,
    )


def deposit_request(
    row: DepositRow, context, history_allowed: bool = False
) -> DepositRequest | list[Problem]:
    read = _Reader(context)
    outlet = read.outlet(row.outlet_code)
    agent = read.agent(row.agent_code)
    amount = read.whole(row.amount, "amount", AMOUNT_MESSAGE)
    collected_at = read.moment(row.collected_at, "collected_at", COLLECTED_AT_MESSAGE)
    if read.problems:
        return read.problems
    return DepositRequest(
        participant=row.nik.strip(),
        amount=amount,
        source=outlet_source(outlet),
        reference=row.reference.strip(),
        collected_at=collected_at,
        outlet=outlet,
        agent=agent,
        history_allowed=history_allowed,
    )


def employer_request(
    row: EmployerRow, context, history_allowed: bool = False
) -> EmployerRequest | list[Problem]:
    """The row as the request every channel makes; the outlet is optional (the operator's command line
    registers for the branch), every other cell is the check's to judge."""
    read = _Reader(context)
    outlet = read.outlet(row.outlet_code) if row.outlet_code.strip() else None
    agent = read.agent(row.agent_code)
    if read.problems:
        return read.problems
    return EmployerRequest(
        name=row.name,
        village_code=row.village_code,
        sector=row.sector,
        workforce=row.workforce,
        nib=row.nib,
        npwp=row.npwp,
        risk_class=row.risk_class,
        size=row.size,
        outlet=outlet,
        agent=agent,
    )


@dataclass
class RowContext:
    """What reading payment and deposit rows needs: the rate book and every outlet and agent by code."""

    ratebook: object
    outlets: dict[str, Outlet] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    # The file's references are presumed new (not looked up before a chunk is judged) until a chunk
    # finds one taken; see ``ledger_record``.
    references_new: bool = True

    @classmethod
    def load(cls, *, ratebook) -> RowContext:
        return cls(
            ratebook=ratebook,
            outlets={outlet.code: outlet for outlet in Outlet.objects.select_related("partner")},
            agents={agent.code: agent for agent in Agent.objects.all()},
        )


def _parsed(
    rows, parse: Callable, context, history_allowed: bool
) -> tuple[list[RowResult], list[tuple[RowResult, object]]]:
    results, requests = [], []
    for row in rows:
        result = RowResult(row=row.row)
        results.append(result)
        request = parse(row, context, history_allowed)
        if isinstance(request, list):
            result.refuse(request)
        else:
            requests.append((result, request))
    return results, requests


def registration_rows_apply(
    rows: list[RegistrationRow],
    *,
    context: BulkRegistrationContext,
    now: datetime,
    history_allowed: bool = False,
):
    """Checks and registers a chunk of rows as one list; one result per row, in order. Must run inside a
    transaction. ``history_allowed``: the file's sender may date rows before the grace window for late
    records (the operator's command line, an administrator's upload); such rows are marked
    ``historical``."""
    results, requests = _parsed(rows, registration_request, context, history_allowed)
    book = RegistrationBook.load(
        context=context, niks=[request.nik for _result, request in requests], now=now
    )
    outcomes = [(result, registration_check(request, book)) for result, request in requests]
    registrations_apply([plan for _result, plan in outcomes if isinstance(plan, RegistrationPlan)], book)
    for result, outcome in outcomes:
        if isinstance(outcome, RegistrationPlan):
            result.status, result.number, result.record_id = (
                "accepted",
                participant_number(outcome.pk),
                outcome.pk,
            )
            result.historical = book.too_old(outcome.clean.registered_at)
            for warning in outcome.warnings[len(outcome.clean.warnings) :]:  # the probable duplicates'
                result.note("nik", warning, "probable_duplicate")
        else:
            result.refuse(outcome)  # after the apply: a refusal may name a registration of this list
    return results


def payment_rows_apply(
    rows: list[PaymentRow], *, context: RowContext, now: datetime, history_allowed: bool = False
) -> list[RowResult]:
    """Checks and records a chunk of payments as one list; one result per row, in order. Must run
    inside a transaction. ``history_allowed`` as for registrations."""
    return _ledger_rows_apply(
        rows, payment_request, context=context, now=now, history_allowed=history_allowed
    )


def deposit_rows_apply(
    rows: list[DepositRow], *, context: RowContext, now: datetime, history_allowed: bool = False
) -> list[RowResult]:
    """Checks and records a chunk of deposits as one list; one result per row, in order."""
    return _ledger_rows_apply(
        rows, deposit_request, context=context, now=now, history_allowed=history_allowed
    )


def _ledger_rows_apply(rows, parse: Callable, *, context: RowContext, now: datetime, history_allowed: bool):
    results, requests = _parsed(rows, parse, context, history_allowed)
    listed = [request for _result, request in requests]
    outcomes = None
    if context.references_new:
        try:
            outcomes = ledger_record(listed, now=now, references_read=False)
        except ReferencesTaken:
            # A reference of this file was recorded before (a file sent again): this chunk and the
            # next ones are judged with their references read first.
            context.references_new = False
    if outcomes is None:
        outcomes = ledger_record(listed, now=now)
    first_day = earliest_day(context.ratebook, now) if history_allowed else None
    for (result, request), outcome in zip(requests, outcomes, strict=True):
        if isinstance(outcome, list):
            result.refuse(outcome)
            continue
        person = outcome.person
        result.number = participant_number(person.pk) if person else ""
        result.record_id = outcome.pk
        if isinstance(outcome, Replay):
            result.note("reference", DUPLICATE_MESSAGE, "duplicate")
            result.status = "duplicate"
        else:
            result.status = "accepted"
            stated = request.paid_at if isinstance(request, PaymentRequest) else request.collected_at
            result.historical = bool(first_day and stated and local_date(stated) < first_day)
    return results


def employer_rows_apply(
    rows: list[EmployerRow], *, context: RowContext, now: datetime, history_allowed: bool = False
) -> list[RowResult]:
    """Checks and registers a chunk of employers as one list (the book read once for the chunk); one
    result per row, in order, the employer's number in the number column. Must run inside a
    transaction."""
    results, requests = _parsed(rows, employer_request, context, history_allowed)
    book = EmployerBook.load(
        requests=[request for _result, request in requests], wages=wage_ratebook(), now=now
    )
    outcomes = [(result, employer_check(request, book)) for result, request in requests]
    employers_apply([plan for _result, plan in outcomes if isinstance(plan, EmployerPlan)])
    for result, outcome in outcomes:
        if isinstance(outcome, EmployerPlan):
            result.status, result.number, result.record_id = "accepted", outcome.number, outcome.pk
        else:
            result.refuse(outcome)  # after the apply: a refusal may name an employer of this list
    return results
