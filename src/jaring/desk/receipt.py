"""The receipt handed to the worker after a payment: a page that prints on a small receipt printer (or
any printer), and the same receipt as a PDF 80 mm wide.

A receipt is numbered by its ledger entry and shown to whoever may see that entry (``Scope.payments``:
the outlet or agent that took it, and those who serve the worker). A worker registered elsewhere is
named by initials, as the desk showed them when the payment was taken.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jaring.accounts.scope import get_in_scope_or_404
from jaring.common.pdf import embedded_fonts
from jaring.contributions.models import Payment
from jaring.desk.access import desk_scope
from jaring.desk.templatetags.desk import initials, kind_label
from jaring.desk.void import voidable
from jaring.members.codes import participant_payment_code
from jaring.rules.payment_code import payment_code_shown
from jaring.web.templatetags.jaring import bulan_span, rupiah, tanggal


@dataclass(frozen=True)
class Receipt:
    """What a receipt says, in the reader's language."""

    pk: int
    number: str
    voided_by: str  # the reversal's reason, once voided
    voidable: bool
    at: str
    outlet: str
    participant_number: str
    name: str
    kind: str
    months: str
    amount: int
    programmes: str
    payment_code: str  # for the next payment, at any bank, shop or Pos


def receipt_of(request, pk: int) -> Receipt:
    """The receipt of ledger entry ``pk``, or Http404 when the user may not see that entry."""
    scope = desk_scope(request)
    entries = Payment.objects.select_related("participant", "outlet", "agent")
    entry = get_in_scope_or_404(scope.payments, entries, pk=pk)
    person = entry.participant
    reversal = Payment.objects.filter(reverses_id=entry.pk).only("reason").first()
    serves = scope.participants().filter(pk=person.pk).exists()
    taken_by = entry.outlet or entry.agent
    moment = timezone.localtime(entry.paid_at)
    return Receipt(
        pk=entry.pk,
        number=f"{entry.pk:010d}",
        voided_by=reversal.reason if reversal else "",
        voidable=reversal is None and voidable(scope, entry),
        at=f"{tanggal(moment)} {moment:%H:%M}",
        outlet=f"{taken_by.name} ({taken_by.code})" if taken_by else "",
        participant_number=person.number,
        name=person.name if serves else initials(person.name),
        kind=str(kind_label(entry.kind)),
        months=bulan_span(entry.first_month, entry.first_month + (entry.months - 1)),
        amount=entry.amount,
        programmes=person.programmes.replace("+", " + "),
        payment_code=payment_code_shown(participant_payment_code(person)),
    )


@login_required
def receipt(request, pk: int):
    return render(request, "desk/receipt.html", {"receipt": receipt_of(request, pk)})


@login_required
def receipt_pdf(request, pk: int):
    body = receipt_pdf_bytes(receipt_of(request, pk))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="kuitansi-{pk}.pdf"'
    return response


RECEIPT_WIDTH_MM = 80


def receipt_pdf_bytes(receipt: Receipt) -> bytes:
    """One page 80 mm wide (a receipt printer's roll), as long as its lines."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = embedded_fonts()
    lines = [
        (_("Receipt number"), receipt.number),
        (_("Date"), receipt.at),
        (_("Taken at"), receipt.outlet),
        (_("Participant number"), receipt.participant_number),
        (_("Name"), receipt.name),
        (_("Programmes"), receipt.programmes),
        (_("Kind"), receipt.kind),
        (_("Months"), receipt.months),
        (_("Payment code"), receipt.payment_code),
    ]
    width = RECEIPT_WIDTH_MM * mm
    height = (34 + 9 * len(lines)) * mm
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=(width, height), invariant=1, pageCompression=0, initialFontName=regular)
    pdf.setTitle(f"{_('Payment receipt')} {receipt.number}")
    pdf.setSubject(receipt.participant_number)
    pdf.setAuthor("jaring")
    y = height - 10 * mm
    pdf.setFont(bold, 11)
    pdf.drawString(5 * mm, y, _("BPJS Ketenagakerjaan"))
    y -= 5 * mm
    pdf.setFont(regular, 9)
    pdf.drawString(5 * mm, y, _("Payment receipt"))
    y -= 8 * mm
    for label, value in lines:
        pdf.setFont(regular, 7)
        pdf.drawString(5 * mm, y, label)
        pdf.setFont(regular, 9)
        pdf.drawString(5 * mm, y - 4 * mm, value[:44])
        y -= 9 * mm
    pdf.setFont(regular, 7)
    pdf.drawString(5 * mm, y, _("Amount paid"))
    pdf.setFont(bold, 14)
    pdf.drawString(5 * mm, y - 6 * mm, rupiah(receipt.amount))
    pdf.showPage()
    pdf.save()
    return out.getvalue()
