"""The single-record ledger services (a payment, a deposit, a reversal, a bill) and the month-end run.

Each single-record call is the list-of-one case of the one path every channel takes: ``LedgerBook.load``
locks the participant's standing (``SELECT ... FOR UPDATE``) and reads its references and runs, a check from
``checks`` judges the request, and ``ledger_apply`` writes it with coverage, standing and tallies, all in
one transaction. Two payments of one participant (from two channels, or a retry racing its original) are
therefore applied one after the other and the second sees the first. The ledger is append-only.

``actor`` is who caused the write (a request or user, an ``accounts.audit.Actor`` for an API key, the
command line or an import job); a call with an actor writes one audit entry in its transaction. Calls
without one (the demo world, tests) are not audited.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.channels.models import Agent, Outlet
from jaring.common.clock import local_date, month_of
from jaring.common.errors import IdempotencyConflict, error_dict, problems_error
from jaring.common.partitions import partitions_ensure
from jaring.contributions.models import (
    Bill,
    BillLine,
    CoverageRun,
    Deposit,
    GroupMembership,
    LedgerKey,
    Payer,
    Payment,
)
from jaring.contributions.queries import coverage_runs, ratebook
from jaring.contributions.services.apply import StandingAfter, ledger_apply
from jaring.contributions.services.book import LedgerBook, references_taken
from jaring.contributions.services.checks import (
    BillLineRequest,
    DepositPlan,
    DepositRequest,
    EntryPlan,
    PaymentRequest,
    Replay,
    ReversalRequest,
    bill_line_check,
    deposit_check,
    payment_check,
    payment_fingerprint,
    reversal_check,
)
from jaring.members.models import Participant, Standing
from jaring.rules.coverage import Run, is_covered, months_for_payment
from jaring.rules.months import Month
from jaring.rules.programmes import parse_programmes
from jaring.rules.rates import Price


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    created: bool


@dataclass(frozen=True)
class DepositResult:
    deposit: Deposit
    purchases: list[Payment]
    created: bool


def outlet_source(outlet: Outlet) -> str:
    """The ledger source of the payments and deposits an outlet sends with its own references: the same
    for the API, batches and the outlet's files, so a payment sent by API and again in a file is recorded
    once."""
    return f"outlet:{outlet.code}"


def payment_quote(
    participant: Participant, *, months: int, at: datetime | None = None, runs: tuple[Run, ...] | None = None
) -> tuple[tuple[Month, ...], Price]:
    """Which months a payment of ``months`` months made at ``at`` would cover, and its price (what a
    teller is shown before taking the money). ``runs`` are the participant's coverage runs when the
    caller has read them already (they are read otherwise)."""
    current = month_of(at)
    try:
        policy = ratebook().policy_for(current)
    except LookupError:
        message = _("There is no contribution schedule for %(month)s.") % {"month": current}
        raise error_dict("paid_at", message, "no_schedule") from None
    if months not in policy.payment_month_counts:
        counts = ", ".join(str(count) for count in policy.payment_month_counts)
        raise error_dict("months", _("A payment covers %(counts)s months.") % {"counts": counts})
    covered = months_for_payment(
        coverage_runs(participant) if runs is None else runs,
        registered=participant.registered_month,
        current=current,
        count=months,
        policy=policy,
    )
    return covered, _price(participant, covered[0], months)


def _price(
    participant: Participant, first: Month, count: int, *, programmes: str | None = None, payer_kind=None
):
    return ratebook().price(
        first,
        count,
        income=participant.declared_income,
        programmes=parse_programmes(programmes or participant.programmes),
        payer_kind=payer_kind,
    )


def payment_record(
    *,
    participant: Participant,
    months: int,
    amount: int,
    source: str,
    idempotency_key: str,
    paid_at: datetime | None = None,
    outlet: Outlet | None = None,
    agent: Agent | None = None,
    actor=None,
    history_allowed: bool = False,
) -> PaymentResult:
    """Records a participant's own payment for ``months`` months (1, 3, 6 or 12): the check of
    ``checks.payment_check``, applied as a list of one.

    A retry with the same ``idempotency_key`` from the same ``source`` returns the first payment
    (``created`` False); the same key with a different request raises ``IdempotencyConflict``; any other
    refusal raises ``ValidationError`` per field (with the check's codes). Nothing is written then.
    ``history_allowed``: the caller may state a ``paid_at`` before the grace window for late records (the
    operator's command line, a key with the ``history`` scope); the audit entry then says so.
    """
    request = PaymentRequest(
        participant=participant.pk,
        months=months,
        amount=amount,
        source=source,
        reference=idempotency_key,
        paid_at=paid_at,
        outlet=outlet,
        agent=agent,
        history_allowed=history_allowed,
    )
    try:
        with transaction.atomic():
            book = LedgerBook.load(
                ratebook=ratebook(), people=[participant.pk], payment_keys=[(source, idempotency_key)]
            )
            outcome = payment_check(request, book)
            if isinstance(outcome, Replay):
                return PaymentResult(Payment.objects.get(pk=outcome.pk), created=False)
            _refuse(outcome, request.source, request.reference)
            standings = ledger_apply(book, entries=[outcome])
            payment = _payment_of(outcome, book, participant=participant, outlet=outlet, agent=agent)
            _standing_copy(participant, standings)
            said = Said(gettext_noop("payment of %(months)s months"), {"months": payment.months})
            _audit(actor, payment, _historical(book, outcome.paid_at, _where(said, outlet)))
            return PaymentResult(payment, created=True)
    except IntegrityError:
        # The same key was used at the same moment for another participant; the first one won.
        prior = LedgerKey.objects.filter(source=source, key=idempotency_key).first()
        if prior is None:
            raise
        if prior.fingerprint != _fingerprint_of(request, participant):
            raise IdempotencyConflict(source, idempotency_key) from None
        return PaymentResult(Payment.objects.get(pk=prior.payment_id), created=False)


def _fingerprint_of(request: PaymentRequest, participant: Participant) -> str:
    return payment_fingerprint(
        participant_id=participant.pk,
        months=request.months,
        amount=request.amount,
        outlet=request.outlet,
        agent=request.agent,
        paid_at=request.paid_at,
    )


def _refuse(outcome, source: str, reference: str) -> None:
    """Raises what a refused check means for a single-record caller; returns when it was accepted."""
    if not isinstance(outcome, list):
        return
    if any(problem.code == "conflict" and problem.field == "reference" for problem in outcome):
        raise IdempotencyConflict(source, reference)
    raise problems_error(outcome)


def _where(said: Said, outlet: Outlet | None) -> Said:
    if outlet is None:
        return said.plus(gettext_noop("without an outlet"))
    return said.plus(gettext_noop("at %(outlet)s"), {"outlet": outlet.code})


def _historical(book: LedgerBook, moment: datetime, said: Said) -> Said:
    """What an audit entry adds for a record dated before the grace window for late records."""
    if not book.too_old(moment):
        return said
    return said.plus(gettext_noop("with a historical date (%(day)s)"), {"day": book.days[moment].isoformat()})


def _audit(actor, record, summary: Said) -> None:
    if actor is not None:
        audit(actor, "create", obj=record, after=record, summary=summary)


def _standing_copy(participant: Participant, standings: dict[int, StandingAfter]) -> None:
    """Gives ``participant`` its standing as written, without reading it back."""
    if (after := standings.get(participant.pk)) is not None:
        Standing.as_written(
            participant,
            status=after.status,
            paid_through=after.paid_through,
            deposit_balance=after.deposit_balance,
        )


def _payment_of(plan: EntryPlan, book: LedgerBook, **related) -> Payment:
    """The entry as written, without reading it back; ``related`` are its participant, outlet or agent
    when the caller has them (so that reading them costs no query)."""
    payment = Payment(
        id=plan.pk,
        participant_id=plan.person.pk,
        kind=plan.kind,
        first_month=plan.first_month,
        months=plan.months,
        amount=plan.amount,
        breakdown=json.loads(plan.breakdown),
        channel=plan.channel,
        outlet_id=plan.outlet_id,
        agent_id=plan.agent_id,
        bill_id=plan.bill_id,
        reverses_id=plan.reverses_id,
        reason=plan.reason,
        source=plan.source,
        idempotency_key=plan.reference,
        fingerprint=plan.fingerprint,
        paid_at=plan.paid_at,
        recorded_at=book.now,
    )
    payment._state.adding = False
    payment._state.db = "default"
    for name, value in related.items():
        if value is not None:
            setattr(payment, name, value)
    return payment


def _deposit_of(plan: DepositPlan, book: LedgerBook) -> Deposit:
    deposit = Deposit(
        id=plan.pk,
        participant_id=plan.person.pk,
        amount=plan.amount,
        balance_after=plan.balance_after,
        outlet_id=plan.outlet_id,
        agent_id=plan.agent_id,
        source=plan.source,
        idempotency_key=plan.reference,
        fingerprint=plan.fingerprint,
        collected_at=plan.collected_at,
        recorded_at=book.now,
    )
    deposit._state.adding = False
    deposit._state.db = "default"
    return deposit


_CHECKS = {PaymentRequest: payment_check, DepositRequest: deposit_check, ReversalRequest: reversal_check}


class ReferencesTaken(Exception):
    """A list judged with its references presumed new named one already recorded; nothing was written."""


def ledger_record(
    requests: Sequence[PaymentRequest | DepositRequest | ReversalRequest],
    *,
    now=None,
    references_read: bool = True,
) -> list:
    """Judges a list of ledger requests in order and writes the accepted ones, in one transaction: one
    outcome per request (a plan with its ``pk`` written, a ``Replay``, or the problems). The list of one
    is what ``payment_record``, ``deposit_record`` and ``payment_reverse`` do; files and batches send
    lists. Nothing is audited here: a list is audited by whoever sent it (an import job, a batch).

    ``references_read`` False: the references are presumed new instead of looked up before the checks
    (a file's chunk, whose references nearly always are: looking them up cost as much as writing them).
    The unique ledger and deposit keys refuse an accepted request's reference that was taken, and the
    references of the refused requests are looked up after the checks (a taken reference decides their
    reason); either way ``ReferencesTaken`` is raised with nothing written, and the caller sends the list
    again with the references read, to the outcomes it would have had."""
    payment_keys, deposit_keys = _reference_keys(requests)
    try:
        with transaction.atomic():
            book = LedgerBook.load(
                ratebook=ratebook(),
                people=[request.participant for request in requests],
                payment_keys=payment_keys if references_read else (),
                deposit_keys=deposit_keys if references_read else (),
                ledgers=any(isinstance(request, ReversalRequest) for request in requests),
                now=now,
            )
            outcomes = [_CHECKS[type(request)](request, book) for request in requests]
            if not references_read and _refused_references_taken(requests, outcomes):
                raise ReferencesTaken
            ledger_apply(
                book,
                entries=[outcome for outcome in outcomes if isinstance(outcome, EntryPlan)],
                deposits=[outcome for outcome in outcomes if isinstance(outcome, DepositPlan)],
            )
    except IntegrityError:
        if references_read:
            raise
        raise ReferencesTaken from None
    return outcomes


def _reference_keys(requests) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (source, reference) keys of the ledger requests and of the deposit requests."""
    payments = [(r.source, r.reference) for r in requests if not isinstance(r, DepositRequest)]
    return payments, [(r.source, r.reference) for r in requests if isinstance(r, DepositRequest)]


def _refused_references_taken(requests, outcomes) -> bool:
    refused = [
        request for request, outcome in zip(requests, outcomes, strict=True) if isinstance(outcome, list)
    ]
    payment_keys, deposit_keys = _reference_keys(refused)
    return references_taken(payment_keys=payment_keys, deposit_keys=deposit_keys)


def payment_reverse(
    *,
    payment: Payment,
    reason: str,
    source: str,
    idempotency_key: str,
    reversed_at: datetime | None = None,
    actor=None,
    history_allowed: bool = False,
) -> PaymentResult:
    """Cancels a payment with a reversing entry (the original stays in the ledger) and takes its months
    out of the participant's coverage. A payment is reversed at most once. ``history_allowed``: as for
    ``payment_record``, for a ``reversed_at`` before the grace window for late records (a reversal dated
    back changes the figures of days already closed); the audit entry then says so."""
    request = ReversalRequest(
        participant=payment.participant_id,
        payment_id=payment.pk,
        reason=reason,
        source=source,
        reference=idempotency_key,
        reversed_at=reversed_at,
        history_allowed=history_allowed,
    )
    with transaction.atomic():
        book = LedgerBook.load(
            ratebook=ratebook(),
            people=[payment.participant_id],
            payment_keys=[(source, idempotency_key)],
            ledgers=True,
        )
        outcome = reversal_check(request, book)
        if isinstance(outcome, Replay):
            return PaymentResult(Payment.objects.get(pk=outcome.pk), created=False)
        _refuse(outcome, source, idempotency_key)
        ledger_apply(book, entries=[outcome])
        reversal = _payment_of(outcome, book)
        said = Said(
            gettext_noop("reversal of ledger entry %(entry)s: %(reason)s"),
            {"entry": payment.pk, "reason": reversal.reason},
        )
        _audit(actor, reversal, _historical(book, outcome.paid_at, said))
        return PaymentResult(reversal, created=True)


def deposit_record(
    *,
    participant: Participant,
    amount: int,
    source: str,
    idempotency_key: str,
    collected_at: datetime | None = None,
    outlet: Outlet | None = None,
    agent: Agent | None = None,
    actor=None,
    history_allowed: bool = False,
) -> DepositResult:
    """Adds a collected amount to the participant's balance and buys every whole month it now pays for,
    one ledger entry a month, in order. A retry with the same key returns the first result."""
    request = DepositRequest(
        participant=participant.pk,
        amount=amount,
        source=source,
        reference=idempotency_key,
        collected_at=collected_at,
        outlet=outlet,
        agent=agent,
        history_allowed=history_allowed,
    )
    try:
        with transaction.atomic():
            book = LedgerBook.load(
                ratebook=ratebook(), people=[participant.pk], deposit_keys=[(source, idempotency_key)]
            )
            outcome = deposit_check(request, book)
            if isinstance(outcome, Replay):
                return _deposit_replay(outcome.pk)
            _refuse(outcome, source, idempotency_key)
            standings = ledger_apply(book, deposits=[outcome])
            deposit = _deposit_of(outcome, book)
            _standing_copy(participant, standings)
            bought = Said(
                gettext_noop("deposit buying %(months)s months"), {"months": len(outcome.purchases)}
            )
            _audit(actor, deposit, _historical(book, outcome.collected_at, _where(bought, outlet)))
            return DepositResult(
                deposit, [_payment_of(plan, book) for plan in outcome.purchases], created=True
            )
    except IntegrityError:
        # The same key was used at the same moment by another request; the first one won.
        prior = Deposit.objects.filter(source=source, idempotency_key=idempotency_key).first()
        if prior is None:
            raise
        return _deposit_replay(prior.pk)


def _deposit_replay(pk: int) -> DepositResult:
    deposit = Deposit.objects.get(pk=pk)
    bought = LedgerKey.objects.filter(source=f"deposit:{pk}").values("payment_id")
    return DepositResult(deposit, list(Payment.objects.filter(pk__in=bought)), created=False)


def _members_for(payer: Payer, month: Month):
    """The payer's members in ``month``, a member who died before the month and a record merged into
    another left out."""
    return (
        GroupMembership.objects.filter(group__payer=payer, first_month__lte=month)
        .filter(Q(last_month__isnull=True) | Q(last_month__gte=month))
        .exclude(participant__standing__died_on__lt=month.first_day())
        .exclude(participant__standing__status="merged")
        .select_related("participant")
        .order_by("participant_id")
    )


@transaction.atomic
def bill_issue(*, payer: Payer, month: Month, issued_at: datetime | None = None) -> Bill:
    """The payer's bill for ``month``: one line per member of its groups not already covered that month,
    priced for the programmes the payer pays, with the payer's kind (APBD/APBN payers are outside some
    cuts). Issuing again returns the same bill."""
    if month > month_of():
        raise error_dict("month", _("A bill is issued for the current month or an earlier one."))
    if existing := Bill.objects.filter(payer=payer, month=month).first():
        return existing
    lines = []
    for membership in _members_for(payer, month):
        member = membership.participant
        if is_covered(coverage_runs(member), month):
            continue
        price = _price(member, month, 1, programmes=payer.programmes, payer_kind=payer.kind)
        lines.append(BillLine(participant=member, amount=price.total))
    bill = Bill.objects.create(
        payer=payer,
        month=month,
        amount=sum(line.amount for line in lines),
        issued_at=issued_at or timezone.now(),
    )
    for line in lines:
        line.bill = bill
    BillLine.objects.bulk_create(lines)
    return bill


BILL_CHUNK = 1_000


def bill_pay(
    *, bill: Bill, paid_at: datetime | None = None, actor=None, history_allowed: bool = False
) -> Bill:
    """Pays the bill: covers every member on it for the bill's month, one ledger entry per member keyed
    by the bill, a chunk of members per transaction (so a payment interrupted half-way is completed by
    paying again). A member who paid the month meanwhile is skipped: the payer is not charged twice.
    ``history_allowed``: as for ``payment_record``, for a ``paid_at`` before the grace window for late
    records; the audit entry then says so."""
    payer = bill.payer
    members = list(bill.lines.order_by("participant_id").values_list("participant_id", flat=True))
    moment = paid_at or timezone.now()
    for start in range(0, max(len(members), 1), BILL_CHUNK):
        chunk = members[start : start + BILL_CHUNK]
        with transaction.atomic():
            book = LedgerBook.load(
                ratebook=ratebook(),
                people=chunk,
                payment_keys=[(f"bill:{bill.pk}", str(pk)) for pk in chunk],
            )
            plans = []
            for pk in chunk:
                request = BillLineRequest(
                    participant=pk,
                    bill_id=bill.pk,
                    month=bill.month,
                    programmes=payer.programmes,
                    payer_kind=payer.kind,
                    outlet=payer.outlet,
                    paid_at=paid_at,
                    history_allowed=history_allowed,
                )
                outcome = bill_line_check(request, book)
                if isinstance(outcome, list):
                    raise problems_error(outcome)
                if isinstance(outcome, EntryPlan):
                    plans.append(outcome)
            ledger_apply(book, entries=plans)
    Bill.objects.filter(pk=bill.pk).update(status=Bill.Status.PAID, paid_at=moment)
    bill.refresh_from_db()
    if actor is not None:
        said = Said(
            gettext_noop("bill of %(payer)s for %(month)s paid: %(members)s members"),
            {"payer": bill.payer.code, "month": str(bill.month), "members": len(members)},
        )
        audit(actor, "update", obj=bill, summary=_historical(book, moment, said))
    return bill


PARTITION_MONTHS_AHEAD = 2


def statuses_refresh(*, today: date | None = None) -> dict[str, int]:
    """The month-end run: sets every participant's cached status for the month of ``today`` in four
    set-based updates (covered -> active; never paid -> new or lapsed; otherwise arrears or lapsed by
    how many consecutive months are unpaid), and makes the partitions of the next months (PostgreSQL).
    Returns the count per status."""
    month = Month.from_date(today or local_date())
    counts = _statuses_set(month)
    # The months after this one get their partitions now (this month's by the calendar, whatever month
    # the run is for), so the ledger's inserts never wait for one, and with a missed run still land in
    # the default partition.
    partitions_ensure(through=month_of() + PARTITION_MONTHS_AHEAD)
    return counts


@transaction.atomic
def _statuses_set(month: Month) -> dict[str, int]:
    arrears = ratebook().policy_for(month).arrears_months
    covering = CoverageRun.objects.filter(
        participant=OuterRef("pk"), first_month__lte=month, last_month__gte=month
    )
    any_run = CoverageRun.objects.filter(participant=OuterRef("pk"), first_month__lte=month)
    last_before = (
        CoverageRun.objects.filter(participant=OuterRef("pk"), last_month__lt=month)
        .order_by("-last_month")
        .values("last_month")[:1]
    )
    registered = F("participant__registered_month")
    # the deceased and the merged keep their status for good (claims.services.participant_deceased,
    # members.services.merge)
    living = Standing.objects.filter(participant__registered_month__lte=month).exclude(
        status__in=["deceased", "merged"]
    )
    people = living.annotate(
        last_paid=Coalesce(
            Subquery(last_before, output_field=IntegerField()),
            ExpressionWrapper(registered - Value(1), output_field=IntegerField()),
            output_field=IntegerField(),
        )
    )
    threshold = month.index - arrears
    ids_active = people.filter(Exists(covering)).exclude(status="active").values("pk")
    Standing.objects.filter(pk__in=Subquery(ids_active)).update(status="active")
    uncovered = people.filter(~Exists(covering))
    ids_lapsed = uncovered.filter(last_paid__lt=threshold).exclude(status="lapsed").values("pk")
    Standing.objects.filter(pk__in=Subquery(ids_lapsed)).update(status="lapsed")
    ids_arrears = (
        uncovered.filter(Exists(any_run), last_paid__gte=threshold).exclude(status="arrears").values("pk")
    )
    Standing.objects.filter(pk__in=Subquery(ids_arrears)).update(status="arrears")
    ids_new = uncovered.filter(~Exists(any_run), last_paid__gte=threshold).exclude(status="new").values("pk")
    Standing.objects.filter(pk__in=Subquery(ids_new)).update(status="new")
    counts = {status: 0 for status in Participant.Status.values}
    for row in Standing.objects.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
