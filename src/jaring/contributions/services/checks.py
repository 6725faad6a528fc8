"""The one check of every ledger fact: payments, deposits, reversals and bill lines.

A check takes a request (typed: each channel parses its own input first) and the ``LedgerBook`` and
answers with a plan to apply, a ``Replay`` (the reference was recorded before for the same request), or
the problems (field, stable code, message) that refuse it. It reads nothing from the database and, when
it accepts, advances the book, so the next request in the list sees this one. Every channel (desk, API,
batch, file import, CLI, demo) comes through here; what a channel tells its user about a refusal is the
channel's business, the code is the same everywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from jaring.channels.models import Agent, Outlet
from jaring.common.bulk import db_json
from jaring.common.errors import Problem
from jaring.common.fingerprint import request_fingerprint
from jaring.common.text import CONTROL_CODE, has_control_character
from jaring.contributions.models import Payment
from jaring.contributions.queries import covered_months
from jaring.contributions.services.book import Entry, LedgerBook, Person
from jaring.rules.coverage import is_covered, months_for_payment, runs_from_months, runs_with
from jaring.rules.money import format_rupiah
from jaring.rules.months import Month
from jaring.rules.participant_number import participant_number

REFERENCE_LENGTH = 100


@dataclass(slots=True)
class PaymentRequest:
    """A participant's own payment for ``months`` months, named by id, NIK or participant number."""

    participant: str | int
    months: int
    amount: int
    source: str
    reference: str
    paid_at: datetime | None = None
    outlet: Outlet | None = None
    agent: Agent | None = None
    # The sender may state history: a ``paid_at`` before the grace window for late records is refused
    # (``too_old``) otherwise.
    history_allowed: bool = False


@dataclass(slots=True)
class DepositRequest:
    """An amount collected into a participant's balance (daily collection)."""

    participant: str | int
    amount: int
    source: str
    reference: str
    collected_at: datetime | None = None
    outlet: Outlet | None = None
    agent: Agent | None = None
    history_allowed: bool = False  # as for payments


@dataclass(slots=True)
class ReversalRequest:
    """Cancelling ledger entry ``payment_id`` of participant ``participant``."""

    participant: int
    payment_id: int
    reason: str
    source: str
    reference: str
    reversed_at: datetime | None = None
    history_allowed: bool = False  # as for payments: an earlier ``reversed_at`` moves closed figures


@dataclass(slots=True)
class BillLineRequest:
    """A payer paying one member's month on its bill."""

    participant: int
    bill_id: int
    month: Month
    programmes: str
    payer_kind: str
    outlet: Outlet | None
    paid_at: datetime | None = None
    history_allowed: bool = False  # as for payments


@dataclass(slots=True)
class EmployerBillLineRequest:
    """An employer paying one worker's month on its bill: ``source`` names the bill, ``amount`` and
    ``breakdown`` (JSON text) are the line as priced when the bill was issued."""

    participant: int
    source: str
    month: Month
    amount: int
    breakdown: str
    paid_at: datetime | None = None


@dataclass(slots=True)
class EntryPlan:
    """A ledger entry to write. ``source`` of a month bought from a deposit is set when the deposit has
    its id; ``pk`` once written."""

    person: Person
    kind: str
    first_month: Month
    months: int
    amount: int
    breakdown: str  # JSON text
    channel: str
    outlet_id: int | None
    agent_id: int | None
    source: str
    reference: str
    fingerprint: str
    paid_at: datetime
    bill_id: int | None = None
    reverses_id: int | None = None
    reason: str = ""
    deposit: DepositPlan | None = None
    pk: int | None = None
    originally_paid_at: datetime | None = None  # an entry moved by a merge: when it was first paid


@dataclass(slots=True)
class DepositPlan:
    person: Person
    amount: int
    balance_after: int
    outlet_id: int | None
    agent_id: int | None
    source: str
    reference: str
    fingerprint: str
    collected_at: datetime
    purchases: list[EntryPlan] = field(default_factory=list)
    pk: int | None = None


@dataclass(frozen=True)
class Replay:
    """The reference was used before for this same request: nothing new is recorded. ``first`` is the
    entry or deposit recorded then (an id, or the plan of an earlier request in the same list)."""

    first: int | EntryPlan | DepositPlan
    person: Person | None = None

    @property
    def pk(self) -> int | None:
        return self.first if isinstance(self.first, int) else self.first.pk


