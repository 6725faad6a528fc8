"""Every write to the contribution ledger: payments, reversals, deposits, bills and month-end lapses.

Each business action runs in one transaction holding a ``SELECT ... FOR UPDATE`` lock on the participant
row, so two payments of one participant (from two channels, or a retry racing its original) are applied
one after the other and the second sees the first. The ledger is append-only; ``CoverageRun`` rows and the
participant's ``paid_through``, ``status`` and ``deposit_balance`` are kept from it in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from jaring.channels.models import Agent, Outlet
from jaring.common.clock import local_date, month_of
from jaring.common.errors import IdempotencyConflict, error_dict
from jaring.common.fingerprint import request_fingerprint
from jaring.contributions.models import Bill, BillLine, CoverageRun, Deposit, GroupMembership, Payer, Payment
from jaring.contributions.queries import (
    coverage_runs,
    covered_months_from_ledger,
    participant_standing,
    ratebook,
)
from jaring.members.models import Participant
from jaring.monitoring.tallies import FIRST_PAID, TallyBatch, Who
from jaring.rules.coverage import (
    Run,
    is_covered,
    months_for_payment,
    paid_through,
    runs_from_months,
    runs_with,
)
from jaring.rules.money import format_rupiah
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


def _moment(value: datetime | None, field_name: str) -> datetime:
    now = timezone.now()
    value = value or now
    if value > now + timezone.timedelta(minutes=5):
        raise error_dict(field_name, _("The date is in the future."))
    return value


def _locked(participant: Participant) -> Participant:
    return Participant.objects.select_for_update().get(pk=participant.pk)


def _prior(model, *, source: str, key: str, fingerprint: str):
    """The entry recorded earlier under this idempotency key, if it was the same request."""
    try:  # get(), not first(): the key is unique, so there is nothing to order
        prior = model.objects.get(source=source, idempotency_key=key)
    except model.DoesNotExist:
        return None
    if prior.fingerprint != fingerprint:
        raise IdempotencyConflict(source, key)
    return prior


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


def _breakdown(price: Price) -> list[dict]:
    return price.as_dict()["months"]


def _standing_refresh(participant: Participant, runs: tuple[Run, ...], *, today: date | None = None) -> None:
    """Sets ``paid_through`` and the cached ``status`` from the runs, as of today."""
    month = Month.from_date(today or local_date())
    status = participant_standing(runs, registered=participant.registered_month, month=month)
    participant.paid_through = paid_through(runs)
    participant.status = status


def _coverage_add(
    participant: Participant, months: tuple[Month, ...], runs: tuple[Run, ...]
) -> tuple[Run, ...]:
    """Adds the months to the participant's ``runs`` (as read under the lock): continuing the last run is
    one UPDATE, a first run or a restart after a gap one INSERT; anything else rewrites the runs. Returns
    the runs after."""
    after = runs_with(runs, months)
    if runs and after[:-1] == runs[:-1] and after[-1].first == runs[-1].first:
        CoverageRun.objects.filter(participant_id=participant.pk, first_month=runs[-1].first).update(
            last_month=after[-1].last
        )
    elif after[: len(runs)] == runs and len(after) == len(runs) + 1:
        CoverageRun.objects.create(
            participant=participant, first_month=after[-1].first, last_month=after[-1].last
        )
    else:
        _runs_replace(participant, after)
    return after


def _runs_replace(participant: Participant, runs: tuple[Run, ...]) -> None:
    CoverageRun.objects.filter(participant=participant).delete()
    CoverageRun.objects.bulk_create(
        CoverageRun(participant=participant, first_month=run.first, last_month=run.last) for run in runs
    )


def _entry_create(
    participant: Participant,
    *,
    before: tuple[Run, ...],
    kind: str,
    months: tuple[Month, ...],
    price: Price,
    paid_at: datetime,
    source: str,
    key: str,
    fingerprint: str,
    outlet: Outlet | None = None,
    agent: Agent | None = None,
    bill: Bill | None = None,
) -> tuple[Payment, tuple[Run, ...]]:
    """Appends the entry, adds its months to the coverage and counts it in the tallies; returns the entry
    and the participant's runs after it. ``before`` are the participant's runs before it, read under the
    ``SELECT ... FOR UPDATE`` lock on the participant that the caller holds (so they are not read twice);
    the caller saves the participant's ``paid_through`` and ``status``."""
    payment = Payment.objects.create(
        participant=participant,
        kind=kind,
        first_month=months[0],
        months=len(months),
        amount=price.total,
        breakdown=_breakdown(price),
        channel=outlet.partner.kind if outlet else "",
        outlet=outlet,
        agent=agent,
        bill=bill,
        source=source,
        idempotency_key=key,
        fingerprint=fingerprint,
        paid_at=paid_at,
    )
    was_unpaid = participant.paid_through is None
    runs = _coverage_add(participant, months, before)
    _standing_refresh(participant, runs)
    tallies = TallyBatch()
    who = Who.of(participant)
    tallies.payment(
        local_date(paid_at),
        who,
        outlet_id=payment.outlet_id,
        agent_id=payment.agent_id,
        channel=payment.channel,
        count=1,
        amount=payment.amount,
    )
    if was_unpaid:
        tallies.add(FIRST_PAID, local_date(participant.registered_at), who)
    tallies.coverage(who, before, runs)
    tallies.write()
    return payment, runs


