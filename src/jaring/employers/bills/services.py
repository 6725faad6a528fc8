"""Employers' monthly bills (#15): issued from the employer's jobs running in the month at their wages,
priced by the wage earners' rates; paid by reference into each listed worker's ledger through the one
ledger path (``LedgerBook``, ``employer_bill_line_check``, ``ledger_apply``), so coverage, standing and
the tallies move with the entries.

The terms (due day, late fine a month, how a partial payment is spent) are the ``pubill`` rate rule in
force for the bill's month (``rules/employer_bills.py``); they are as reported and marked unverified.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.common.bulk import db_date, db_datetime, db_json, insert_rows, insert_with_ids
from jaring.common.clock import local_date, month_of
from jaring.common.errors import error_dict, problems_error
from jaring.contributions.models import LedgerKey, RateRule
from jaring.contributions.queries import ratebook, wage_ratebook
from jaring.contributions.services.apply import ledger_apply
from jaring.contributions.services.book import LedgerBook
from jaring.contributions.services.checks import EmployerBillLineRequest, EntryPlan, employer_bill_line_check
from jaring.employers.models import Employer, EmployerBill, EmployerBillLine, EmployerBillPayment, Employment
from jaring.rules.employer_bills import BillTerms, lines_covered, months_late
from jaring.rules.months import Month
from jaring.rules.wage_rates import Payer, WageRuleMissing

BILL_CHUNK = 1_000
LINE_CHUNK = 10_000  # lines a statement when bills are issued
BILL_COLUMNS = (
    "employer_id",
    "month",
    "workers",
    "amount",
    "employer_share",
    "worker_share",
    "due_on",
    "terms",
    "status",
    "paid_amount",
    "covered_amount",
    "fine",
    "issued_at",
    "paid_at",
)
LINE_COLUMNS = (
    "bill_id",
    "participant_id",
    "position",
    "wage",
    "priced",
    "amount",
    "employer_share",
    "worker_share",
)


def bill_source(bill: EmployerBill) -> str:
    """The ledger source of a bill's entries; each worker's entry is keyed by the worker's id in it."""
    return f"employer-bill:{bill.pk}"


def bill_terms(month: Month) -> BillTerms:
    """The bill terms in force for contribution month ``month``."""
    rule = (
        RateRule.objects.filter(kind=RateRule.Kind.EMPLOYER_BILL, valid_from__lte=month)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .order_by("-valid_from")
        .first()
    )
    if rule is None:
        message = _("There are no employer bill terms for %(month)s.") % {"month": month}
        raise error_dict("month", message, "no_schedule")
    return BillTerms.from_data(rule.code, rule.data)


def _month(value) -> Month:
    if isinstance(value, Month):
        month = value
    else:
        try:
            month = Month.parse(str(value))
        except ValueError:
            raise error_dict("month", _("Enter a month as YYYY-MM."), "invalid") from None
    if month > month_of():
        raise error_dict(
            "month", _("A bill is issued for the current month or an earlier one."), "too_far_ahead"
        )
    return month


def _running(month: Month):
    return Employment.objects.filter(first_month__lte=month).filter(
        Q(last_month__isnull=True) | Q(last_month__gte=month)
    )


def _bills_make(month: Month, employer_ids: list[int] | None, issued_at: datetime) -> int:
    """Issues the bills of ``month`` not issued yet, of the employers named (all when None) that have a
    job running in the month: one read of the jobs, one insert of the bills and one of the lines per
    chunk. Returns how many bills were issued."""
    terms = bill_terms(month)
    book = wage_ratebook()
    taken = EmployerBill.objects.filter(month=month)
    jobs = _running(month).exclude(employer_id__in=taken.values("employer_id"))
    if employer_ids is not None:
        jobs = jobs.filter(employer_id__in=employer_ids)
    rows = jobs.order_by("employer_id", "participant_id").values_list(
        "employer_id", "participant_id", "wage", "employer__size", "employer__risk_class"
    )
    priced: dict[tuple[int, int, str], dict] = {}
    by_employer: dict[int, list[tuple[int, int, dict]]] = {}
    for employer_id, participant_id, wage, size, risk_class in rows.iterator(chunk_size=BILL_CHUNK):
        if (price := priced.get((wage, risk_class, size))) is None:
            try:
                price = book.price_month(month, wage=wage, risk_class=risk_class, size=size).as_dict()
            except WageRuleMissing:
                message = _("There is no wage earners' schedule for %(month)s.") % {"month": month}
                raise error_dict("month", message, "no_schedule") from None
            priced[wage, risk_class, size] = price
        by_employer.setdefault(employer_id, []).append((participant_id, wage, price))
    if not by_employer:
        return 0
    # Written as rows in the database's form (``common.bulk``), not model instances: at a national
    # month's millions of lines, the ORM's per-field preparation cost five times the insert itself.
    # A price is shared by every line of the same wage, size and risk class: its JSON is made once.
    due_on, issued = db_date(terms.due_on(month)), db_datetime(issued_at)
    issued_status = EmployerBill.Status.ISSUED.value
    bill_ids = insert_with_ids(
        EmployerBill._meta.db_table,
        BILL_COLUMNS,
        [
            (
                employer_id,
                month.index,
                len(lines),
                sum(price["billed"] for _pk, _wage, price in lines),
                sum(price[Payer.EMPLOYER.value] for _pk, _wage, price in lines),
                sum(price[Payer.WORKER.value] for _pk, _wage, price in lines),
                due_on,
                terms.code,
                issued_status,
                0,
                0,
                0,
                issued,
                None,
            )
            for employer_id, lines in by_employer.items()
        ],
    )
    texts = {id(price): db_json(price) for price in priced.values()}
    chunk: list[tuple] = []
    for bill_id, lines in zip(bill_ids, by_employer.values(), strict=True):
        for position, (participant_id, wage, price) in enumerate(lines, start=1):
            chunk.append(
                (
                    bill_id,
                    participant_id,
                    position,
                    wage,
                    texts[id(price)],
                    price["billed"],
                    price[Payer.EMPLOYER.value],
                    price[Payer.WORKER.value],
                )
            )
            if len(chunk) >= LINE_CHUNK:
                insert_rows(EmployerBillLine._meta.db_table, LINE_COLUMNS, chunk)
                chunk = []
    if chunk:
        insert_rows(EmployerBillLine._meta.db_table, LINE_COLUMNS, chunk)
    return len(bill_ids)