Outcome = EntryPlan | DepositPlan | Replay | list[Problem]


def payment_fingerprint(
    *, participant_id: int, months: int, amount: int, outlet: Outlet | None, agent: Agent | None, paid_at
) -> str:
    """What makes two payment requests under one reference the same request, for every channel alike:
    ``request_fingerprint`` of these fields, written out (this runs for every row of every file)."""
    text = (
        f"agent={agent.pk if agent else None!r}|amount={amount!r}|months={months!r}"
        f"|outlet={outlet.pk if outlet else None!r}|paid_at={paid_at.isoformat() if paid_at else None!r}"
        f"|participant={participant_id!r}"
    )
    return hashlib.sha256(text.encode()).hexdigest()


def deposit_fingerprint(
    *, participant_id: int, amount: int, outlet: Outlet | None, agent: Agent | None, collected_at
) -> str:
    return request_fingerprint(
        {
            "participant": participant_id,
            "amount": amount,
            "outlet": outlet.pk if outlet else None,
            "agent": agent.pk if agent else None,
            "collected_at": collected_at.isoformat() if collected_at else None,
        }
    )


def payment_check(request: PaymentRequest, book: LedgerBook) -> Outcome:
    """Judges a payment: the months are the next unpaid ones (arrears first, for at most the policy's
    months back) or, for a lapsed participant, start at the month of payment; the amount must be their
    price, each month priced with the schedule in force for that month."""
    problems = _reference_problems(request.reference) + _amount_problems(request.amount)
    if isinstance(request.months, bool) or not isinstance(request.months, int) or request.months < 1:
        problems.append(
            Problem("months", "invalid", _("The number of months is a whole number (1, 3, 6 or 12)."))
        )
    if problems:
        return problems
    person = book.person(request.participant)
    if person is None:
        return [_unknown_participant()]
    fingerprint = payment_fingerprint(
        participant_id=person.pk,
        months=request.months,
        amount=request.amount,
        outlet=request.outlet,
        agent=request.agent,
        paid_at=request.paid_at,
    )
    key = (request.source, request.reference)
    if (seen := _seen(book, "payment", key, fingerprint, person)) is not None:
        return seen
    problems = _agent_problems(request.agent) + _outlet_problems(request.outlet) + _gone(person)
    paid_at = book.latest(request.paid_at)
    if paid_at is None:
        problems.append(Problem("paid_at", "future", _("The date is in the future.")))
    elif not request.history_allowed and book.too_old(paid_at):
        problems.append(_too_old("paid_at"))
    if problems:
        return problems
    current = Month.from_date(book.days[paid_at])
    try:
        policy = book.ratebook.policy_for(current)
    except LookupError:
        return [_no_schedule(current)]
    if request.months not in policy.payment_month_counts:
        counts = ", ".join(str(count) for count in policy.payment_month_counts)
        return [Problem("months", "invalid", _("A payment covers %(counts)s months.") % {"counts": counts})]
    runs = book.runs.get(person.pk, ())
    # A list's payments share few histories (most participants pay the same months), so each
    # combination of runs, registration month, month of payment and count is judged once.
    span = (runs, person.registered_month, current, request.months)
    if (found := book.spans.get(span)) is None:
        covered = months_for_payment(
            runs, registered=person.registered_month, current=current, count=request.months, policy=policy
        )
        found = book.spans[span] = (covered, runs_with(runs, covered))
    covered, runs_after = found
    if covered[-1] > current + policy.months_ahead_max:
        message = _(
            "This payment would cover up to %(last)s: no more than %(count)s months beyond %(current)s are "
            "taken."
        ) % {"last": covered[-1], "count": policy.months_ahead_max, "current": current}
        return [Problem("months", "too_far_ahead", message)]
    price, breakdown = book.price(covered[0], request.months, person.declared_income, person.programmes)
    if price.total != request.amount:
        message = _("The amount for %(months)s months from %(first)s is %(price)s, not %(amount)s.") % {
            "months": request.months,
            "first": covered[0],
            "price": format_rupiah(price.total),
            "amount": format_rupiah(request.amount),
        }
        return [Problem("amount", "price_mismatch", message)]
    plan = EntryPlan(
        person=person,
        kind=Payment.Kind.CONTRIBUTION.value,
        first_month=covered[0],
        months=len(covered),
        amount=price.total,
        breakdown=breakdown,
        channel=request.outlet.partner.kind if request.outlet else "",
        outlet_id=request.outlet.pk if request.outlet else None,
        agent_id=request.agent.pk if request.agent else None,
        source=request.source,
        reference=request.reference,
        fingerprint=fingerprint,
        paid_at=paid_at,
    )
    book.runs[person.pk] = runs_after
    book.taken["payment", *key] = plan
    return plan