def payment_fingerprint(
    *, participant_id: int, months: int, amount: int, outlet: Outlet | None, agent: Agent | None, paid_at
) -> str:
    """What makes two payment requests under one key the same request, for every channel alike (a file
    row and an API call must compute it identically for a retry to be recognised across them)."""
    return request_fingerprint(
        {
            "participant": participant_id,
            "months": months,
            "amount": amount,
            "outlet": outlet.pk if outlet else None,
            "agent": agent.pk if agent else None,
            "paid_at": paid_at.isoformat() if paid_at else None,
        }
    )


def outlet_source(outlet: Outlet) -> str:
    """The ledger source of the payments and deposits an outlet sends with its own references: the same
    for the API, batches and the outlet's files, so a payment sent by API and again in a file is recorded
    once."""
    return f"outlet:{outlet.code}"


def payment_quote(
    participant: Participant, *, months: int, at: datetime | None = None, runs: tuple[Run, ...] | None = None
) -> tuple[tuple[Month, ...], Price]:
    """Which months a payment of ``months`` months made at ``at`` would cover, and its price. ``runs`` are
    the participant's coverage runs when the caller has read them already (they are read otherwise)."""
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
) -> PaymentResult:
    """Records a participant's own payment for ``months`` months (1, 3, 6 or 12).

    The months are the next unpaid ones (arrears first, for at most 3 months back) or, for a lapsed
    participant, start at the month of payment. ``amount`` must equal the price of those months, each
    priced with the schedule in force for that month. A retry with the same ``idempotency_key`` from the
    same ``source`` returns the first payment (``created`` False); the same key with a different request
    raises ``IdempotencyConflict``. Nothing is written when anything is wrong.
    """
    if not idempotency_key or not str(idempotency_key).strip():
        raise error_dict(
            "idempotency_key", _("An idempotency key (payment reference) is required."), "required"
        )
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise error_dict("amount", _("The amount is a positive whole number of rupiah."))
    fingerprint = payment_fingerprint(
        participant_id=participant.pk,
        months=months,
        amount=amount,
        outlet=outlet,
        agent=agent,
        paid_at=paid_at,
    )
    try:
        with transaction.atomic():
            locked = _locked(participant)
            if prior := _prior(Payment, source=source, key=idempotency_key, fingerprint=fingerprint):
                return PaymentResult(prior, created=False)
            _agent_check(agent)
            paid_at = _moment(paid_at, "paid_at")
            runs = coverage_runs(locked)
            covered, price = payment_quote(locked, months=months, at=paid_at, runs=runs)
            if price.total != amount:
                raise error_dict(
                    "amount",
                    _("The amount for %(months)s months from %(first)s is %(price)s, not %(amount)s.")
                    % {
                        "months": months,
                        "first": covered[0],
                        "price": format_rupiah(price.total),
                        "amount": format_rupiah(amount),
                    },
                    "price_mismatch",
                )
            payment, _after = _entry_create(
                locked,
                before=runs,
                kind=Payment.Kind.CONTRIBUTION,
                months=covered,
                price=price,
                paid_at=paid_at,
                source=source,
                key=idempotency_key,
                fingerprint=fingerprint,
                outlet=outlet,
                agent=agent,
            )
            locked.save(update_fields=["paid_through", "status"])
            _copy_standing(locked, participant)
            return PaymentResult(payment, created=True)
    except IntegrityError:
        # The same key was used at the same moment for another participant; the first one won.
        prior = _prior(Payment, source=source, key=idempotency_key, fingerprint=fingerprint)
        if prior is None:
            raise
        return PaymentResult(prior, created=False)