def employer_bill_issue(*, employer: Employer, month, actor=None, issued_at: datetime | None = None):
    """The employer's bill for ``month``: a line per worker whose job runs in the month, at the month's
    wage, priced for the employer's size and risk class. Issuing again returns the same bill (the jobs
    of the month are read once: a job added later is on no bill). None when nobody works there that
    month."""
    month = _month(month)
    with transaction.atomic():
        try:
            with transaction.atomic():
                made = _bills_make(month, [employer.pk], issued_at or timezone.now())
        except IntegrityError:
            made = 0  # issued at the same moment by another request: that one stands
        bill = EmployerBill.objects.filter(employer=employer, month=month).first()
        if made and actor is not None and bill is not None:
            said = Said(
                gettext_noop("bill of employer %(employer)s for %(month)s: %(workers)s workers"),
                {"employer": employer.number, "month": str(month), "workers": bill.workers},
            )
            audit(actor, "create", obj=bill, after=bill, summary=said)
        return bill


def employer_bills_issue(*, month, actor=None, issued_at: datetime | None = None) -> int:
    """Issues every employer's bill for ``month`` not issued yet, as one set-based job; returns how many
    were issued."""
    month = _month(month)
    with transaction.atomic():
        made = _bills_make(month, None, issued_at or timezone.now())
        if actor is not None:
            said = Said(
                gettext_noop("employer bills for %(month)s issued: %(bills)s"),
                {"month": str(month), "bills": made},
            )
            audit(actor, "create", obj=EmployerBill, summary=said)
    return made


@dataclass(frozen=True)
class BillPayment:
    bill: EmployerBill
    payment: EmployerBillPayment
    created: bool  # False: the reference was paid before (nothing more is covered)
    covered: int  # the lines covered by this payment


def employer_bill_pay(
    *, bill: EmployerBill, amount, reference: str, paid_at: datetime | None = None, actor=None
) -> BillPayment:
    """Records ``amount`` paid on the bill under ``reference`` and covers the lines the money paid on
    the bill so far covers (all of them for a full payment; under the partial rule of the bill's terms
    otherwise), one ledger entry per worker keyed by the bill, a chunk of workers per transaction.
    The same reference again records nothing more and completes an interrupted payment. A payment after
    the due day owes the late fine on the lines it covers (kept on the payment and the bill)."""
    reference = str(reference or "").strip()
    if not reference or len(reference) > 100:
        raise error_dict("reference", _("Give the payment's reference (up to 100 characters)."), "required")
    try:
        amount = int(str(amount).replace(".", "").replace(",", ""))
    except ValueError:
        raise error_dict("amount", _("The amount is whole rupiah."), "invalid") from None
    if amount <= 0:
        raise error_dict("amount", _("The amount must be more than zero."), "range")
    moment = paid_at or timezone.now()
    if moment > timezone.now() + timedelta(minutes=5):
        raise error_dict("paid_at", _("The date is in the future."), "future")
    with transaction.atomic():
        locked = EmployerBill.objects.select_for_update().get(pk=bill.pk)
        payment = EmployerBillPayment.objects.filter(bill=locked, reference=reference).first()
        created = payment is None
        if created:
            late = months_late(locked.due_on, local_date(moment))
            payment = EmployerBillPayment.objects.create(
                bill=locked, reference=reference, amount=amount, paid_at=moment, months_late=late
            )
    covered = _lines_cover(locked, payment)
    bill = _bill_settle(locked, payment if created else None, covered)
    if created and actor is not None:
        said = Said(
            gettext_noop(
                "payment %(reference)s of Rp%(amount)s on the bill of employer %(employer)s for "
                "%(month)s: %(lines)s workers covered"
            ),
            {
                "reference": reference,
                "amount": amount,
                "employer": bill.employer.number,
                "month": str(bill.month),
                "lines": covered,
            },
        )
        audit(actor, "create", obj=payment, after=payment, summary=said)
    return BillPayment(bill, payment, created, covered if created else 0)