def deposit_check(request: DepositRequest, book: LedgerBook) -> Outcome:
    """Judges a deposit: it adds to the participant's balance, and every whole month the balance then
    pays for is bought, in order, as its own ledger entry."""
    problems = _amount_problems(request.amount) + _reference_problems(request.reference)
    if problems:
        return problems
    person = book.person(request.participant)
    if person is None:
        return [_unknown_participant()]
    fingerprint = deposit_fingerprint(
        participant_id=person.pk,
        amount=request.amount,
        outlet=request.outlet,
        agent=request.agent,
        collected_at=request.collected_at,
    )
    key = (request.source, request.reference)
    if (seen := _seen(book, "deposit", key, fingerprint, person)) is not None:
        return seen
    problems = _agent_problems(request.agent) + _outlet_problems(request.outlet) + _gone(person)
    collected_at = book.latest(request.collected_at)
    if collected_at is None:
        problems.append(Problem("collected_at", "future", _("The date is in the future.")))
    elif not request.history_allowed and book.too_old(collected_at):
        problems.append(_too_old("collected_at"))
    if problems:
        return problems
    current = Month.from_date(book.days[collected_at])
    try:
        policy = book.ratebook.policy_for(current)
    except LookupError:
        return [_no_schedule(current)]
    deposit = DepositPlan(
        person=person,
        amount=request.amount,
        balance_after=0,
        outlet_id=request.outlet.pk if request.outlet else None,
        agent_id=request.agent.pk if request.agent else None,
        source=request.source,
        reference=request.reference,
        fingerprint=fingerprint,
        collected_at=collected_at,
    )
    balance = book.balances.get(person.pk, 0) + request.amount
    runs = book.runs.get(person.pk, ())
    while True:
        covered = months_for_payment(
            runs, registered=person.registered_month, current=current, count=1, policy=policy
        )
        if covered[0] > current + policy.months_ahead_max:
            break  # covered as far ahead as the policy takes: the rest stays in the balance
        price, breakdown = book.price(covered[0], 1, person.declared_income, person.programmes)
        if price.total > balance:
            break
        deposit.purchases.append(
            EntryPlan(
                person=person,
                kind=Payment.Kind.DEPOSIT.value,
                first_month=covered[0],
                months=1,
                amount=price.total,
                breakdown=breakdown,
                channel=request.outlet.partner.kind if request.outlet else "",
                outlet_id=deposit.outlet_id,
                agent_id=deposit.agent_id,
                source="",  # deposit:<id>, once the deposit has its id
                reference=str(len(deposit.purchases) + 1),
                fingerprint=fingerprint,
                paid_at=collected_at,
                deposit=deposit,
            )
        )
        runs = runs_with(runs, covered)
        balance -= price.total
    deposit.balance_after = balance
    book.balances[person.pk] = balance
    book.runs[person.pk] = runs
    book.taken["deposit", *key] = deposit
    return deposit


