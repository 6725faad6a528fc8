"""A payer's bill as a PDF it can file: an A4 invoice with the bill's reference, its lines (NIKs masked, as
every list) and how to pay it.

How a bill is paid is what jaring does with it: the payer transfers the amount quoting the bill's
reference, the office serving the payer records the payment (``bill_pay``), and every member still on the
bill is then covered for the bill's month.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from jaring.common.pdf import embedded_fonts
from jaring.contributions.models import Bill
from jaring.web.templatetags.jaring import bulan, count, rupiah, tanggal


def bill_reference(bill: Bill) -> str:
    """What the payer quotes with its transfer: TAG-<payer>-<month>."""
    return f"TAG-{bill.payer.code}-{bill.month}"


def invoice_pdf_bytes(bill: Bill, rows: list[tuple[str, str, str, int]]) -> bytes:
    """The invoice of ``bill`` with ``rows`` (participant number, name, masked NIK, amount), as many A4
    pages as its lines take, each numbered."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = embedded_fonts()
    text = ParagraphStyle("text", fontName=regular, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", parent=text, fontName=bold, fontSize=14, leading=18)
    small = ParagraphStyle("small", parent=text, fontSize=8, leading=10)
    payer = bill.payer
    reference = bill_reference(bill)
    month = bulan(bill.month)
    story = [
        Paragraph(_("BPJS Ketenagakerjaan"), small),
        Paragraph(_("Contribution bill for %(month)s") % {"month": month}, heading),
        Spacer(1, 3 * mm),
    ]
    facts = [
        (_("Payer"), f"{payer.name} ({payer.code})"),
        (_("Bill reference"), reference),
        (_("Month covered"), month),
        (_("Issued"), tanggal(bill.issued_at)),
        (_("Members on the bill"), count(len(rows))),
        (_("Amount"), rupiah(bill.amount)),
        (_("Status"), bill.get_status_display() + (f", {tanggal(bill.paid_at)}" if bill.paid_at else "")),
    ]
    table = Table([[label, value] for label, value in facts], colWidths=[45 * mm, 125 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9),
                ("FONT", (1, 1), (1, 1), bold, 9),
                ("FONT", (1, 5), (1, 5), bold, 11),
                ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#5b6776")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 4 * mm),
        Paragraph(_("Payment"), ParagraphStyle("h2", parent=heading, fontSize=11)),
    ]
    if bill.paid_at is not None:
        steps = [
            _("Paid on %(day)s: every member on this bill is covered for %(month)s.")
            % {"day": tanggal(bill.paid_at), "month": month}
        ]
    else:
        steps = [
            _("Transfer %(amount)s to BPJS Ketenagakerjaan and quote the reference %(reference)s.")
            % {"amount": rupiah(bill.amount), "reference": reference},
            _(
                "Send the proof of transfer to the office that serves you%(outlet)s: it records the "
                "payment in jaring."
            )
            % {"outlet": f" ({payer.outlet.name})" if payer.outlet_id else ""},
            _("Once the payment is recorded, every member on this bill is covered for %(month)s.")
            % {"month": month},
        ]
    numbered = len(steps) > 1
    story += [
        Paragraph(f"{number}. {step}" if numbered else step, text) for number, step in enumerate(steps, 1)
    ]
    story.append(Spacer(1, 5 * mm))
    lines = [[_("No."), _("Participant number"), _("Name"), "NIK", _("Amount")]]
    lines += [
        [str(number), participant, name[:40], nik, rupiah(amount)]
        for number, (participant, name, nik, amount) in enumerate(rows, 1)
    ]
    lines.append(["", "", _("Total"), "", rupiah(sum(amount for *_rest, amount in rows))])
    listed = Table(lines, colWidths=[10 * mm, 38 * mm, 62 * mm, 35 * mm, 25 * mm], repeatRows=1)
    listed.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 8),
                ("FONT", (0, 0), (-1, 0), bold, 8),
                ("FONT", (0, -1), (-1, -1), bold, 8),
                ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f3f6f9")]),
            ]
        )
    )
    story.append(listed)

    def footer(canvas, document) -> None:
        canvas.setFont(regular, 7)
        canvas.drawString(20 * mm, 10 * mm, f"{reference} · jaring")
        canvas.drawRightString(190 * mm, 10 * mm, _("Page %(page)s") % {"page": document.page})

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{_('Contribution bill')} {reference}",
        author="jaring",
        subject=payer.name,
        invariant=1,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