def _lines_cover(bill: EmployerBill, payment: EmployerBillPayment) -> int:
    """Writes the ledger entries of the lines that the payments up to ``payment`` cover and that have
    none yet; returns how many entries were written."""
    terms = bill_terms(bill.month)
    money = sum(
        EmployerBillPayment.objects.filter(bill=bill, id__lte=payment.pk).values_list("amount", flat=True)
    )
    lines = list(
        EmployerBillLine.objects.filter(bill=bill)
        .order_by("position")
        .values_list("participant_id", "amount", "priced")
    )
    count = lines_covered((amount for _pk, amount, _priced in lines), money)
    assert terms.partial == "lines_in_order"
    source = f"employer-bill:{bill.pk}"
    written = 0
    for start in range(0, count, BILL_CHUNK):
        chunk = lines[start : min(start + BILL_CHUNK, count)]
        with transaction.atomic():
            book = LedgerBook.load(
                ratebook=ratebook(),
                people=[pk for pk, _amount, _priced in chunk],
                payment_keys=[(source, str(pk)) for pk, _amount, _priced in chunk],
            )
            plans = []
            for pk, amount, priced in chunk:
                request = EmployerBillLineRequest(
                    participant=pk,
                    source=source,
                    month=bill.month,
                    amount=amount,
                    breakdown=json.dumps({"employer": bill.employer_id, **priced}, sort_keys=True),
                    paid_at=payment.paid_at,
                )
                outcome = employer_bill_line_check(request, book)
                if isinstance(outcome, list):
                    raise problems_error(outcome)
                if isinstance(outcome, EntryPlan):
                    plans.append(outcome)
            ledger_apply(book, entries=plans)
            written += len(plans)
    return written


def _bill_settle(bill: EmployerBill, payment: EmployerBillPayment | None, written: int) -> EmployerBill:
    """Brings the bill's figures up to its payments and the lines covered in the ledger."""
    with transaction.atomic():
        bill = EmployerBill.objects.select_for_update().select_related("employer").get(pk=bill.pk)
        keyed = LedgerKey.objects.filter(source=f"employer-bill:{bill.pk}").values_list("key", flat=True)
        covered_ids = {int(key) for key in keyed}
        covered_amount = sum(
            EmployerBillLine.objects.filter(bill=bill, participant_id__in=covered_ids).values_list(
                "amount", flat=True
            )
        )
        if payment is not None and payment.months_late and covered_amount > bill.covered_amount:
            fine = bill_terms(bill.month).fine(covered_amount - bill.covered_amount, payment.months_late)
            EmployerBillPayment.objects.filter(pk=payment.pk).update(fine=fine)
            payment.fine = fine
            bill.fine += fine
        bill.paid_amount = sum(bill.payments.values_list("amount", flat=True))
        bill.covered_amount = covered_amount
        if covered_amount >= bill.amount:
            bill.status = EmployerBill.Status.PAID
            bill.paid_at = bill.paid_at or (payment.paid_at if payment else timezone.now())
        elif covered_amount or bill.paid_amount:
            bill.status = EmployerBill.Status.PARTIAL
        bill.save(update_fields=["paid_amount", "covered_amount", "fine", "status", "paid_at"])
    return bill


def employer_bill_as_dict(bill: EmployerBill, *, lines: bool = True) -> dict:
    """The bill for the command line and scripts: its figures, its payments and (``lines``) its lines."""
    data = {
        "employer": bill.employer.number,
        "employer_name": bill.employer.name,
        "month": str(bill.month),
        "workers": bill.workers,
        "amount": bill.amount,
        "employer_share": bill.employer_share,
        "worker_share": bill.worker_share,
        "due_on": bill.due_on.isoformat(),
        "terms": bill.terms,
        "status": bill.status,
        "paid_amount": bill.paid_amount,
        "covered_amount": bill.covered_amount,
        "outstanding": bill.outstanding,
        "fine": bill.fine,
        "payments": [
            {
                "reference": p.reference,
                "amount": p.amount,
                "paid_at": p.paid_at.isoformat(),
                "months_late": p.months_late,
                "fine": p.fine,
            }
            for p in bill.payments.order_by("id")
        ],
    }
    if lines:
        data["lines"] = [
            {
                "participant_number": line.participant.number,
                "wage": line.wage,
                "amount": line.amount,
                "employer_share": line.employer_share,
                "worker_share": line.worker_share,
                "priced": line.priced["lines"],
            }
            for line in bill.lines.select_related("participant").order_by("position")
        ]
    return data