def reversal_check(request: ReversalRequest, book: LedgerBook) -> Outcome:
    """Judges cancelling a ledger entry with a reversing entry (the original stays): a payment or a bill
    entry, at most once. The participant's coverage is then what the rest of the ledger pays for. The
    book must hold the participant's ledger (``LedgerBook.load(ledgers=True)``)."""
    reason = (request.reason or "").strip()
    problems = _reference_problems(request.reference)
    if not reason:
        problems.append(Problem("reason", "required", _("A reversal needs a reason.")))
    if problems:
        return problems
    fingerprint = request_fingerprint({"reverses": request.payment_id, "reason": request.reason})
    key = (request.source, request.reference)
    person = book.person(request.participant)
    if (seen := _seen(book, "payment", key, fingerprint, person)) is not None:
        return seen
    ledger = book.ledgers.get(request.participant, []) if person else []
    original = next((entry for entry in ledger if entry.pk == request.payment_id), None)
    if original is None:
        return [Problem("payment", "unknown", _("There is no such payment of this participant."))]
    if original.kind == Payment.Kind.REVERSAL:
        return [Problem("payment", "invalid", _("A reversal cannot be reversed; record the payment again."))]
    if original.kind == Payment.Kind.DEPOSIT:
        message = _("A month bought from deposits is corrected by correcting the deposit.")
        return [Problem("payment", "invalid", message)]
    if any(entry.reverses_id == original.pk for entry in ledger):
        return [Problem("payment", "already_reversed", _("This payment has already been reversed."))]
    reversed_at = book.latest(request.reversed_at)
    if reversed_at is None:
        return [Problem("reversed_at", "future", _("The date is in the future."))]
    if not request.history_allowed and book.too_old(reversed_at):
        return [_too_old("reversed_at")]
    breakdown = original.breakdown
    plan = EntryPlan(
        person=person,
        kind=Payment.Kind.REVERSAL.value,
        first_month=original.first_month,
        months=original.months,
        amount=-original.amount,
        breakdown=breakdown if isinstance(breakdown, str) else db_json(breakdown),
        channel=original.channel,
        outlet_id=original.outlet_id,
        agent_id=original.agent_id,
        source=request.source,
        reference=request.reference,
        fingerprint=fingerprint,
        paid_at=reversed_at,
        reverses_id=original.pk,
        reason=reason,
    )
    ledger.append(
        Entry(None, plan.kind, plan.first_month, plan.months, plan.amount, original.pk, None, None, "", None)
    )
    entries = [(entry.pk, entry.kind, entry.first_month, entry.months, entry.reverses_id) for entry in ledger]
    book.runs[person.pk] = runs_from_months(covered_months(entries))
    book.taken["payment", *key] = plan
    return plan


def bill_line_check(request: BillLineRequest, book: LedgerBook) -> Outcome | None:
    """Judges a payer paying one member's month: None when there is nothing to pay (the member paid the
    month meanwhile: the payer is not charged twice), a ``Replay`` when the line was paid before."""
    person = book.person(request.participant)
    if person is None:
        return [_unknown_participant()]
    fingerprint = request_fingerprint({"bill": request.bill_id})
    key = (f"bill:{request.bill_id}", str(person.pk))
    if (seen := _seen(book, "payment", key, fingerprint, person)) is not None:
        return seen
    paid_at = book.latest(request.paid_at)
    if paid_at is None:
        return [Problem("paid_at", "future", _("The date is in the future."))]
    if not request.history_allowed and book.too_old(paid_at):
        return [_too_old("paid_at")]
    runs = book.runs.get(person.pk, ())
    if is_covered(runs, request.month):
        return None
    price, breakdown = book.price(
        request.month, 1, person.declared_income, request.programmes, payer_kind=request.payer_kind
    )
    plan = EntryPlan(
        person=person,
        kind=Payment.Kind.BILL.value,
        first_month=request.month,
        months=1,
        amount=price.total,
        breakdown=breakdown,
        channel=request.outlet.partner.kind if request.outlet else "",
        outlet_id=request.outlet.pk if request.outlet else None,
        agent_id=None,
        source=key[0],
        reference=key[1],
        fingerprint=fingerprint,
        paid_at=paid_at,
        bill_id=request.bill_id,
    )
    book.runs[person.pk] = runs_with(runs, (request.month,))
    book.taken["payment", *key] = plan
    return plan