def _agent_check(agent: Agent | None) -> None:
    """Only an active agent takes payments (a candidate, a deactivated or a terminated one does not)."""
    if agent is not None and agent.status != Agent.Status.ACTIVE:
        raise error_dict("agent", _("Agent %(code)s is not active.") % {"code": agent.code}, "agent_inactive")


def _copy_standing(locked: Participant, participant: Participant) -> None:
    participant.paid_through = locked.paid_through
    participant.status = locked.status
    participant.deposit_balance = locked.deposit_balance


def payment_reverse(
    *, payment: Payment, reason: str, source: str, idempotency_key: str, reversed_at: datetime | None = None
) -> PaymentResult:
    """Cancels a payment with a reversing entry (the original stays in the ledger) and takes its months
    out of the participant's coverage. A payment is reversed at most once."""
    if not reason.strip():
        raise error_dict("reason", _("A reversal needs a reason."), "required")
    fingerprint = request_fingerprint({"reverses": payment.pk, "reason": reason})
    with transaction.atomic():
        participant = _locked(payment.participant)
        if prior := _prior(Payment, source=source, key=idempotency_key, fingerprint=fingerprint):
            return PaymentResult(prior, created=False)
        original = Payment.objects.get(pk=payment.pk)
        if original.kind == Payment.Kind.REVERSAL:
            raise error_dict("payment", _("A reversal cannot be reversed; record the payment again."))
        if original.kind == Payment.Kind.DEPOSIT:
            raise error_dict(
                "payment", _("A month bought from deposits is corrected by correcting the deposit.")
            )
        if Payment.objects.filter(reverses=original).exists():
            raise error_dict("payment", _("This payment has already been reversed."))
        reversed_at = _moment(reversed_at, "reversed_at")
        reversal = Payment.objects.create(
            participant=participant,
            kind=Payment.Kind.REVERSAL,
            first_month=original.first_month,
            months=original.months,
            amount=-original.amount,
            breakdown=original.breakdown,
            channel=original.channel,
            outlet=original.outlet,
            agent=original.agent,
            reverses=original,
            reason=reason.strip(),
            source=source,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            paid_at=reversed_at,
        )
        before = coverage_runs(participant)
        was_paid = participant.paid_through is not None
        runs = runs_from_months(covered_months_from_ledger(participant))
        _runs_replace(participant, runs)
        _standing_refresh(participant, runs)
        participant.save(update_fields=["paid_through", "status"])
        tallies = TallyBatch()
        who = Who.of(participant)
        tallies.payment(
            local_date(reversed_at),
            who,
            outlet_id=reversal.outlet_id,
            agent_id=reversal.agent_id,
            channel=reversal.channel,
            count=-1,
            amount=reversal.amount,
        )
        if was_paid and participant.paid_through is None:
            tallies.add(FIRST_PAID, local_date(participant.registered_at), who, count=-1)
        tallies.coverage(who, before, runs)
        tallies.write()
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
) -> DepositResult:
    """Adds a collected amount to the participant's balance and buys every whole month it now pays for,
    one ledger entry a month, in order. A retry with the same key returns the first result."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise error_dict("amount", _("The amount is a positive whole number of rupiah."))
    if not idempotency_key:
        raise error_dict(
            "idempotency_key", _("An idempotency key (deposit reference) is required."), "required"
        )
    fingerprint = request_fingerprint(
        {
            "participant": participant.pk,
            "amount": amount,
            "outlet": outlet.pk if outlet else None,
            "agent": agent.pk if agent else None,
            "collected_at": collected_at.isoformat() if collected_at else None,
        }
    )
    try:
        with transaction.atomic():
            locked = _locked(participant)
            if prior := _prior(Deposit, source=source, key=idempotency_key, fingerprint=fingerprint):
                return DepositResult(
                    prior, list(Payment.objects.filter(source=f"deposit:{prior.pk}")), created=False
                )
            _agent_check(agent)
            collected_at = _moment(collected_at, "collected_at")
            deposit = Deposit.objects.create(
                participant=locked,
                amount=amount,
                balance_after=0,
                outlet=outlet,
                agent=agent,
                source=source,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                collected_at=collected_at,
            )
            balance = locked.deposit_balance + amount
            purchases = []
            runs = coverage_runs(locked)
            while True:
                covered, price = payment_quote(locked, months=1, at=collected_at, runs=runs)
                if price.total > balance:
                    break
                purchase, runs = _entry_create(
                    locked,
                    before=runs,
                    kind=Payment.Kind.DEPOSIT,
                    months=covered,
                    price=price,
                    paid_at=collected_at,
                    source=f"deposit:{deposit.pk}",
                    key=str(len(purchases) + 1),
                    fingerprint=fingerprint,
                    outlet=outlet,
                    agent=agent,
                )
                purchases.append(purchase)
                balance -= price.total
            deposit.balance_after = balance
            deposit.save(update_fields=["balance_after"])
            locked.deposit_balance = balance
            locked.save(update_fields=["paid_through", "status", "deposit_balance"])
            _copy_standing(locked, participant)
            return DepositResult(deposit, purchases, created=True)
    except IntegrityError:
        # The same key was used at the same moment by another request; the first one won.
        prior = _prior(Deposit, source=source, key=idempotency_key, fingerprint=fingerprint)
        if prior is None:
            raise
        return DepositResult(prior, list(Payment.objects.filter(source=f"deposit:{prior.pk}")), created=False)


def _members_for(payer: Payer, month: Month):
    return (
        GroupMembership.objects.filter(group__payer=payer, first_month__lte=month)
        .filter(Q(last_month__isnull=True) | Q(last_month__gte=month))
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


def bill_pay(*, bill: Bill, paid_at: datetime | None = None) -> Bill:
    """Pays the bill: covers every member on it for the bill's month (one ledger entry per member, keyed
    by the bill, so a payment interrupted half-way is completed by paying again)."""
    paid_at = _moment(paid_at, "paid_at")
    payer = bill.payer
    for line in bill.lines.select_related("participant").order_by("participant_id"):
        with transaction.atomic():
            member = _locked(line.participant)
            if Payment.objects.filter(source=f"bill:{bill.pk}", idempotency_key=str(member.pk)).exists():
                continue
            price = _price(member, bill.month, 1, programmes=payer.programmes, payer_kind=payer.kind)
            runs = coverage_runs(member)
            if is_covered(runs, bill.month):
                continue  # paid by the member meanwhile; the payer is not charged twice for the month
            _entry_create(
                member,
                before=runs,
                kind=Payment.Kind.BILL,
                months=(bill.month,),
                price=price,
                paid_at=paid_at,
                source=f"bill:{bill.pk}",
                key=str(member.pk),
                fingerprint=request_fingerprint({"bill": bill.pk}),
                outlet=payer.outlet,
                bill=bill,
            )
            member.save(update_fields=["paid_through", "status"])
    Bill.objects.filter(pk=bill.pk).update(status=Bill.Status.PAID, paid_at=paid_at)
    bill.refresh_from_db()
    return bill


@transaction.atomic
def statuses_refresh(*, today: date | None = None) -> dict[str, int]:
    """The month-end run: sets every participant's cached status for the month of ``today`` in four
    set-based updates (covered -> active; never paid -> new or lapsed; otherwise arrears or lapsed by
    how many consecutive months are unpaid). Returns the count per status."""
    month = Month.from_date(today or local_date())
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
    people = Participant.objects.filter(registered_month__lte=month).annotate(
        last_paid=Coalesce(
            Subquery(last_before, output_field=IntegerField()),
            ExpressionWrapper(F("registered_month") - Value(1), output_field=IntegerField()),
            output_field=IntegerField(),
        )
    )
    threshold = month.index - arrears
    people.filter(Exists(covering)).exclude(status="active").update(status="active")
    uncovered = people.filter(~Exists(covering))
    ids_lapsed = uncovered.filter(last_paid__lt=threshold).exclude(status="lapsed").values("pk")
    Participant.objects.filter(pk__in=Subquery(ids_lapsed)).update(status="lapsed")
    ids_arrears = (
        uncovered.filter(Exists(any_run), last_paid__gte=threshold).exclude(status="arrears").values("pk")
    )
    Participant.objects.filter(pk__in=Subquery(ids_arrears)).update(status="arrears")
    ids_new = uncovered.filter(~Exists(any_run), last_paid__gte=threshold).exclude(status="new").values("pk")
    Participant.objects.filter(pk__in=Subquery(ids_new)).update(status="new")
    counts = {status: 0 for status in Participant.Status.values}
    for row in Participant.objects.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