def employer_bill_line_check(request: EmployerBillLineRequest, book: LedgerBook) -> Outcome:
    """Judges an employer paying one worker's month on its bill: a ``Replay`` when the line was paid
    before (a repeated payment completes an interrupted one and pays nothing twice). A worker covered for
    the month already (by another employer's bill, or their own payment) is paid for all the same: each
    employer owes its own bill, and the months covered stay as they are."""
    person = book.person(request.participant)
    if person is None:
        return [_unknown_participant()]
    fingerprint = request_fingerprint({"employer_bill": request.source})
    key = (request.source, str(person.pk))
    if (seen := _seen(book, "payment", key, fingerprint, person)) is not None:
        return seen
    paid_at = book.latest(request.paid_at)
    if paid_at is None:
        return [Problem("paid_at", "future", _("The date is in the future."))]
    runs = book.runs.get(person.pk, ())
    plan = EntryPlan(
        person=person,
        kind=Payment.Kind.BILL.value,
        first_month=request.month,
        months=1,
        amount=request.amount,
        breakdown=request.breakdown,
        channel="",
        outlet_id=None,
        agent_id=None,
        source=key[0],
        reference=key[1],
        fingerprint=fingerprint,
        paid_at=paid_at,
    )
    if not is_covered(runs, request.month):
        book.runs[person.pk] = runs_with(runs, (request.month,))
    book.taken["payment", *key] = plan
    return plan


def _seen(
    book: LedgerBook, kind: str, key: tuple[str, str], fingerprint: str, person: Person | None
) -> Replay | list | None:
    """A ``Replay`` when the reference was taken (before, or earlier in this list) by the same request;
    a conflict when by another; None when it is free."""
    recorded = book.payments if kind == "payment" else book.deposits
    if (prior := recorded.get(key)) is not None:
        first, same = prior.pk, prior.fingerprint == fingerprint
    elif (pending := book.taken.get((kind, *key))) is not None:
        first, same = pending, pending.fingerprint == fingerprint
    else:
        return None
    if same:
        return Replay(first, person)
    message = _("This reference was used before for a different request; nothing was recorded.")
    return [Problem("reference", "conflict", message)]


def _reference_problems(reference: str) -> list[Problem]:
    if not reference or not str(reference).strip():
        return [Problem("reference", "required", _("An idempotency key (payment reference) is required."))]
    if len(reference) > REFERENCE_LENGTH:
        return [Problem("reference", "invalid", _("The payment reference is longer than 100 characters."))]
    # PostgreSQL cannot store NUL; no reference holds a BEL or a line break either (``common.text``).
    if has_control_character(reference):
        message = _("Remove the control characters (such as NUL) from the payment reference.")
        return [Problem("reference", CONTROL_CODE, message)]
    return []


def _amount_problems(amount) -> list[Problem]:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return [Problem("amount", "invalid", _("The amount is a positive whole number of rupiah."))]
    return []


def _agent_problems(agent: Agent | None) -> list[Problem]:
    """Only an active agent takes payments (a candidate, a deactivated or a terminated one does not)."""
    if agent is not None and agent.status != Agent.Status.ACTIVE:
        return [Problem("agent", "agent_inactive", _("Agent %(code)s is not active.") % {"code": agent.code})]
    return []


def _too_old(field_name: str) -> Problem:
    message = _(
        "The date is before the days a late record may be dated on; only an operator records history."
    )
    return Problem(field_name, "too_old", message)


def _outlet_problems(outlet: Outlet | None) -> list[Problem]:
    """A closed outlet takes no more money (its keys are revoked as it closes)."""
    if outlet is not None and not outlet.is_active:
        return [Problem("outlet", "closed", _("Outlet %(code)s is closed.") % {"code": outlet.code})]
    return []


def _deceased(person) -> list[Problem]:
    """A participant whose death was recorded takes no more contributions (a retry of one recorded
    before is still answered as such: this is judged after the reference)."""
    if person.died_on is None:
        return []
    return [
        Problem(
            "nik",
            "deceased",
            _("This participant died on %(day)s; no more contributions are taken.")
            % {"day": str(person.died_on)[:10]},
        )
    ]


def _gone(person) -> list[Problem]:
    return _deceased(person) + _merged(person)


def _merged(person) -> list[Problem]:
    """A record merged into another of the same person takes no more money: the survivor does (a retry
    of one recorded before is still answered as such)."""
    if person.merged_into_id is None:
        return []
    number = participant_number(person.merged_into_id)
    message = _("This record was merged into participant number %(number)s; pay to that number.") % {
        "number": number
    }
    return [Problem("nik", "merged", message)]


def _unknown_participant() -> Problem:
    return Problem("nik", "unknown", _("No participant with this NIK or participant number."))


def _no_schedule(month: Month) -> Problem:
    message = _("There is no contribution schedule for %(month)s.") % {"month": month}
    return Problem("paid_at", "no_schedule", message)
